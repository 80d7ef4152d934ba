import type { RunState } from '../../../../shared/api'
import type { SkwirlStore } from '../store'

export const runsSelectors = {
  latestRun:
    (providerId: string) =>
    (s: SkwirlStore): RunState | null =>
      s.latestRuns[providerId] ?? null,
  lastBackup:
    (providerId: string) =>
    (s: SkwirlStore): RunState | null =>
      s.lastBackups[providerId] ?? null,
  isStopping:
    (runId: string | null) =>
    (s: SkwirlStore): boolean =>
      runId !== null && runId in s.stopping,
  executeError:
    (providerId: string) =>
    (s: SkwirlStore): string | null =>
      s.executeErrors[providerId] ?? null,
}
