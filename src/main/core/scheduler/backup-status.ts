import type { BackupOverview, BackupStatus } from '../../../shared/api'
import { isBackupOverdue, SCHEDULE_OFF } from '../../../shared/schedule'
import type { RunStore } from '../run-store'
import type { Clock } from './clock'
import type { Scheduler } from './scheduler'

/** Each provider's schedule, next run and last good backup, as the cards and the CLI show them. */
export function backupOverview(options: {
  providerIds: readonly string[]
  scheduler: Scheduler
  runRecords: RunStore
  clock: Clock
}): BackupOverview {
  const { scheduler, runRecords, clock } = options
  const now = clock.now()
  const { timeZone, hourMs } = scheduler.scheduleClock
  const lastGood = runRecords.lastGoodPerProvider()
  const scheduled = new Map(scheduler.upcoming().map((entry) => [entry.stored.providerId, entry]))
  const providers = options.providerIds.map((providerId): BackupStatus => {
    const entry = scheduled.get(providerId)
    const lastGoodBackupAt = lastGood.get(providerId) ?? null
    const schedule = entry?.stored.schedule ?? SCHEDULE_OFF
    return {
      providerId,
      schedule,
      nextRunAt: entry ? new Date(entry.nextRunAt).toISOString() : null,
      lastGoodBackupAt,
      overdue: isBackupOverdue({
        schedule,
        lastGoodAt: lastGoodBackupAt === null ? null : Date.parse(lastGoodBackupAt),
        scheduledSince: entry?.stored.since ?? null,
        now,
        hourMs,
      }),
    }
  })
  return { timeZone, hourMs, providers }
}
