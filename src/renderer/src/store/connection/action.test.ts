import { describe, expect, it, vi } from 'vitest'
import type { ConnectionSource, ConnectionStatus } from '../../api/connection'
import { createFakeApi, run } from '../../testing/fake-api'
import { createSkwirlStore } from '../store'
import { connectionSelectors } from './selectors'

function fakeConnection(): ConnectionSource & { set(status: ConnectionStatus): void } {
  const listeners = new Set<(status: ConnectionStatus) => void>()
  let status: ConnectionStatus = 'connecting'
  return {
    get status() {
      return status
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    set(next) {
      status = next
      for (const listener of listeners) listener(next)
    },
  }
}

describe('connection slice', () => {
  it('mirrors the transport and catches up after a reconnect', async () => {
    const api = createFakeApi()
    const connection = fakeConnection()
    api.listProviders.mockRejectedValueOnce(new Error('Lost the connection to Skwirl.'))
    const store = createSkwirlStore(api, connection)
    store.getState().start()
    await vi.waitFor(() => expect(store.getState().providersStatus).toBe('error'))
    expect(connectionSelectors.status(store.getState())).toBe('connecting')

    connection.set('reconnecting')
    expect(connectionSelectors.isReconnecting(store.getState())).toBe(true)

    api.listRuns.mockResolvedValueOnce([run({ runId: 'r9', status: 'completed' })])
    connection.set('open')
    expect(connectionSelectors.isReconnecting(store.getState())).toBe(false)
    await vi.waitFor(() => expect(store.getState().providersStatus).toBe('ready'))
    expect(api.listRuns).toHaveBeenCalledTimes(2)
    await vi.waitFor(() => expect(store.getState().latestRuns['google-drive']?.runId).toBe('r9'))
  })
})
