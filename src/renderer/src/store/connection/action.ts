import type { StateCreator } from 'zustand/vanilla'
import type { ConnectionStatus } from '../../api/connection'
import type { SkwirlStore } from '../store'

export interface ConnectionAction {
  setConnection(status: ConnectionStatus): void
}

export const createConnectionSlice: StateCreator<SkwirlStore, [], [], ConnectionAction> = (
  set,
  get,
) => ({
  setConnection(status) {
    const previous = get().connection
    if (previous === status) return
    set({ connection: status })
    if (previous !== 'reconnecting' || status !== 'open') return
    // Events sent while the socket was down are lost (runs ended, providers changed, a new
    // server started): everything on screen is asked for again.
    void get().loadRuns()
    void get().refreshProviders()
    const history = get().historyProviderId
    if (history !== null) void get().reloadHistory()
    void get().checkEditorCode()
  },
})
