import type { BackupStatus } from '../../../../shared/api'
import type { SkwirlStore } from '../store'

export const schedulesSelectors = {
  statusOf:
    (providerId: string) =>
    (s: SkwirlStore): BackupStatus | null =>
      s.backupStatus[providerId] ?? null,
  timeZone: (s: SkwirlStore) => s.scheduleTimeZone,
  hourMs: (s: SkwirlStore) => s.scheduleHourMs,
  editorFor: (s: SkwirlStore) => s.scheduleEditorFor,
  saving: (s: SkwirlStore) => s.scheduleSaving,
  error: (s: SkwirlStore) => s.scheduleError,
  runNotices: (s: SkwirlStore) => s.runNotices,
}
