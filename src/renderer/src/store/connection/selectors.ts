import type { SkwirlStore } from '../store'

export const connectionSelectors = {
  status: (s: SkwirlStore) => s.connection,
  isReconnecting: (s: SkwirlStore) => s.connection === 'reconnecting',
  /** Main is out of reach: what is on screen may be stale, and actions wait for it to be back. */
  isOffline: (s: SkwirlStore) => s.connection === 'reconnecting',
}
