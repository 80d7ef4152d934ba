import type { RunState } from '../../../../shared/api'
import type { SkwirlStore } from '../store'

export const historySelectors = {
  providerId: (s: SkwirlStore) => s.historyProviderId,
  status: (s: SkwirlStore) => s.historyStatus,
  error: (s: SkwirlStore) => s.historyError,
  runs: (s: SkwirlStore) => s.historyRuns,
  selectedRunId: (s: SkwirlStore) => s.selectedRunId,
  selectedRun: (s: SkwirlStore): RunState | null =>
    s.historyRuns.find((run) => run.runId === s.selectedRunId) ?? null,
  runFiles: (s: SkwirlStore) => s.runFiles,
  tab: (s: SkwirlStore) => s.historyTab,
  runLog: (s: SkwirlStore) => s.runLog,
  logFile: (s: SkwirlStore) => s.logFile,
}
