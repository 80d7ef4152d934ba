import type { StateCreator } from 'zustand/vanilla'
import type { SettingsChanges, SignInFinished, SkwirlApi } from '../../../../shared/api'
import { errorMessage } from '../error-message'
import type { SkwirlStore } from '../store'
import type { SettingsPanel } from './initialState'

export interface ProviderSettingsAction {
  /** Opens the provider in the editor with its settings showing. */
  openProviderSettings(providerId: string): void
  /** Switches the open editor between its code and its settings. */
  showEditorPane(pane: 'code' | 'settings'): void
  loadSettings(providerId: string): Promise<void>
  /** Saves the changes; true when they were saved. */
  saveSettings(changes: SettingsChanges): Promise<boolean>
  /**
   * Starts the sign-in. In browser mode the caller opens a tab at once (a tab opened after an
   * answer from main would be blocked as a pop-up) and hands it here to send to the URL.
   */
  signIn(tab: Window | null): Promise<void>
  cancelSignIn(): Promise<void>
  signOut(): Promise<void>
  /** Main says a provider's settings or sign-in changed. */
  providerSettingsChanged(providerId: string): void
  signInFinished(event: SignInFinished): void
  /** Opens the difference between a provider's code and the newer shipped one. */
  openShippedUpdate(providerId: string): Promise<void>
  closeShippedUpdate(): void
  applyShippedUpdate(): Promise<void>
  dismissShippedUpdate(): Promise<void>
}

export const createProviderSettingsSlice =
  (api: SkwirlApi): StateCreator<SkwirlStore, [], [], ProviderSettingsAction> =>
  (set, get) => {
    const patch = (providerId: string, changes: Partial<SettingsPanel>): void => {
      const current = get().providerSettings
      if (current?.providerId === providerId) set({ providerSettings: { ...current, ...changes } })
    }
    const providerName = (id: string): string =>
      get().providers.find((p) => p.id === id)?.name ?? 'the provider'
    return {
      openProviderSettings(providerId) {
        set({ settingsPaneFor: providerId })
        if (get().editor?.providerId !== providerId) get().openEditor(providerId)
      },

      showEditorPane(pane) {
        const id = get().editor?.providerId ?? null
        set({ settingsPaneFor: pane === 'settings' ? id : null })
      },

      async loadSettings(providerId) {
        const current = get().providerSettings
        if (current?.providerId !== providerId) {
          set({
            providerSettings: {
              providerId,
              status: 'loading',
              view: null,
              error: null,
              saving: false,
              saveError: null,
              startingSignIn: false,
              signInError: null,
            },
          })
        }
        try {
          const view = await api.getProviderSettings(providerId)
          patch(providerId, { status: 'ready', view, error: null })
        } catch (error) {
          patch(providerId, { status: 'error', error: errorMessage(error) })
        }
      },

      async saveSettings(changes) {
        const panel = get().providerSettings
        if (!panel) return false
        patch(panel.providerId, { saving: true, saveError: null })
        try {
          const view = await api.updateProviderSettings(panel.providerId, changes)
          patch(panel.providerId, { saving: false, view })
          get().showNotice('Settings saved.')
          return true
        } catch (error) {
          patch(panel.providerId, { saving: false, saveError: errorMessage(error) })
          return false
        }
      },

      async signIn(tab) {
        const panel = get().providerSettings
        if (!panel) {
          tab?.close()
          return
        }
        const { providerId } = panel
        patch(providerId, { startingSignIn: true, signInError: null })
        try {
          const { url, opened } = await api.startSignIn(providerId)
          if (!opened) {
            if (tab && !tab.closed) tab.location.href = url
            else window.open(url, '_blank', 'noopener,noreferrer')
          } else {
            tab?.close()
          }
          patch(providerId, { startingSignIn: false })
          await get().loadSettings(providerId)
        } catch (error) {
          tab?.close()
          patch(providerId, { startingSignIn: false, signInError: errorMessage(error) })
        }
      },

      async cancelSignIn() {
        const panel = get().providerSettings
        if (panel) await api.cancelSignIn(panel.providerId).catch(() => undefined)
      },

      async signOut() {
        const panel = get().providerSettings
        if (!panel) return
        try {
          await api.signOut(panel.providerId)
          get().showNotice(`Signed ${providerName(panel.providerId)} out.`)
        } catch (error) {
          get().showNotice(`Couldn’t sign out: ${errorMessage(error)}`, 'error')
        }
        await get().loadSettings(panel.providerId)
      },

      providerSettingsChanged(providerId) {
        if (get().providerSettings?.providerId === providerId) void get().loadSettings(providerId)
      },

      signInFinished({ providerId, ok, message }) {
        const name = providerName(providerId)
        if (ok) get().showNotice(`${name} is signed in.`)
        else if (message !== 'the sign-in was cancelled') {
          get().showNotice(`${name} is not signed in: ${message ?? 'the sign-in failed'}.`, 'error')
        }
        patch(providerId, { signInError: ok ? null : message })
        if (get().providerSettings?.providerId === providerId) void get().loadSettings(providerId)
      },

      async openShippedUpdate(providerId) {
        try {
          set({ shippedUpdate: await api.getShippedUpdate(providerId) })
        } catch (error) {
          get().showNotice(`Couldn’t show the shipped version: ${errorMessage(error)}`, 'error')
        }
      },

      closeShippedUpdate() {
        set({ shippedUpdate: null })
      },

      async applyShippedUpdate() {
        const update = get().shippedUpdate
        if (!update) return
        try {
          const saved = await api.applyShippedUpdate(update.providerId)
          set({ shippedUpdate: null })
          get().upsertProvider({ ...saved, signIn: null, shippedUpdate: false })
          get().showNotice(`“${saved.name}” now runs the version shipped with Skwirl.`)
          await get().refreshProviders()
        } catch (error) {
          get().showNotice(`Couldn’t replace the code: ${errorMessage(error)}`, 'error')
        }
      },

      async dismissShippedUpdate() {
        const update = get().shippedUpdate
        if (!update) return
        set({ shippedUpdate: null })
        try {
          await api.dismissShippedUpdate(update.providerId)
          await get().refreshProviders()
        } catch (error) {
          get().showNotice(`Couldn’t keep your version: ${errorMessage(error)}`, 'error')
        }
      },
    }
  }
