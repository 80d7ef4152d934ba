import type { RunState } from '../../../../shared/api'

export interface RunsState {
  /** The newest run of each provider, by providerId. */
  latestRuns: Record<string, RunState>
  /** Each provider's newest backup (a completed run into a destination), by providerId. */
  lastBackups: Record<string, RunState>
  /** Why the last Execute click on a card could not start a run, shown for a few seconds. */
  executeErrors: Record<string, string>
  /** Runs whose Stop was pressed, until main says they have ended. */
  stopping: Record<string, true>
}

export const initialRunsState: RunsState = {
  latestRuns: {},
  lastBackups: {},
  executeErrors: {},
  stopping: {},
}
