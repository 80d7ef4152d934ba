// A SkwirlBridge for tests: every method is a vi.fn, and emit() plays main pushing an event.
import { vi, type Mock } from 'vitest'
import type {
  EventName,
  Provider,
  ProviderSummary,
  RunState,
  SkwirlApi,
  SkwirlBridge,
  SkwirlEvents,
} from '../../../shared/api'

export type FakeApi = { [K in keyof SkwirlApi]: Mock<SkwirlApi[K]> } & SkwirlBridge & {
    emit<E extends EventName>(event: E, payload: SkwirlEvents[E]): void
  }

export const GOOGLE_DRIVE: Provider = {
  id: 'google-drive',
  name: 'Google Drive',
  createdAt: '2025-06-01T10:00:00.000Z',
  updatedAt: '2025-06-01T10:00:00.000Z',
  code: 'function list_file_ids()\n  skwirl.emit_file_id("a")\nend\n',
}

export const DROPBOX: Provider = {
  id: 'dropbox',
  name: 'Dropbox',
  createdAt: '2025-06-02T10:00:00.000Z',
  updatedAt: '2025-06-02T10:00:00.000Z',
  code: 'function list_file_ids()\nend\n',
}

export function summary(provider: Provider): ProviderSummary {
  const { code: _code, ...rest } = provider
  return rest
}

export function run(overrides: Partial<RunState> & Pick<RunState, 'runId'>): RunState {
  return {
    providerId: GOOGLE_DRIVE.id,
    providerName: GOOGLE_DRIVE.name,
    status: 'running',
    startedAt: '2025-06-15T11:58:00.000Z',
    finishedAt: null,
    listed: 0,
    downloaded: 0,
    failed: 0,
    bytes: 0,
    ...overrides,
  }
}

export function createFakeApi(providers: Provider[] = [GOOGLE_DRIVE, DROPBOX]): FakeApi {
  const listeners = new Map<EventName, Set<(payload: never) => void>>()
  let nextRun = 1
  return {
    listProviders: vi.fn<SkwirlApi['listProviders']>(async () => providers.map(summary)),
    getProvider: vi.fn<SkwirlApi['getProvider']>(async (id) => {
      const provider = providers.find((candidate) => candidate.id === id)
      if (!provider) throw new Error(`No provider ${id}`)
      return provider
    }),
    execute: vi.fn<SkwirlApi['execute']>(async () => ({ runId: `run-${nextRun++}` })),
    listRuns: vi.fn<SkwirlApi['listRuns']>(async () => []),
    on(event, listener) {
      const set = listeners.get(event) ?? new Set()
      listeners.set(event, set)
      set.add(listener)
      return () => {
        set.delete(listener)
      }
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) {
        ;(listener as (payload: SkwirlEvents[typeof event]) => void)(payload)
      }
    },
  }
}

/** A promise the test settles by hand, to look at the screen while a call is in flight. */
export function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}
