import { act, cleanup, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { ConnectionSource, ConnectionStatus } from '../api/connection'
import { renderApp } from '../testing/render-app'

afterEach(cleanup)

function controllableConnection(): ConnectionSource & { set(status: ConnectionStatus): void } {
  const listeners = new Set<(status: ConnectionStatus) => void>()
  let status: ConnectionStatus = 'open'
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

describe('the reconnecting banner', () => {
  it('shows while the connection is lost and goes away when it is back', async () => {
    const connection = controllableConnection()
    renderApp(undefined, connection)
    await screen.findByRole('article', { name: 'Google Drive' })
    expect(screen.queryByText(/Reconnecting…/)).toBeNull()

    act(() => connection.set('reconnecting'))
    expect(screen.getByText(/Reconnecting…/)).toBeTruthy()

    act(() => connection.set('open'))
    expect(screen.queryByText(/Reconnecting…/)).toBeNull()
  })
})
