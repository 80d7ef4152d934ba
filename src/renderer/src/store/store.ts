// One zustand store built from slices (lobe-chat style): components call actions, actions call api.
import { createStore, type StoreApi } from 'zustand/vanilla'
import type { SkwirlBridge, Unsubscribe } from '../../../shared/api'
import { ALWAYS_OPEN, type ConnectionSource } from '../api/connection'
import { createConnectionSlice, type ConnectionAction } from './connection/action'
import { initialConnectionState, type ConnectionState } from './connection/initialState'
import { nativeProviderFiles, type ProviderFiles } from '../files/provider-files'
import { createEditorSlice, type EditorAction } from './editor/action'
import { createHistorySlice, type HistoryAction } from './history/action'
import { initialHistoryState, type HistoryState } from './history/initialState'
import { initialEditorState, type EditorState } from './editor/initialState'
import { createProvidersSlice, type ProvidersAction } from './providers/action'
import { initialProvidersState, type ProvidersState } from './providers/initialState'
import { createRunsSlice, type RunsAction } from './runs/action'
import { initialRunsState, type RunsState } from './runs/initialState'

export type SkwirlState = ProvidersState & EditorState & RunsState & HistoryState & ConnectionState

interface LifecycleAction {
  /** Loads providers and runs and listens to main; returns the way to stop listening. */
  start(): Unsubscribe
}

export type SkwirlStore = SkwirlState &
  ProvidersAction &
  EditorAction &
  RunsAction &
  HistoryAction &
  ConnectionAction &
  LifecycleAction

export type SkwirlStoreApi = StoreApi<SkwirlStore>

export const initialState: SkwirlState = {
  ...initialProvidersState,
  ...initialEditorState,
  ...initialRunsState,
  ...initialHistoryState,
  ...initialConnectionState,
}

export interface StoreOptions {
  /** How .lua files come in and go out (system dialogs in the desktop app, by default). */
  files?: ProviderFiles
  /** How long typing pauses before the editor's code is checked. */
  checkDelayMs?: number
  /** The log file: opened by the system (desktop, the default) or its path shown (browser). */
  logFile?: 'open' | 'show'
}

/** Long enough not to check on every key, short enough to feel immediate. */
export const CHECK_DELAY_MS = 300

export function createSkwirlStore(
  api: SkwirlBridge,
  connection: ConnectionSource = ALWAYS_OPEN,
  options: StoreOptions = {},
): SkwirlStoreApi {
  const files = options.files ?? nativeProviderFiles(api)
  const checkDelayMs = options.checkDelayMs ?? CHECK_DELAY_MS
  return createStore<SkwirlStore>()((set, get, store) => ({
    ...initialState,
    ...createProvidersSlice(api, files)(set, get, store),
    ...createEditorSlice(api, { checkDelayMs })(set, get, store),
    ...createRunsSlice(api)(set, get, store),
    ...createHistorySlice(api, options.logFile ?? 'open')(set, get, store),
    ...createConnectionSlice(set, get, store),

    start() {
      get().setConnection(connection.status)
      const stopConnection = connection.subscribe((status) => get().setConnection(status))
      const stopRuns = api.on('run:update', (run) => get().receiveRun(run))
      const stopProviders = api.on('providers:changed', () => void get().refreshProviders())
      void get().loadProviders()
      void get().loadRuns()
      return () => {
        stopConnection()
        stopRuns()
        stopProviders()
      }
    },
  }))
}
