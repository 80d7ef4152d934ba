import type {
  LogFileInfo,
  LogLevel,
  RunFile,
  RunFileFilter,
  RunLogPage,
  RunState,
} from '../../../../shared/api'

/** What the run's page shows under its figures: its files, its failed files, or its log. */
export type HistoryTab = RunFileFilter | 'log'

/** The log of the run open in the history: what is asked for, and the page main answered. */
export interface RunLogView {
  runId: string
  levels: LogLevel[]
  search: string
  fileId: string | null
  offset: number
  page: RunLogPage | null
  loading: boolean
  error: string | null
}

/** The levels the log shows at first: all but debug (each host call that failed, and such). */
export const DEFAULT_LOG_LEVELS: LogLevel[] = ['error', 'warn', 'info']

/** The files of the run open in the history, fetched a page at a time as they scroll into view. */
export interface RunFilesView {
  runId: string
  filter: RunFileFilter
  /** How many files the filter matches (null until the first page answers). */
  total: number | null
  /** False when the run's file list was let go to save space. */
  kept: boolean
  /** Pages by index (RUN_FILES_PAGE files each). */
  pages: Record<number, RunFile[]>
  /** Pages on their way. */
  loading: Record<number, true>
  error: string | null
}

export interface HistoryState {
  /** The provider whose history is open, or null when it is closed. */
  historyProviderId: string | null
  historyStatus: 'loading' | 'ready' | 'error'
  historyError: string | null
  /** Its runs, newest first. */
  historyRuns: RunState[]
  selectedRunId: string | null
  runFiles: RunFilesView | null
  historyTab: HistoryTab
  runLog: RunLogView | null
  /** Where the log is, once asked in browser mode (the desktop app opens it instead). */
  logFile: LogFileInfo | null
}

export const initialHistoryState: HistoryState = {
  historyProviderId: null,
  historyStatus: 'loading',
  historyError: null,
  historyRuns: [],
  selectedRunId: null,
  runFiles: null,
  historyTab: 'all',
  runLog: null,
  logFile: null,
}
