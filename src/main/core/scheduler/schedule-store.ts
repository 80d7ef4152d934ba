// Schedules in SQLite: one row per scheduled provider (no row: off), with when it was set and
// when a Skwirl process last took up a due run of it.
import type { Database, Statement } from 'better-sqlite3'
import { SCHEDULE_OFF, sameSchedule, type Schedule, type Weekday } from '../../../shared/schedule'

/** A provider's schedule as stored (never off: off is no row). */
export interface StoredSchedule {
  providerId: string
  schedule: Exclude<Schedule, { kind: 'off' }>
  /** When the schedule was set (ms). */
  since: number
  /** When a Skwirl process last took up a due run of it, started or skipped (ms); null: never. */
  lastSlot: number | null
}

interface ScheduleRow {
  provider_id: string
  kind: 'interval' | 'daily' | 'weekly'
  hours: number | null
  time: string | null
  weekday: number | null
  since: string
  last_slot: string | null
}

function toStored(row: ScheduleRow): StoredSchedule {
  let schedule: StoredSchedule['schedule']
  if (row.kind === 'interval') schedule = { kind: 'interval', hours: row.hours ?? 24 }
  else if (row.kind === 'daily') schedule = { kind: 'daily', time: row.time ?? '00:00' }
  else
    schedule = {
      kind: 'weekly',
      weekday: (row.weekday ?? 0) as Weekday,
      time: row.time ?? '00:00',
    }
  return {
    providerId: row.provider_id,
    schedule,
    since: Date.parse(row.since),
    lastSlot: row.last_slot === null ? null : Date.parse(row.last_slot),
  }
}

const iso = (ms: number): string => new Date(ms).toISOString()

export class ScheduleStore {
  private readonly selectAll: Statement
  private readonly selectOne: Statement
  private readonly upsert: Statement
  private readonly remove: Statement
  private readonly claimSlot: Statement

  constructor(private readonly db: Database) {
    this.selectAll = db.prepare('SELECT * FROM provider_schedules ORDER BY provider_id')
    this.selectOne = db.prepare('SELECT * FROM provider_schedules WHERE provider_id = ?')
    this.upsert = db.prepare(`
      INSERT INTO provider_schedules (provider_id, kind, hours, time, weekday, since, last_slot)
      VALUES (@providerId, @kind, @hours, @time, @weekday, @since, NULL)
      ON CONFLICT (provider_id) DO UPDATE SET kind = excluded.kind, hours = excluded.hours,
        time = excluded.time, weekday = excluded.weekday, since = excluded.since`)
    this.remove = db.prepare('DELETE FROM provider_schedules WHERE provider_id = ?')
    // Compare and set: of two processes that saw the same run due, one moves last_slot.
    this.claimSlot = db.prepare(`
      UPDATE provider_schedules SET last_slot = @at
      WHERE provider_id = @providerId AND since = @since AND last_slot IS @seen`)
  }

  /** Every scheduled provider. */
  all(): StoredSchedule[] {
    return (this.selectAll.all() as ScheduleRow[]).map(toStored)
  }

  find(providerId: string): StoredSchedule | null {
    const row = this.selectOne.get(providerId) as ScheduleRow | undefined
    return row ? toStored(row) : null
  }

  /** A provider's schedule, off when it has none. */
  get(providerId: string): Schedule {
    return this.find(providerId)?.schedule ?? SCHEDULE_OFF
  }

  /**
   * Sets a stored provider's schedule (valid: the caller checked it). Setting the schedule it
   * already has changes nothing; a new one counts from `now`. Answers whether anything changed.
   */
  set(providerId: string, schedule: Schedule, now: number): boolean {
    const current = this.find(providerId)
    if (schedule.kind === 'off') return this.remove.run(providerId).changes > 0
    if (current && sameSchedule(current.schedule, schedule)) return false
    this.upsert.run({
      providerId,
      kind: schedule.kind,
      hours: schedule.kind === 'interval' ? schedule.hours : null,
      time: schedule.kind === 'interval' ? null : schedule.time,
      weekday: schedule.kind === 'weekly' ? schedule.weekday : null,
      since: iso(now),
    })
    return true
  }

  /**
   * Takes up the due run of a schedule as it was read (`seen`): true for the one process whose
   * claim lands; false when another took it first, or the schedule changed meanwhile.
   */
  claim(seen: StoredSchedule, at: number): boolean {
    return (
      this.claimSlot.run({
        providerId: seen.providerId,
        since: iso(seen.since),
        seen: seen.lastSlot === null ? null : iso(seen.lastSlot),
        at: iso(at),
      }).changes === 1
    )
  }
}
