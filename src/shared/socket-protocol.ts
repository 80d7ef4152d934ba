// Browser mode: the same SkwirlApi and events over one WebSocket at SOCKET_PATH.
import type { ApiMethod, ApiResult, EventName, SkwirlEvents } from './api'

export const SOCKET_PATH = '/api/socket'
/** The browser keeps the token in this cookie after the first page load with ?token=. */
export const TOKEN_COOKIE = 'skwirl_token'
export const TOKEN_PARAM = 'token'

export interface SocketCall {
  type: 'call'
  id: number
  method: ApiMethod
  args: unknown[]
}

export type SocketServerMessage =
  | ({ type: 'result'; id: number } & ApiResult<unknown>)
  | { [E in EventName]: { type: 'event'; event: E; payload: SkwirlEvents[E] } }[EventName]
