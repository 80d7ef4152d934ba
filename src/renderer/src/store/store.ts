// One zustand store built from slices (lobe-chat style): components call actions, actions call api.
import { createStore, type StoreApi } from 'zustand/vanilla'
import type { SkwirlBridge, Unsubscribe } from '../../../shared/api'
import { ALWAYS_OPEN, type ConnectionSource } from '../api/connection'
import { createConnectionSlice, type ConnectionAction } from './connection/action'
import { initialConnectionState, type ConnectionState } from './connection/initialState'
import { createProvidersSlice, type ProvidersAction } from './providers/action'
import { initialProvidersState, type ProvidersState } from './providers/initialState'
import { createRunsSlice, type RunsAction } from './runs/action'
import { initialRunsState, type RunsState } from './runs/initialState'

export type SkwirlState = ProvidersState & RunsState & ConnectionState

interface LifecycleAction {
  /** Loads providers and runs and listens to main; returns the way to stop listening. */
  start(): Unsubscribe
}

export type SkwirlStore = SkwirlState &
  ProvidersAction &
  RunsAction &
  ConnectionAction &
  LifecycleAction

export type SkwirlStoreApi = StoreApi<SkwirlStore>

export const initialState: SkwirlState = {
  ...initialProvidersState,
  ...initialRunsState,
  ...initialConnectionState,
}

export function createSkwirlStore(
  api: SkwirlBridge,
  connection: ConnectionSource = ALWAYS_OPEN,
): SkwirlStoreApi {
  return createStore<SkwirlStore>()((set, get, store) => ({
    ...initialState,
    ...createProvidersSlice(api)(set, get, store),
    ...createRunsSlice(api)(set, get, store),
    ...createConnectionSlice(set, get, store),

    start() {
      get().setConnection(connection.status)
      const stopConnection = connection.subscribe((status) => get().setConnection(status))
      const stopRuns = api.on('run:update', (run) => get().receiveRun(run))
      void get().loadProviders()
      void get().loadRuns()
      return () => {
        stopConnection()
        stopRuns()
      }
    },
  }))
}
