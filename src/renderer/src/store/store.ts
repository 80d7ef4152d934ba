// One zustand store built from slices (lobe-chat style): components call actions, actions call api.
import { createStore, type StoreApi } from 'zustand/vanilla'
import type { SkwirlBridge, Unsubscribe } from '../../../shared/api'
import { ALWAYS_OPEN, type ConnectionSource } from '../api/connection'
import { createConnectionSlice, type ConnectionAction } from './connection/action'
import { initialConnectionState, type ConnectionState } from './connection/initialState'
import { nativeProviderFiles, type ProviderFiles } from '../files/provider-files'
import { createDestinationsSlice, type DestinationsAction } from './destinations/action'
import { initialDestinationsState, type DestinationsState } from './destinations/initialState'
import { createEditorSlice, type EditorAction } from './editor/action'
import { createGallerySlice, type GalleryAction } from './gallery/action'
import { initialGalleryState, type GalleryState } from './gallery/initialState'
import { createHistorySlice, type HistoryAction } from './history/action'
import { initialHistoryState, type HistoryState } from './history/initialState'
import { initialEditorState, type EditorState } from './editor/initialState'
import { createProvidersSlice, type ProvidersAction } from './providers/action'
import { initialProvidersState, type ProvidersState } from './providers/initialState'
import { createRunsSlice, type RunsAction } from './runs/action'
import { initialRunsState, type RunsState } from './runs/initialState'
import { createSchedulesSlice, type SchedulesAction } from './schedules/action'
import { initialSchedulesState, type SchedulesState } from './schedules/initialState'
import {
  createProviderSettingsSlice,
  type ProviderSettingsAction,
} from './provider-settings/action'
import {
  initialProviderSettingsState,
  type ProviderSettingsState,
} from './provider-settings/initialState'
import { createSettingsSlice, type SettingsAction } from './settings/action'
import { initialSettingsState, type SettingsState } from './settings/initialState'

export type SkwirlState = ProvidersState &
  EditorState &
  RunsState &
  HistoryState &
  ConnectionState &
  SchedulesState &
  SettingsState &
  DestinationsState &
  ProviderSettingsState &
  GalleryState

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
  SchedulesAction &
  ProviderSettingsAction &
  SettingsAction &
  DestinationsAction &
  GalleryAction &
  LifecycleAction

export type SkwirlStoreApi = StoreApi<SkwirlStore>

export const initialState: SkwirlState = {
  ...initialProvidersState,
  ...initialEditorState,
  ...initialRunsState,
  ...initialHistoryState,
  ...initialConnectionState,
  ...initialSchedulesState,
  ...initialProviderSettingsState,
  ...initialSettingsState,
  ...initialDestinationsState,
  ...initialGalleryState,
}

export interface StoreOptions {
  /** How .lua files come in and go out (system dialogs in the desktop app, by default). */
  files?: ProviderFiles
  /** How long typing pauses before the editor's code is checked. */
  checkDelayMs?: number
  /** The log file: opened by the system (desktop, the default) or its path shown (browser). */
  logFile?: 'open' | 'show'
  /**
   * Where this page runs: the desktop app (a tray, login items, system notifications) or a
   * browser (notices about scheduled runs shown in the page).
   */
  mode?: 'desktop' | 'browser'
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
    appMode: options.mode ?? 'desktop',
    ...createProvidersSlice(api, files)(set, get, store),
    ...createEditorSlice(api, { checkDelayMs })(set, get, store),
    ...createRunsSlice(api)(set, get, store),
    ...createHistorySlice(api, options.logFile ?? 'open')(set, get, store),
    ...createConnectionSlice(set, get, store),
    ...createSchedulesSlice(api)(set, get, store),
    ...createProviderSettingsSlice(api)(set, get, store),
    ...createSettingsSlice(api)(set, get, store),
    ...createDestinationsSlice(api, options.mode === 'browser' ? 'browser' : 'native')(
      set,
      get,
      store,
    ),
    ...createGallerySlice(api)(set, get, store),

    start() {
      get().setConnection(connection.status)
      const stopConnection = connection.subscribe((status) => get().setConnection(status))
      const stopRuns = api.on('run:update', (run) => get().receiveRun(run))
      const stopProviders = api.on('providers:changed', () => {
        void get().refreshProviders()
        void get().loadBackupStatus()
        void get().loadProviderOptions()
      })
      const stopChecks = api.on('backup-check:update', (check) => get().receiveBackupCheck(check))
      const stopStatus = api.on('backup-status:changed', () => void get().loadBackupStatus())
      const stopSettings = api.on('settings:changed', (settings) => get().receiveSettings(settings))
      // The desktop shows a system notification instead; a browser has only the page.
      const stopNotices =
        options.mode === 'browser'
          ? api.on('run:notice', (notice) => get().receiveRunNotice(notice))
          : () => undefined
      const stopProviderSettings = api.on('provider-settings:changed', ({ providerId }) =>
        get().providerSettingsChanged(providerId),
      )
      const stopSignIn = api.on('sign-in:finished', (event) => get().signInFinished(event))
      void get().loadProviders()
      void get().loadRuns()
      void get().loadBackupStatus()
      void get().loadProviderOptions()
      const stopOpened = api.on('providers:files-opened', () => void get().openWaitingFiles())
      // A .lua file that launched the app waits for the page.
      void get().openWaitingFiles()
      return () => {
        stopConnection()
        stopRuns()
        stopProviders()
        stopStatus()
        stopSettings()
        stopNotices()
        stopChecks()
        stopOpened()
        stopProviderSettings()
        stopSignIn()
      }
    },
  }))
}
