import type { RunState } from '../../../../shared/api'
import type { SkwirlStore } from '../store'

const NO_RUNS: readonly RunState[] = []

export const runsSelectors = {
  latestRun:
    (providerId: string) =>
    (s: SkwirlStore): RunState | null =>
      s.latestRuns[providerId] ?? null,
  lastBackup:
    (providerId: string) =>
    (s: SkwirlStore): RunState | null =>
      s.lastBackups[providerId] ?? null,
  /** The provider's runs going on now, newest first (the same array until they change). */
  runningRuns:
    (providerId: string) =>
    (s: SkwirlStore): readonly RunState[] =>
      s.runningRuns[providerId] ?? NO_RUNS,
  isStopping:
    (runId: string | null) =>
    (s: SkwirlStore): boolean =>
      runId !== null && runId in s.stopping,
  executeError:
    (providerId: string) =>
    (s: SkwirlStore): string | null =>
      s.executeErrors[providerId] ?? null,
}
