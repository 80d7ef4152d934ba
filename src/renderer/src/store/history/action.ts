import type { StateCreator } from 'zustand/vanilla'
import type { RunFileFilter, RunState, SkwirlApi } from '../../../../shared/api'
import { errorMessage } from '../error-message'
import type { SkwirlStore } from '../store'
import type { RunFilesView } from './initialState'

/** Files per request: a few screens of rows. */
export const RUN_FILES_PAGE = 200

export interface HistoryAction {
  /** Opens a provider's history and shows its newest run. */
  openHistory(providerId: string): Promise<void>
  closeHistory(): void
  /** Shows a run's files (from the first). */
  selectRun(runId: string): void
  setRunFilesFilter(filter: RunFileFilter): void
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

    return {
      async openHistory(providerId) {
        set({
          historyProviderId: providerId,
          historyStatus: 'loading',
          historyError: null,
          historyRuns: [],
          selectedRunId: null,
          runFiles: null,
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
        const newest = merged[0]
        if (newest) get().selectRun(newest.runId)
      },

      closeHistory() {
        set({
          historyProviderId: null,
          historyRuns: [],
          selectedRunId: null,
          runFiles: null,
          logFile: null,
        })
      },

      selectRun(runId) {
        if (get().selectedRunId === runId && get().runFiles?.filter === 'all') return
        set({ selectedRunId: runId, runFiles: emptyView(runId, 'all') })
        get().needRunFiles(0, 0)
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
