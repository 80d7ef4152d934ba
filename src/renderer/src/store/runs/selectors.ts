import type { RunState } from '../../../../shared/api'
import type { SkwirlStore } from '../store'

export const runsSelectors = {
  latestRun:
    (providerId: string) =>
    (s: SkwirlStore): RunState | null =>
      s.latestRuns[providerId] ?? null,
  executeError:
    (providerId: string) =>
    (s: SkwirlStore): string | null =>
      s.executeErrors[providerId] ?? null,
}
