import type { Unsubscribe } from '../../../shared/api'

/** 'connecting' until the first open; 'reconnecting' after a lost connection, until it is back. */
export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting'

/** Where the store learns whether main can be reached. */
export interface ConnectionSource {
  readonly status: ConnectionStatus
  subscribe(listener: (status: ConnectionStatus) => void): Unsubscribe
}

/** The Electron bridge never loses main, so its connection is simply open. */
export const ALWAYS_OPEN: ConnectionSource = {
  status: 'open',
  subscribe: () => () => {},
}
