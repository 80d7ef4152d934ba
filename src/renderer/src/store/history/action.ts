import type { StateCreator } from 'zustand/vanilla'
import type { RunFileFilter, RunState, SkwirlApi } from '../../../../shared/api'
import { errorMessage } from '../error-message'
import type { SkwirlStore } from '../store'
import {
  DEFAULT_LOG_LEVELS,
  type HistoryTab,
  type RunFilesView,
  type RunLogView,
} from './initialState'

/** Files per request: a few screens of rows. */
export const RUN_FILES_PAGE = 200
/** Log lines per page. */
export const RUN_LOG_PAGE = 200
/** A running run's log, when its last page is on screen, is asked for again at most this often. */
export const RUN_LOG_FOLLOW_MS = 1_000

export interface OpenHistoryOptions {
  /** The run to show (the newest by default). */
  runId?: string
  tab?: HistoryTab
  /** With tab 'log': only this file's lines. */
  fileId?: string | null
}

export interface HistoryAction {
  /** Opens a provider's history and shows its newest run (or the one asked for). */
  openHistory(providerId: string, options?: OpenHistoryOptions): Promise<void>
  closeHistory(): void
  /** Asks main again for the open history's runs (after a reconnect), keeping the run shown. */
  reloadHistory(): Promise<void>
  /** Shows a run's files (from the first). */
  selectRun(runId: string): void
  setRunFilesFilter(filter: RunFileFilter): void
  /** Shows the run's files, its failed files, or its log. */
  setHistoryTab(tab: HistoryTab): void
  /** The run's log, filtered: levels, text, one file (each goes back to the first page). */
  setRunLogFilter(filter: Partial<Pick<RunLogView, 'levels' | 'search' | 'fileId'>>): void
  /** Another page of the run's log. */
  setRunLogOffset(offset: number): void
  /** The log lines of one file of the run on screen (from its row in the file list). */
  showFileLog(fileId: string): void
  /** A run's new state arrived: a log on screen at its end is asked for again. */
  followRunLog(run: RunState): void
  /** Fetches the pages that hold files first…last (positions in the filtered list). */
  needRunFiles(first: number, last: number): void
  /** Opens the log file (desktop) or finds out where it is (browser mode). */
  showLogFile(): Promise<void>
  dismissLogFile(): void
}

/** What the history does with a run state that arrives (an event, or a card's run). */
export function historyWithRun(s: SkwirlStore, run: RunState): Partial<SkwirlStore> | null {
  if (s.historyProviderId !== run.providerId || s.historyStatus !== 'ready') return null
  const index = s.historyRuns.findIndex((known) => known.runId === run.runId)
  const historyRuns =
    index === -1
      ? [run, ...s.historyRuns]
      : s.historyRuns.map((known, i) => (i === index ? run : known))
  const next: Partial<SkwirlStore> = { historyRuns }
  if (s.historyRuns.length === 0 && s.selectedRunId === null) {
    next.selectedRunId = run.runId
    next.runFiles = emptyView(run.runId, 'all')
  } else if (s.runFiles && s.runFiles.runId === run.runId) {
    next.runFiles = grownView(s.runFiles, run)
  }
  return next
}

function logView(runId: string, fields: Partial<RunLogView> = {}): RunLogView {
  return {
    runId,
    levels: DEFAULT_LOG_LEVELS,
    search: '',
    fileId: null,
    offset: 0,
    page: null,
    loading: false,
    error: null,
    ...fields,
  }
}

function emptyView(runId: string, filter: RunFileFilter): RunFilesView {
  return { runId, filter, total: null, kept: true, pages: {}, loading: {}, error: null }
}

/** A running run has more files now: the last page it had is partial, so it is fetched again. */
function grownView(view: RunFilesView, run: RunState): RunFilesView {
  const total =
    view.filter === 'failed'
      ? run.failed
      : view.filter === 'skipped'
        ? run.skipped
        : run.downloaded + run.unchanged + run.skipped + run.failed
  if (view.total === null || total === view.total || !view.kept) return view
  const partial = Math.floor(view.total / RUN_FILES_PAGE)
  const pages = Object.fromEntries(
    Object.entries(view.pages).filter(([page]) => Number(page) < partial),
  )
  return { ...view, total, pages }
}

export const createHistorySlice =
  (
    api: SkwirlApi,
    logFileAction: 'open' | 'show',
  ): StateCreator<SkwirlStore, [], [], HistoryAction> =>
  (set, get) => {
    /** Whether the view an answer is for is still the one on screen. */
    const sameView = (view: RunFilesView): boolean => {
      const now = get().runFiles
      return now !== null && now.runId === view.runId && now.filter === view.filter
    }

    async function loadPage(view: RunFilesView, page: number): Promise<void> {
      set((s) =>
        s.runFiles && sameView(view)
          ? { runFiles: { ...s.runFiles, loading: { ...s.runFiles.loading, [page]: true } } }
          : {},
      )
      try {
        const answer = await api.listRunFiles({
          runId: view.runId,
          filter: view.filter,
          offset: page * RUN_FILES_PAGE,
          limit: RUN_FILES_PAGE,
        })
        set((s) => {
          if (!s.runFiles || !sameView(view)) return {}
          const loading = { ...s.runFiles.loading }
          delete loading[page]
          return {
            runFiles: {
              ...s.runFiles,
              total: answer.total,
              kept: answer.kept,
              pages: { ...s.runFiles.pages, [page]: answer.files },
              loading,
              error: null,
            },
          }
        })
      } catch (error) {
        set((s) => {
          if (!s.runFiles || !sameView(view)) return {}
          const loading = { ...s.runFiles.loading }
          delete loading[page]
          return { runFiles: { ...s.runFiles, loading, error: errorMessage(error) } }
        })
      }
    }

    let logAsked = 0
    /** Asks main for the log page the view on screen wants; answers for another view are dropped. */
    async function loadLog(): Promise<void> {
      const view = get().runLog
      if (!view) return
      const asked = ++logAsked
      set({ runLog: { ...view, loading: true } })
      try {
        const page = await api.listRunLog({
          runId: view.runId,
          levels: view.levels,
          search: view.search,
          fileId: view.fileId,
          offset: view.offset,
          limit: RUN_LOG_PAGE,
        })
        if (asked !== logAsked || !get().runLog) return
        set((s) => (s.runLog ? { runLog: { ...s.runLog, page, loading: false, error: null } } : {}))
      } catch (error) {
        if (asked !== logAsked) return
        set((s) =>
          s.runLog ? { runLog: { ...s.runLog, loading: false, error: errorMessage(error) } } : {},
        )
      }
    }
    let lastFollow = 0
    let followTimer: ReturnType<typeof setTimeout> | null = null
    /** A running run's log grows: when its end is on screen, ask again (at most once a second). */
    function followLog(run: RunState): void {
      const view = get().runLog
      if (!view || view.runId !== run.runId || get().historyTab !== 'log' || followTimer) return
      const page = view.page
      if (page && page.offset + page.lines.length < page.total) return
      const wait = Math.max(0, lastFollow + RUN_LOG_FOLLOW_MS - Date.now())
      followTimer = setTimeout(() => {
        followTimer = null
        lastFollow = Date.now()
        void loadLog()
      }, wait)
    }

    return {
      async openHistory(providerId, options = {}) {
        set({
          historyProviderId: providerId,
          historyStatus: 'loading',
          historyError: null,
          historyRuns: [],
          selectedRunId: null,
          runFiles: null,
          runLog: null,
          historyTab: options.tab ?? 'all',
        })
        let runs: RunState[]
        try {
          runs = await api.listProviderRuns(providerId)
        } catch (error) {
          if (get().historyProviderId === providerId) {
            set({ historyStatus: 'error', historyError: errorMessage(error) })
          }
          return
        }
        if (get().historyProviderId !== providerId) return
        // The card may know a newer state of a run than the answer (events kept coming).
        const latest = get().latestRuns[providerId]
        const merged = runs.map((run) => (latest && latest.runId === run.runId ? latest : run))
        set({ historyStatus: 'ready', historyRuns: merged })
        const shown = merged.find((run) => run.runId === options.runId) ?? merged[0]
        if (!shown) return
        get().selectRun(shown.runId)
        if (options.tab === 'log' && options.fileId) {
          get().setRunLogFilter({
            fileId: options.fileId,
            levels: ['error', 'warn', 'info', 'debug'],
          })
        }
      },

      setHistoryTab(tab) {
        if (tab !== 'log') {
          set({ historyTab: tab })
          get().setRunFilesFilter(tab)
          return
        }
        const runId = get().selectedRunId
        set({ historyTab: 'log' })
        if (!runId) return
        if (get().runLog?.runId !== runId) set({ runLog: logView(runId) })
        void loadLog()
      },

      showFileLog(fileId) {
        const runId = get().selectedRunId
        if (!runId) return
        set({
          historyTab: 'log',
          runLog: logView(runId, { fileId, levels: ['error', 'warn', 'info', 'debug'] }),
        })
        void loadLog()
      },

      setRunLogFilter(filter) {
        const view = get().runLog
        if (!view) return
        set({ runLog: { ...view, ...filter, offset: 0 } })
        void loadLog()
      },

      setRunLogOffset(offset) {
        const view = get().runLog
        if (!view || view.offset === offset) return
        set({ runLog: { ...view, offset: Math.max(0, offset) } })
        void loadLog()
      },

      async reloadHistory() {
        const providerId = get().historyProviderId
        if (providerId === null) return
        let runs: RunState[]
        try {
          runs = await api.listProviderRuns(providerId)
        } catch {
          return // Still out of reach: the next reconnect asks again.
        }
        if (get().historyProviderId !== providerId) return
        set({ historyStatus: 'ready', historyError: null, historyRuns: runs })
        const selected = get().selectedRunId
        if (selected === null || !runs.some((run) => run.runId === selected)) {
          const newest = runs[0]
          if (newest) get().selectRun(newest.runId)
          return
        }
        set({ runFiles: emptyView(selected, get().runFiles?.filter ?? 'all') })
        get().needRunFiles(0, 0)
        if (get().runLog) void loadLog()
      },

      followRunLog: followLog,

      closeHistory() {
        set({
          historyProviderId: null,
          historyRuns: [],
          selectedRunId: null,
          runFiles: null,
          runLog: null,
          logFile: null,
        })
      },

      selectRun(runId) {
        const tab = get().historyTab
        if (get().selectedRunId === runId && (tab === 'log' || get().runFiles?.filter === tab)) {
          return
        }
        const filter = tab === 'log' ? 'all' : tab
        set({ selectedRunId: runId, runFiles: emptyView(runId, filter) })
        get().needRunFiles(0, 0)
        if (tab === 'log') {
          set({ runLog: logView(runId) })
          void loadLog()
        }
      },

      setRunFilesFilter(filter) {
        const runId = get().selectedRunId
        if (!runId || get().runFiles?.filter === filter) return
        set({ runFiles: emptyView(runId, filter) })
        get().needRunFiles(0, 0)
      },

      needRunFiles(first, last) {
        const view = get().runFiles
        if (!view || !view.kept) return
        const lastPage = Math.floor(Math.max(first, last) / RUN_FILES_PAGE)
        for (let page = Math.floor(Math.max(0, first) / RUN_FILES_PAGE); page <= lastPage; page++) {
          if (view.pages[page] || view.loading[page]) continue
          if (view.total !== null && page * RUN_FILES_PAGE >= view.total && page > 0) break
          void loadPage(get().runFiles ?? view, page)
        }
      },

      async showLogFile() {
        try {
          const info = await api.openLogFile()
          if (info.opened) return
          if (logFileAction === 'open') {
            get().showNotice(`Couldn’t open the log. It is at ${info.path}`, 'error')
          }
          set({ logFile: info })
        } catch (error) {
          get().showNotice(`Couldn’t find the log: ${errorMessage(error)}`, 'error')
        }
      },

      dismissLogFile() {
        set({ logFile: null })
      },
    }
  }
