import type { BackupStatus, RunNotice } from '../../../../shared/api'

export interface SchedulesState {
  /** Each provider's schedule, next run and last good backup, by provider id. */
  backupStatus: Record<string, BackupStatus>
  /** The zone daily and weekly schedules are kept in (main's, which in browser mode may differ). */
  scheduleTimeZone: string | null
  /** A schedule's hour in ms (shorter only under a test knob). */
  scheduleHourMs: number
  /** The provider whose schedule editor is open, or null. */
  scheduleEditorFor: string | null
  scheduleSaving: boolean
  scheduleError: string | null
  /** Browser mode: notices about scheduled runs, newest first, until dismissed. */
  runNotices: RunNotice[]
}

export const initialSchedulesState: SchedulesState = {
  backupStatus: {},
  scheduleTimeZone: null,
  scheduleHourMs: 3_600_000,
  scheduleEditorFor: null,
  scheduleSaving: false,
  scheduleError: null,
  runNotices: [],
}
