// The contract between the renderer and main: every call the renderer can make and every event
// main can push. The Electron preload, the browser-mode socket client and main's handler table
// are all typed against these two interfaces.

export interface ProviderSummary {
  id: string
  name: string
  createdAt: string
  updatedAt: string
}

export interface Provider extends ProviderSummary {
  code: string
}

export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled'

/** What the screen may know about a run: counts and states, never error messages. */
export interface RunState {
  runId: string
  providerId: string
  providerName: string
  status: RunStatus
  startedAt: string
  finishedAt: string | null
  listed: number
  downloaded: number
  failed: number
  bytes: number
}

export interface SkwirlApi {
  listProviders(): Promise<ProviderSummary[]>
  getProvider(id: string): Promise<Provider>
  /** Starts a run in the background and answers at once. */
  execute(providerId: string): Promise<{ runId: string }>
  /** Runs started since this process began, newest first. */
  listRuns(): Promise<RunState[]>
}

export interface SkwirlEvents {
  'run:update': RunState
}

export type ApiMethod = keyof SkwirlApi
export type EventName = keyof SkwirlEvents

export const API_METHODS = [
  'listProviders',
  'getProvider',
  'execute',
  'listRuns',
] as const satisfies readonly ApiMethod[]

export const EVENT_NAMES = ['run:update'] as const satisfies readonly EventName[]

// Compile-time check that API_METHODS names every method exactly.
type Missing = Exclude<ApiMethod, (typeof API_METHODS)[number]>
const allMethodsListed: Missing extends never ? true : false = true
void allMethodsListed

export function isApiMethod(value: unknown): value is ApiMethod {
  return typeof value === 'string' && (API_METHODS as readonly string[]).includes(value)
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && (EVENT_NAMES as readonly string[]).includes(value)
}

export type ApiErrorCode = 'invalid-argument' | 'not-found' | 'conflict' | 'internal'

/** How an answer crosses IPC or the socket: errors travel as data, never as crashes. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiErrorPayload }

export interface ApiErrorPayload {
  code: ApiErrorCode
  message: string
}

export type Unsubscribe = () => void

/** What the renderer holds: the api plus a typed way to listen for main's events. */
export interface SkwirlBridge extends SkwirlApi {
  on<E extends EventName>(event: E, listener: (payload: SkwirlEvents[E]) => void): Unsubscribe
}

/** Electron IPC channel names: one per method, one for every event. */
export const IPC_EVENT_CHANNEL = 'skwirl:event'
export function ipcChannel(method: ApiMethod): string {
  return `skwirl:${method}`
}
