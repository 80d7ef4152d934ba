import type { StateCreator } from 'zustand/vanilla'
import type { RunState, SkwirlApi } from '../../../../shared/api'
import { errorMessage } from '../error-message'
import type { SkwirlStore } from '../store'

export const EXECUTE_ERROR_MS = 6_000

export interface RunsAction {
  loadRuns(): Promise<void>
  /** Takes a run state from main (listRuns or a run:update event). */
  receiveRun(run: RunState): void
  execute(providerId: string): Promise<void>
  dismissExecuteError(providerId: string): void
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

function progressOf(run: RunState): number {
  return run.listed + run.downloaded + run.failed
}

export const createRunsSlice = (api: SkwirlApi): StateCreator<SkwirlStore, [], [], RunsAction> => {
  const errorTimers = new Map<string, ReturnType<typeof setTimeout>>()

  return (set, get) => ({
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
        for (const run of runs)
          latestRuns[run.providerId] = newerRun(latestRuns[run.providerId], run)
        return { latestRuns }
      })
    },

    receiveRun(run) {
      set((state) => {
        const current = state.latestRuns[run.providerId]
        const next = newerRun(current, run)
        if (next === current) return state
        return { latestRuns: { ...state.latestRuns, [run.providerId]: next } }
      })
    },

    async execute(providerId) {
      get().dismissExecuteError(providerId)
      try {
        await api.execute(providerId)
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
  })
}
