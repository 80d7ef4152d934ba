import type { SkwirlStore } from '../store'

export const settingsSelectors = {
  open: (s: SkwirlStore) => s.settingsOpen,
  settings: (s: SkwirlStore) => s.appSettings,
  error: (s: SkwirlStore) => s.settingsError,
}
