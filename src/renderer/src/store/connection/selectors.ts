import type { SkwirlStore } from '../store'

export const connectionSelectors = {
  status: (s: SkwirlStore) => s.connection,
  isReconnecting: (s: SkwirlStore) => s.connection === 'reconnecting',
}
