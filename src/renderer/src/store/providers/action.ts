import type { StateCreator } from 'zustand/vanilla'
import type { Provider, ProviderListItem, SkwirlApi } from '../../../../shared/api'
import { providerNameKey } from '../../../../shared/provider-rules'
import type { ProviderFiles } from '../../files/provider-files'
import { errorCode, errorMessage } from '../error-message'
import type { SkwirlStore } from '../store'
import type { Notice } from './initialState'

export interface ProvidersAction {
  loadProviders(): Promise<void>
  /** Reloads the list without showing it as loading (another window or tab changed it). */
  refreshProviders(): Promise<void>
  /** Puts a provider main answered with into the list (after a save, a copy). */
  upsertProvider(provider: Provider | ProviderListItem): void
  duplicateProvider(id: string): Promise<void>
  /** Asks the person to confirm; confirmDelete does it. */
  askToDelete(id: string): void
  cancelDelete(): void
  confirmDelete(): Promise<void>
  /** Asks for a .lua file and opens it in the editor as a new provider. */
  importProvider(): Promise<void>
  /** Opens the .lua files opened with Skwirl (desktop) in the editor, as importProvider does. */
  openWaitingFiles(): Promise<void>
  exportProvider(id: string): Promise<void>
  showNotice(text: string, tone?: Notice['tone']): void
  dismissNotice(): void
}

export function sortProviders(providers: ProviderListItem[]): ProviderListItem[] {
  return [...providers].sort((a, b) => {
    const [ka, kb] = [providerNameKey(a.name), providerNameKey(b.name)]
    return ka < kb ? -1 : ka > kb ? 1 : 0
  })
}

/** A provider main answered with, as the list holds it: what the list knew of it stays. */
function summaryOf(
  provider: Provider | ProviderListItem,
  known: ProviderListItem | undefined,
): ProviderListItem {
  const { id, name, createdAt, updatedAt } = provider
  return {
    id,
    name,
    createdAt,
    updatedAt,
    signIn: 'signIn' in provider ? provider.signIn : (known?.signIn ?? null),
    shippedUpdate:
      'shippedUpdate' in provider ? provider.shippedUpdate : (known?.shippedUpdate ?? false),
  }
}

export const createProvidersSlice =
  (api: SkwirlApi, files: ProviderFiles): StateCreator<SkwirlStore, [], [], ProvidersAction> =>
  (set, get) => {
    let nextNotice = 1
    return {
      async loadProviders() {
        set({ providersStatus: 'loading', providersError: null })
        try {
          const providers = await api.listProviders()
          set({ providersStatus: 'ready', providers })
        } catch (error) {
          set({ providersStatus: 'error', providersError: errorMessage(error) })
        }
      },

      async refreshProviders() {
        if (get().providersStatus !== 'ready') return get().loadProviders()
        let providers: ProviderListItem[]
        try {
          providers = await api.listProviders()
        } catch {
          return // The list on screen stays; the next change or focus tries again.
        }
        set({ providers })
        get().editorProvidersChanged()
      },

      upsertProvider(provider) {
        const known = get().providers.find((p) => p.id === provider.id)
        const others = get().providers.filter((p) => p.id !== provider.id)
        set({ providers: sortProviders([...others, summaryOf(provider, known)]) })
      },

      async duplicateProvider(id) {
        try {
          const copy = await api.duplicateProvider(id)
          get().upsertProvider(copy)
          get().showNotice(`Made a copy: “${copy.name}”.`)
          get().openEditor(copy.id, { focus: 'name' })
        } catch (error) {
          get().showNotice(`Couldn’t duplicate: ${errorMessage(error)}`, 'error')
        }
      },

      askToDelete(id) {
        const provider = get().providers.find((p) => p.id === id)
        if (provider) set({ pendingDelete: { id, name: provider.name } })
      },

      cancelDelete() {
        set({ pendingDelete: null })
      },

      async confirmDelete() {
        const pending = get().pendingDelete
        if (!pending) return
        set({ pendingDelete: null })
        try {
          await api.deleteProvider(pending.id)
        } catch (error) {
          // Already gone (deleted in another window) is what was asked for.
          if (errorCode(error) !== 'not-found') {
            get().showNotice(`Couldn’t delete “${pending.name}”: ${errorMessage(error)}`, 'error')
            return
          }
        }
        set({ providers: get().providers.filter((p) => p.id !== pending.id) })
        // The person confirmed: the editor's unsaved changes to it go with it.
        if (get().editor?.providerId === pending.id) get().discardEditor()
        get().showNotice(`Deleted “${pending.name}”.`)
      },

      async importProvider() {
        let input
        try {
          input = await files.open()
        } catch (error) {
          get().showNotice(`Couldn’t import: ${errorMessage(error)}`, 'error')
          return
        }
        if (input) get().newProvider(input)
      },

      async openWaitingFiles() {
        let files
        try {
          files = await api.takeOpenedProviderFiles()
        } catch {
          return // Nothing was handed out; the next event or start asks again.
        }
        const readable = files.filter((file) => file.provider !== null)
        const unreadable = files.find((file) => file.error !== null)
        // One editor: the newest file opens, as the person's last gesture asked.
        const newest = readable.at(-1)
        if (newest?.provider) get().newProvider(newest.provider)
        if (unreadable?.error) get().showNotice(unreadable.error, 'error')
        else if (newest && readable.length > 1) {
          const others = readable.length - 1
          get().showNotice(
            `Opened “${newest.fileName}”. Skwirl opens one file at a time: open the other ${others === 1 ? 'one' : others} again once this one is saved.`,
          )
        }
      },

      async exportProvider(id) {
        const provider = get().providers.find((p) => p.id === id)
        if (!provider) return
        try {
          const message = await files.save(provider)
          if (message) get().showNotice(message)
        } catch (error) {
          get().showNotice(`Couldn’t export “${provider.name}”: ${errorMessage(error)}`, 'error')
        }
      },

      showNotice(text, tone = 'info') {
        set({ notice: { id: nextNotice++, text, tone } })
      },

      dismissNotice() {
        set({ notice: null })
      },
    }
  }
