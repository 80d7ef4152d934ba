// Schedules: their storage, the scheduler that runs what is due (its clock passed in), each
// provider's backup status, and what a notification says about a scheduled run.
export { backupOverview } from './backup-status'
export { systemClock, type Clock } from './clock'
export { noticeFor } from './notices'
export { ScheduleStore, type StoredSchedule } from './schedule-store'
export {
  RECHECK_MS,
  Scheduler,
  type ScheduledRunHost,
  type SchedulerOptions,
  type SlotOutcome,
} from './scheduler'
