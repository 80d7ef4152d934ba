import { describe, expect, it } from 'vitest'
import {
  describeSchedule,
  formatScheduleSpec,
  HOUR_MS,
  isBackupOverdue,
  nextRunAfter,
  parseScheduleSpec,
  scheduleProblem,
  zonedTimeToInstant,
  type Schedule,
} from './schedule'

const BERLIN = { timeZone: 'Europe/Berlin', hourMs: HOUR_MS }
const at = (iso: string): number => Date.parse(iso)
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

describe('the CLI spelling of a schedule', () => {
  it.each<[string, Schedule, string]>([
    ['off', { kind: 'off' }, 'off'],
    ['hourly', { kind: 'interval', hours: 1 }, 'every 1h'],
    ['every 6h', { kind: 'interval', hours: 6 }, 'every 6h'],
    ['Every 12 hours', { kind: 'interval', hours: 12 }, 'every 12h'],
    ['6h', { kind: 'interval', hours: 6 }, 'every 6h'],
    ['daily 2:30', { kind: 'daily', time: '02:30' }, 'daily 02:30'],
    ['daily at 23:05', { kind: 'daily', time: '23:05' }, 'daily 23:05'],
    ['weekly sun 02:30', { kind: 'weekly', weekday: 0, time: '02:30' }, 'weekly sun 02:30'],
    [
      'weekly on Friday at 18:00',
      { kind: 'weekly', weekday: 5, time: '18:00' },
      'weekly fri 18:00',
    ],
  ])('reads %j', (text, schedule, canonical) => {
    expect(parseScheduleSpec(text)).toEqual(schedule)
    expect(formatScheduleSpec(schedule)).toBe(canonical)
    expect(parseScheduleSpec(canonical)).toEqual(schedule)
  })

  it.each([
    ['every day', /every takes a number of hours/],
    ['every 0h', /from 1 to 168/],
    ['every 169h', /from 1 to 168/],
    ['daily 24:00', /not a time/],
    ['daily 2.30', /not a time/],
    ['daily', /daily takes a time/],
    ['weekly 02:30', /weekly takes a day and a time/],
    ['weekly su 02:30', /"su" is not a day of the week/],
    ['monthly 1', /unknown schedule/],
    ['', /unknown schedule/],
  ])('refuses %j, saying what a schedule looks like', (text, why) => {
    expect(() => parseScheduleSpec(text)).toThrow(why)
    expect(() => parseScheduleSpec(text)).toThrow(/"daily 02:30"/)
  })
})

describe('describeSchedule and scheduleProblem', () => {
  it('reads as the card says it', () => {
    expect(describeSchedule({ kind: 'off' })).toBe('Not scheduled')
    expect(describeSchedule({ kind: 'interval', hours: 1 })).toBe('Every hour')
    expect(describeSchedule({ kind: 'interval', hours: 6 })).toBe('Every 6 hours')
    expect(describeSchedule({ kind: 'daily', time: '02:30' })).toBe('Daily at 02:30')
    expect(describeSchedule({ kind: 'weekly', weekday: 1, time: '09:00' })).toBe(
      'Weekly on Monday at 09:00',
    )
  })

  it('names what is wrong', () => {
    expect(scheduleProblem({ kind: 'interval', hours: 1.5 })).toMatch(/whole number/)
    expect(scheduleProblem({ kind: 'daily', time: '2:30' })).toMatch(/24-hour time/)
    expect(scheduleProblem({ kind: 'weekly', weekday: 7 as 0, time: '02:30' })).toMatch(/day/)
    expect(scheduleProblem({ kind: 'daily', time: 230 as unknown as string })).toMatch(/time/)
    expect(scheduleProblem({ kind: 'weekly', weekday: 3, time: '02:30' })).toBeNull()
  })
})

describe('nextRunAfter', () => {
  it('counts every N hours as elapsed time', () => {
    expect(
      iso(nextRunAfter({ kind: 'interval', hours: 6 }, at('2025-06-15T10:17:00Z'), BERLIN)),
    ).toBe('2025-06-15T16:17:00.000Z')
    // Across the night the clocks go forward, 6 hours are still 6 hours.
    expect(
      iso(nextRunAfter({ kind: 'interval', hours: 6 }, at('2025-03-29T22:00:00Z'), BERLIN)),
    ).toBe('2025-03-30T04:00:00.000Z')
    expect(nextRunAfter({ kind: 'off' }, 0, BERLIN)).toBeNull()
  })

  it('finds the next daily time in the zone, today or tomorrow', () => {
    const daily: Schedule = { kind: 'daily', time: '02:30' }
    // 01:00 in Berlin (CEST, UTC+2): today's 02:30 is still ahead.
    expect(iso(nextRunAfter(daily, at('2025-06-14T23:00:00Z'), BERLIN))).toBe(
      '2025-06-15T00:30:00.000Z',
    )
    // Exactly at the time: the next one is tomorrow's.
    expect(iso(nextRunAfter(daily, at('2025-06-15T00:30:00Z'), BERLIN))).toBe(
      '2025-06-16T00:30:00.000Z',
    )
    // In winter Berlin is UTC+1.
    expect(iso(nextRunAfter(daily, at('2025-01-10T12:00:00Z'), BERLIN))).toBe(
      '2025-01-11T01:30:00.000Z',
    )
    // Another zone, another instant.
    expect(
      iso(
        nextRunAfter(daily, at('2025-06-15T12:00:00Z'), {
          ...BERLIN,
          timeZone: 'America/New_York',
        }),
      ),
    ).toBe('2025-06-16T06:30:00.000Z')
  })

  it('finds the next weekly day and time', () => {
    const sunday: Schedule = { kind: 'weekly', weekday: 0, time: '02:30' }
    // Wednesday 2025-06-11 → Sunday 2025-06-15, 02:30 CEST.
    expect(iso(nextRunAfter(sunday, at('2025-06-11T08:00:00Z'), BERLIN))).toBe(
      '2025-06-15T00:30:00.000Z',
    )
    // Sunday after the time → the next Sunday.
    expect(iso(nextRunAfter(sunday, at('2025-06-15T01:00:00Z'), BERLIN))).toBe(
      '2025-06-22T00:30:00.000Z',
    )
  })

  // Our decision for the days the clocks change (Europe/Berlin, 2025): iCalendar's and Temporal's.
  it('on the spring-forward day, 02:30 (which does not exist) is 03:30 CEST, once', () => {
    const daily: Schedule = { kind: 'daily', time: '02:30' }
    const runs = walk(daily, at('2025-03-28T12:00:00Z'), at('2025-04-01T00:00:00Z'))
    expect(runs).toEqual([
      '2025-03-29T01:30:00.000Z', // 02:30 CET
      '2025-03-30T01:30:00.000Z', // 03:30 CEST: the hour from 02:00 to 03:00 was skipped
      '2025-03-31T00:30:00.000Z', // 02:30 CEST
    ])
    expect(
      zonedTimeToInstant({ year: 2025, month: 3, day: 30, hour: 2, minute: 30 }, 'Europe/Berlin'),
    ).toBe(at('2025-03-30T01:30:00Z'))
  })

  it('on the fall-back day, 02:30 (which happens twice) runs once, at the first', () => {
    const daily: Schedule = { kind: 'daily', time: '02:30' }
    const runs = walk(daily, at('2025-10-24T12:00:00Z'), at('2025-10-28T00:00:00Z'))
    expect(runs).toEqual([
      '2025-10-25T00:30:00.000Z', // 02:30 CEST
      '2025-10-26T00:30:00.000Z', // 02:30 CEST, the first of the two; not 01:30Z (02:30 CET)
      '2025-10-27T01:30:00.000Z', // 02:30 CET
    ])
  })

  it('a time outside the changed hour keeps its wall-clock time on those days', () => {
    const daily: Schedule = { kind: 'daily', time: '10:00' }
    expect(walk(daily, at('2025-03-29T12:00:00Z'), at('2025-03-31T00:00:00Z'))).toEqual([
      '2025-03-30T08:00:00.000Z', // 10:00 CEST
    ])
    expect(walk(daily, at('2025-10-25T12:00:00Z'), at('2025-10-27T00:00:00Z'))).toEqual([
      '2025-10-26T09:00:00.000Z', // 10:00 CET
    ])
  })
})

/** Every run of a schedule from `from` to `to`, each one anchoring the next (as the scheduler does). */
function walk(schedule: Schedule, from: number, to: number): string[] {
  const runs: string[] = []
  let anchor = from
  for (;;) {
    const next = nextRunAfter(schedule, anchor, BERLIN) as number
    if (next > to) return runs
    runs.push(new Date(next).toISOString())
    anchor = next
  }
}

describe('isBackupOverdue', () => {
  const daily: Schedule = { kind: 'daily', time: '02:30' }
  const now = at('2025-06-15T12:00:00Z')

  it('flags a last good backup older than twice the interval', () => {
    const base = { schedule: daily, scheduledSince: at('2025-01-01T00:00:00Z'), now }
    expect(isBackupOverdue({ ...base, lastGoodAt: now - 47 * HOUR_MS })).toBe(false)
    expect(isBackupOverdue({ ...base, lastGoodAt: now - 49 * HOUR_MS })).toBe(true)
    expect(
      isBackupOverdue({
        ...base,
        schedule: { kind: 'interval', hours: 6 },
        lastGoodAt: now - 13 * HOUR_MS,
      }),
    ).toBe(true)
    expect(
      isBackupOverdue({
        ...base,
        schedule: { kind: 'weekly', weekday: 0, time: '02:30' },
        lastGoodAt: now - 13 * 24 * HOUR_MS,
      }),
    ).toBe(false)
  })

  it('without a good backup, counts from when the schedule was set', () => {
    expect(
      isBackupOverdue({ schedule: daily, lastGoodAt: null, scheduledSince: now - HOUR_MS, now }),
    ).toBe(false)
    expect(
      isBackupOverdue({
        schedule: daily,
        lastGoodAt: null,
        scheduledSince: now - 50 * HOUR_MS,
        now,
      }),
    ).toBe(true)
  })

  it('never flags a provider that is not scheduled', () => {
    expect(
      isBackupOverdue({ schedule: { kind: 'off' }, lastGoodAt: 0, scheduledSince: null, now }),
    ).toBe(false)
  })
})
