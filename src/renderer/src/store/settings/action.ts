import type { StateCreator } from 'zustand/vanilla'
import type { AppSettings, AppSettingsView, SkwirlApi } from '../../../../shared/api'
import { errorMessage } from '../error-message'
import type { SkwirlStore } from '../store'

export interface SettingsAction {
  openSettings(): Promise<void>
  closeSettings(): void
  /** Takes the settings main pushed (changed in another window or tab). */
  receiveSettings(settings: AppSettingsView): void
  /** Changes settings at once (a settings panel has no Save). */
  changeSettings(changes: Partial<AppSettings>): Promise<void>
}

export const createSettingsSlice =
  (api: SkwirlApi): StateCreator<SkwirlStore, [], [], SettingsAction> =>
  (set, get) => ({
    async openSettings() {
      set({ settingsOpen: true, settingsError: null })
      try {
        set({ appSettings: await api.getAppSettings() })
      } catch (error) {
        set({ settingsError: errorMessage(error) })
      }
    },

    closeSettings() {
      set({ settingsOpen: false, settingsError: null })
    },

    receiveSettings(settings) {
      set({ appSettings: settings })
    },

    async changeSettings(changes) {
      const before = get().appSettings
      // Shown at once; put back if main refuses.
      if (before) set({ appSettings: { ...before, ...changes }, settingsError: null })
      try {
        set({ appSettings: await api.updateAppSettings(changes) })
      } catch (error) {
        set({ appSettings: before, settingsError: errorMessage(error) })
      }
    },
  })
