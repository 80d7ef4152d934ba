import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { RunState } from '../../../shared/api'
import { ApiError } from '../../../shared/errors'
import type { SocketCall } from '../../../shared/socket-protocol'
import type { ConnectionStatus } from './connection'
import {
  createSocketClient,
  LOST_CONNECTION_MESSAGE,
  reconnectDelay,
  socketUrl,
  type SocketClient,
  type SocketLike,
} from './socket-client'

/** Stands in for the browser's WebSocket; the test plays the server. */
class FakeWebSocket implements SocketLike {
  static instances: FakeWebSocket[] = []
  onopen: ((event: Event) => void) | null = null
  onmessage: ((event: MessageEvent) => void) | null = null
  onclose: ((event: CloseEvent) => void) | null = null
  onerror: ((event: Event) => void) | null = null
  sent: SocketCall[] = []
  closed = false

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this)
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as SocketCall)
  }

  close(): void {
    this.closed = true
  }

  serverOpens(): void {
    this.onopen?.(new Event('open'))
  }

  serverSends(message: unknown): void {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(message) }))
  }

  serverCloses(): void {
    this.onerror?.(new Event('error'))
    this.onclose?.(new Event('close') as CloseEvent)
  }
}

const latest = () => {
  const socket = FakeWebSocket.instances.at(-1)
  if (!socket) throw new Error('no socket was opened')
  return socket
}

const RUN: RunState = {
  runId: 'r1',
  providerId: 'google-drive',
  providerName: 'Google Drive',
  status: 'running',
  phase: 'backing-up',
  reason: null,
  failure: null,
  startedAt: '2025-06-15T12:00:00.000Z',
  finishedAt: null,
  listed: 3,
  downloaded: 1,
  unchanged: 0,
  skipped: 0,
  failed: 0,
  bytes: 1024,
  unchangedBytes: 0,
  retries: 0,
  destination: null,
  problem: null,
  live: { currentFile: 'a.txt', filesPerSecond: 2.5, secondsLeft: 0.8, waitingFor: null },
}

let client: SocketClient

beforeEach(() => {
  FakeWebSocket.instances = []
  client = createSocketClient({ url: 'ws://127.0.0.1:4000/api/socket', WebSocket: FakeWebSocket })
})

afterEach(() => {
  client.dispose()
  vi.useRealTimers()
})

describe('socket client', () => {
  it('connects to the given url and waits for the socket to open before sending', async () => {
    expect(latest().url).toBe('ws://127.0.0.1:4000/api/socket')
    expect(client.status).toBe('connecting')

    const answer = client.getProvider('google-drive')
    expect(latest().sent).toEqual([])

    latest().serverOpens()
    expect(client.status).toBe('open')
    expect(latest().sent).toEqual([
      { type: 'call', id: 1, method: 'getProvider', args: ['google-drive'] },
    ])

    latest().serverSends({ type: 'result', id: 1, ok: true, value: { id: 'google-drive' } })
    await expect(answer).resolves.toEqual({ id: 'google-drive' })
  })

  it('matches results to calls by id', async () => {
    latest().serverOpens()
    const providers = client.listProviders()
    const started = client.execute('google-drive')
    const [first, second] = latest().sent
    expect(first).toMatchObject({ method: 'listProviders', args: [] })
    expect(second).toMatchObject({ method: 'execute', args: ['google-drive'] })

    latest().serverSends({ type: 'result', id: second?.id, ok: true, value: { runId: 'r7' } })
    latest().serverSends({ type: 'result', id: first?.id, ok: true, value: [] })
    await expect(started).resolves.toEqual({ runId: 'r7' })
    await expect(providers).resolves.toEqual([])
  })

  it('rejects with an ApiError carrying the code and message of an error result', async () => {
    latest().serverOpens()
    const answer = client.getProvider('nope')
    latest().serverSends({
      type: 'result',
      id: 1,
      ok: false,
      error: { code: 'not-found', message: 'No provider nope.' },
    })
    const error = await answer.catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ code: 'not-found', message: 'No provider nope.' })
  })

  it('keeps the codes the editor acts on (a clash, a change elsewhere)', async () => {
    latest().serverOpens()
    const saving = client.updateProvider('p1', { name: 'x', code: '', expectedUpdatedAt: null })
    latest().serverSends({
      type: 'result',
      id: 1,
      ok: false,
      error: { code: 'outdated', message: 'Changed elsewhere.' },
    })
    await expect(saving).rejects.toMatchObject({ code: 'outdated' })
    const changes: unknown[] = []
    client.on('providers:changed', (payload) => changes.push(payload))
    latest().serverSends({ type: 'event', event: 'providers:changed', payload: {} })
    expect(changes).toEqual([{}])
  })

  it('dispatches events to listeners until they unsubscribe', () => {
    latest().serverOpens()
    const seen: RunState[] = []
    const unsubscribe = client.on('run:update', (run) => seen.push(run))

    latest().serverSends({ type: 'event', event: 'run:update', payload: RUN })
    expect(seen).toEqual([RUN])

    unsubscribe()
    latest().serverSends({ type: 'event', event: 'run:update', payload: { ...RUN, listed: 9 } })
    expect(seen).toHaveLength(1)
  })

  it('ignores messages that are not server messages', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    latest().serverOpens()
    const seen: RunState[] = []
    client.on('run:update', (run) => seen.push(run))
    latest().onmessage?.(new MessageEvent('message', { data: 'not json' }))
    latest().serverSends({ type: 'event', event: 'nobody:listens', payload: RUN })
    expect(seen).toEqual([])
    expect(warn).toHaveBeenCalledTimes(2)
    warn.mockRestore()
  })

  it('rejects pending calls when the socket closes, then reconnects with backoff', async () => {
    vi.useFakeTimers()
    const statuses: ConnectionStatus[] = []
    client.subscribe((status) => statuses.push(status))
    latest().serverOpens()
    const inFlight = client.listRuns()

    latest().serverCloses()
    await expect(inFlight).rejects.toThrow(LOST_CONNECTION_MESSAGE)
    expect(client.status).toBe('reconnecting')
    expect(FakeWebSocket.instances).toHaveLength(1)

    vi.advanceTimersByTime(reconnectDelay(0))
    expect(FakeWebSocket.instances).toHaveLength(2)
    const waiting = client.listRuns()
    latest().serverOpens()
    expect(statuses).toEqual(['open', 'reconnecting', 'open'])
    latest().serverSends({ type: 'result', id: latest().sent[0]?.id, ok: true, value: [RUN] })
    await expect(waiting).resolves.toEqual([RUN])
  })

  it('also rejects calls still waiting for a socket that never opened', async () => {
    const waiting = client.listProviders()
    latest().serverCloses()
    await expect(waiting).rejects.toThrow(LOST_CONNECTION_MESSAGE)
    expect(client.status).toBe('reconnecting')
  })

  it('backs off up to about five seconds', () => {
    expect(reconnectDelay(0)).toBe(250)
    expect(reconnectDelay(1)).toBe(500)
    expect(reconnectDelay(3)).toBe(2_000)
    expect(reconnectDelay(10)).toBe(5_000)
  })
})

describe('socketUrl', () => {
  it('uses the page origin with a matching scheme', () => {
    expect(socketUrl({ protocol: 'http:', host: '127.0.0.1:4000' })).toBe(
      'ws://127.0.0.1:4000/api/socket',
    )
    expect(socketUrl({ protocol: 'https:', host: 'box.local' })).toBe('wss://box.local/api/socket')
  })
})
