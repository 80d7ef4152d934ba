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

const byNewest = (a: RunState, b: RunState): number =>
  a.startedAt === b.startedAt ? 0 : a.startedAt < b.startedAt ? 1 : -1

/** A provider's running runs with one run's new state: kept while it runs, dropped once it ends. */
export function withRunningRun(runs: readonly RunState[], run: RunState): readonly RunState[] {
  const index = runs.findIndex((known) => known.runId === run.runId)
  const known = index === -1 ? undefined : runs[index]
  const next = known ? newerRun(known, run) : run
  if (known === next) return runs
  if (next.status !== 'running') {
    return index === -1 ? runs : runs.filter((_, i) => i !== index)
  }
  const updated = index === -1 ? [...runs, next] : runs.map((r, i) => (i === index ? next : r))
  return updated.sort(byNewest)
}

/** Running runs by provider from a listRuns answer (which names every run going on now). */
function runningFromAnswer(
  current: Record<string, RunState[]>,
  answer: RunState[],
): Record<string, RunState[]> {
  const next: Record<string, RunState[]> = {}
  for (const run of answer) {
    if (run.status !== 'running') continue
    const known = current[run.providerId]?.find((r) => r.runId === run.runId)
    ;(next[run.providerId] ??= []).push(known ? newerRun(known, run) : run)
  }
  for (const runs of Object.values(next)) runs.sort(byNewest)
  // Unchanged lists keep their identity, so their cards do not render again.
  for (const [providerId, runs] of Object.entries(next)) {
    const before = current[providerId]
    if (before && before.length === runs.length && before.every((r, i) => r === runs[i])) {
      next[providerId] = before
    }
  }
  return next
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
          return {
            latestRuns,
            lastBackups,
            runningRuns: runningFromAnswer(state.runningRuns, runs),
          }
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
          const running = state.runningRuns[run.providerId] ?? []
          const nextRunning = withRunningRun(running, run)
          if (
            next === current &&
            !history &&
            !ended &&
            nextBackup === backup &&
            nextRunning === running
          )
            return state
          const changes: Partial<SkwirlStore> = { ...history }
          if (next !== current) changes.latestRuns = { ...state.latestRuns, [run.providerId]: next }
          if (nextRunning !== running) {
            const runningRuns = { ...state.runningRuns, [run.providerId]: [...nextRunning] }
            if (nextRunning.length === 0) delete runningRuns[run.providerId]
            changes.runningRuns = runningRuns
          }
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
        get().followRunLog(run)
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
