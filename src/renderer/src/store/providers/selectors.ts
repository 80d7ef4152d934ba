import type { SkwirlStore } from '../store'

export const providersSelectors = {
  status: (s: SkwirlStore) => s.providersStatus,
  list: (s: SkwirlStore) => s.providers,
  error: (s: SkwirlStore) => s.providersError,
  openProvider: (s: SkwirlStore) => s.openProvider,
}
