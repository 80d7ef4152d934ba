import type { RunState } from '../../../../shared/api'

export interface RunsState {
  /** The newest run of each provider, by providerId. */
  latestRuns: Record<string, RunState>
  /** Each provider's newest backup (a completed run into a destination), by providerId. */
  lastBackups: Record<string, RunState>
  /**
   * Every run going on now, by providerId, newest first (Execute twice runs twice). An entry is
   * replaced only when its runs change, so a card can select it as it is.
   */
  runningRuns: Record<string, RunState[]>
  /** Why the last Execute click on a card could not start a run, shown for a few seconds. */
  executeErrors: Record<string, string>
  /** Runs whose Stop was pressed, until main says they have ended. */
  stopping: Record<string, true>
}

export const initialRunsState: RunsState = {
  latestRuns: {},
  lastBackups: {},
  runningRuns: {},
  executeErrors: {},
  stopping: {},
}
