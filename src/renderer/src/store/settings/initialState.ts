import type { AppSettingsView } from '../../../../shared/api'

export interface SettingsState {
  /** Where this page runs: the desktop app, or a browser (browser mode). */
  appMode: 'desktop' | 'browser'
  settingsOpen: boolean
  /** null until loaded. */
  appSettings: AppSettingsView | null
  settingsError: string | null
}

export const initialSettingsState: SettingsState = {
  appMode: 'desktop',
  settingsOpen: false,
  appSettings: null,
  settingsError: null,
}
