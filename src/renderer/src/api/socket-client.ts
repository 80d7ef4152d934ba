// Browser mode: the SkwirlBridge over one WebSocket to main's server on this page's own origin.
import {
  apiOverTransport,
  API_ERROR_CODES,
  EVENT_NAMES,
  isEventName,
  type ApiMethod,
  type EventName,
  type SkwirlBridge,
  type SkwirlEvents,
  type Unsubscribe,
} from '../../../shared/api'
import { ApiError } from '../../../shared/errors'
import {
  SOCKET_PATH,
  type SocketCall,
  type SocketServerMessage,
} from '../../../shared/socket-protocol'
import type { ConnectionSource, ConnectionStatus } from './connection'

/** The part of the DOM WebSocket the client uses, so tests can pass a fake. */
export interface SocketLike {
  onopen: ((event: Event) => void) | null
  onmessage: ((event: MessageEvent) => void) | null
  onclose: ((event: CloseEvent) => void) | null
  onerror: ((event: Event) => void) | null
  send(data: string): void
  close(code?: number, reason?: string): void
}

export type SocketConstructor = new (url: string) => SocketLike

export interface SocketClientOptions {
  /** Defaults to SOCKET_PATH on the page's own origin. */
  url?: string
  /** Defaults to the browser's WebSocket. */
  WebSocket?: SocketConstructor
  /** Delay before reconnect attempt n (0-based); defaults to reconnectDelay. */
  reconnectDelay?: (attempt: number) => number
}

export interface SocketClient extends SkwirlBridge, ConnectionSource {
  /** Closes the socket for good: no reconnect, pending calls reject. */
  dispose(): void
}

export const LOST_CONNECTION_MESSAGE =
  'Lost the connection to Skwirl. It will reconnect on its own; try again in a moment.'

export const MAX_RECONNECT_DELAY_MS = 5_000

export function reconnectDelay(attempt: number): number {
  return Math.min(250 * 2 ** attempt, MAX_RECONNECT_DELAY_MS)
}

export function socketUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${location.host}${SOCKET_PATH}`
}

interface PendingCall {
  message: string
  sent: boolean
  resolve: (value: unknown) => void
  reject: (error: Error) => void
}

type Listeners = { [E in EventName]: Set<(payload: SkwirlEvents[E]) => void> }

export function createSocketClient(options: SocketClientOptions = {}): SocketClient {
  const url = options.url ?? socketUrl(window.location)
  const SocketImpl: SocketConstructor = options.WebSocket ?? WebSocket
  const delayFor = options.reconnectDelay ?? reconnectDelay

  const pending = new Map<number, PendingCall>()
  const listeners = Object.fromEntries(EVENT_NAMES.map((name) => [name, new Set()])) as Listeners
  const statusListeners = new Set<(status: ConnectionStatus) => void>()

  let status: ConnectionStatus = 'connecting'
  let socket: SocketLike | null = null
  let open = false
  let attempt = 0
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null
  let disposed = false
  let nextId = 1

  function setStatus(next: ConnectionStatus): void {
    if (next === status) return
    status = next
    for (const listener of statusListeners) listener(next)
  }

  function connect(): void {
    reconnectTimer = null
    const current = new SocketImpl(url)
    socket = current
    current.onopen = () => {
      if (socket !== current) return
      open = true
      attempt = 0
      setStatus('open')
      for (const call of pending.values()) {
        if (!call.sent) {
          call.sent = true
          current.send(call.message)
        }
      }
    }
    current.onmessage = (event) => {
      if (socket === current) receive(event.data)
    }
    current.onclose = () => {
      if (socket === current) lost()
    }
    // An error is always followed by close, which does the work.
    current.onerror = () => {}
  }

  function lost(): void {
    socket = null
    open = false
    // Nobody can tell whether a call in flight ran (execute is not idempotent), so none is retried.
    const error = new Error(LOST_CONNECTION_MESSAGE)
    for (const call of pending.values()) call.reject(error)
    pending.clear()
    if (disposed) return
    setStatus('reconnecting')
    reconnectTimer = setTimeout(connect, delayFor(attempt))
    attempt += 1
  }

  function receive(data: unknown): void {
    const message = parseMessage(data)
    if (message === null) {
      console.warn('Skwirl socket: ignored a message that is not a server message', data)
      return
    }
    if (message.type === 'result') {
      const call = pending.get(message.id)
      if (!call) return
      pending.delete(message.id)
      if (message.ok) call.resolve(message.value)
      else call.reject(ApiError.fromPayload(message.error))
      return
    }
    dispatch(message.event, message.payload)
  }

  function dispatch<E extends EventName>(event: E, payload: SkwirlEvents[E]): void {
    const set: Set<(payload: SkwirlEvents[E]) => void> = listeners[event]
    for (const listener of set) {
      try {
        listener(payload)
      } catch (error) {
        // One broken listener must not keep the event from the others.
        console.error(`Skwirl socket: a listener for ${event} threw`, error)
      }
    }
  }

  function call(method: ApiMethod, args: unknown[]): Promise<unknown> {
    if (disposed) return Promise.reject(new Error(LOST_CONNECTION_MESSAGE))
    const id = nextId++
    const payload: SocketCall = { type: 'call', id, method, args }
    return new Promise((resolve, reject) => {
      const entry: PendingCall = {
        message: JSON.stringify(payload),
        sent: false,
        resolve,
        reject,
      }
      pending.set(id, entry)
      if (open && socket) {
        entry.sent = true
        socket.send(entry.message)
      }
    })
  }

  connect()

  return {
    ...apiOverTransport((method, args) => call(method, args)),
    on(event, listener) {
      const set: Set<typeof listener> = listeners[event]
      set.add(listener)
      return () => {
        set.delete(listener)
      }
    },
    get status() {
      return status
    },
    subscribe(listener): Unsubscribe {
      statusListeners.add(listener)
      return () => {
        statusListeners.delete(listener)
      }
    },
    dispose() {
      disposed = true
      if (reconnectTimer !== null) clearTimeout(reconnectTimer)
      const current = socket
      lost()
      current?.close()
    },
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function parseMessage(data: unknown): SocketServerMessage | null {
  if (typeof data !== 'string') return null
  let value: unknown
  try {
    value = JSON.parse(data)
  } catch {
    return null
  }
  if (!isRecord(value)) return null
  if (value.type === 'result') {
    if (typeof value.id !== 'number') return null
    if (value.ok === true) return { type: 'result', id: value.id, ok: true, value: value.value }
    const error = value.error
    if (value.ok !== false || !isRecord(error) || typeof error.message !== 'string') return null
    const code = API_ERROR_CODES.find((known) => known === error.code) ?? 'internal'
    return { type: 'result', id: value.id, ok: false, error: { code, message: error.message } }
  }
  if (value.type === 'event') {
    if (!isEventName(value.event) || !isRecord(value.payload)) return null
    // The envelope is checked; the payload is the server's to get right.
    return value as SocketServerMessage
  }
  return null
}
