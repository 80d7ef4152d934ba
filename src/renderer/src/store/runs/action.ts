import type { StateCreator } from 'zustand/vanilla'
import type { ExecuteOptions, RunState, SkwirlApi } from '../../../../shared/api'
import { errorMessage } from '../error-message'
import { historyWithRun } from '../history/action'
import type { SkwirlStore } from '../store'

export const EXECUTE_ERROR_MS = 6_000
/** How often cards showing another Skwirl process's run ask main again (no events come for it). */
export const FOREIGN_RUN_REFRESH_MS = 5_000

export interface RunsAction {
  loadRuns(): Promise<void>
  /** Takes a run state from main (listRuns or a run:update event). */
  receiveRun(run: RunState): void
  execute(providerId: string, options?: ExecuteOptions): Promise<void>
  dismissExecuteError(providerId: string): void
  /** Stop: main kills the run's runner and records it cancelled. */
  stopRun(runId: string): Promise<void>
}

/** Which of two states of a provider's runs the card should show. */
export function newerRun(current: RunState | undefined, incoming: RunState): RunState {
  if (!current) return incoming
  if (current.runId !== incoming.runId) {
    return Date.parse(incoming.startedAt) >= Date.parse(current.startedAt) ? incoming : current
  }
  // Same run: events and listRuns can arrive out of order, and a run only moves forward.
  if (current.status !== 'running' && incoming.status === 'running') return current
  if (current.status === 'running' && incoming.status !== 'running') return incoming
  return progressOf(incoming) >= progressOf(current) ? incoming : current
}

/** A run that is a backup: completed (perhaps with some files failed), into a destination. */
export function isBackup(run: RunState): boolean {
  return run.status === 'completed' && run.destination !== null
}

function progressOf(run: RunState): number {
  return run.listed + run.downloaded + run.unchanged + run.skipped + run.failed
}

export const createRunsSlice = (api: SkwirlApi): StateCreator<SkwirlStore, [], [], RunsAction> => {
  const errorTimers = new Map<string, ReturnType<typeof setTimeout>>()
  let foreignRefresh: ReturnType<typeof setTimeout> | null = null

  return (set, get) => {
    /** A run the CLI (or another window) is running sends this window no events: ask now and then. */
    const watchForeignRuns = (): void => {
      if (foreignRefresh !== null) return
      const foreign = Object.values(get().latestRuns).some(
        (run) => run.status === 'running' && run.live === null,
      )
      if (!foreign) return
      foreignRefresh = setTimeout(() => {
        foreignRefresh = null
        void get().loadRuns()
      }, FOREIGN_RUN_REFRESH_MS)
    }

    return {
      async loadRuns() {
        let runs: RunState[]
        try {
          runs = await api.listRuns()
        } catch (error) {
          // Run states are a courtesy: the cards still work without them, and events keep coming.
          console.warn('Skwirl: could not load runs', error)
          return
        }
        set((state) => {
          const latestRuns = { ...state.latestRuns }
          const lastBackups = { ...state.lastBackups }
          for (const run of runs) {
            latestRuns[run.providerId] = newerRun(latestRuns[run.providerId], run)
            if (isBackup(run))
              lastBackups[run.providerId] = newerRun(lastBackups[run.providerId], run)
          }
          return { latestRuns, lastBackups }
        })
        watchForeignRuns()
      },

      receiveRun(run) {
        set((state) => {
          const current = state.latestRuns[run.providerId]
          const next = newerRun(current, run)
          const history = historyWithRun(state, run)
          const ended = run.status !== 'running' && run.runId in state.stopping
          const backup = state.lastBackups[run.providerId]
          const nextBackup = isBackup(run) ? newerRun(backup, run) : backup
          if (next === current && !history && !ended && nextBackup === backup) return state
          const changes: Partial<SkwirlStore> = { ...history }
          if (next !== current) changes.latestRuns = { ...state.latestRuns, [run.providerId]: next }
          if (nextBackup !== backup && nextBackup) {
            changes.lastBackups = { ...state.lastBackups, [run.providerId]: nextBackup }
          }
          if (ended) {
            const stopping = { ...state.stopping }
            delete stopping[run.runId]
            changes.stopping = stopping
          }
          return changes
        })
        watchForeignRuns()
      },

      async stopRun(runId) {
        if (runId in get().stopping) return
        set((state) => ({ stopping: { ...state.stopping, [runId]: true } }))
        try {
          await api.cancelRun(runId)
        } catch (error) {
          set((state) => {
            const stopping = { ...state.stopping }
            delete stopping[runId]
            return { stopping }
          })
          get().showNotice(`Couldn’t stop the run: ${errorMessage(error)}`, 'error')
        }
      },

      async execute(providerId, options) {
        get().dismissExecuteError(providerId)
        try {
          await (options ? api.execute(providerId, options) : api.execute(providerId))
        } catch (error) {
          set((state) => ({
            executeErrors: { ...state.executeErrors, [providerId]: errorMessage(error) },
          }))
          const earlier = errorTimers.get(providerId)
          if (earlier !== undefined) clearTimeout(earlier)
          errorTimers.set(
            providerId,
            setTimeout(() => get().dismissExecuteError(providerId), EXECUTE_ERROR_MS),
          )
        }
      },

      dismissExecuteError(providerId) {
        const timer = errorTimers.get(providerId)
        if (timer !== undefined) clearTimeout(timer)
        errorTimers.delete(providerId)
        if (!(providerId in get().executeErrors)) return
        set((state) => {
          const executeErrors = { ...state.executeErrors }
          delete executeErrors[providerId]
          return { executeErrors }
        })
      },
    }
  }
}
