// A provider's schedule: what it is, how it reads, how the CLI spells it, and when it next falls
// due in a time zone. Pure functions over Intl, so that main, the CLI and the renderer agree.

export const WEEKDAYS = [
  'sunday',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
] as const
/** 0 is Sunday, as Date.getDay() counts. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6

/**
 * Off (the default), every N hours (elapsed time, whatever the clock on the wall says), daily at
 * a local time, or weekly on a day at a local time ("HH:MM", 24-hour).
 */
export type Schedule =
  | { kind: 'off' }
  | { kind: 'interval'; hours: number }
  | { kind: 'daily'; time: string }
  | { kind: 'weekly'; weekday: Weekday; time: string }

export type ScheduleKind = Schedule['kind']

export const SCHEDULE_OFF: Schedule = { kind: 'off' }
export const SCHEDULE_HOURS_MAX = 168
export const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS

/** The real length of "an hour" for schedules; a test knob shortens it (SKWIRL_TEST_HOUR_MS). */
export interface ScheduleClock {
  timeZone: string
  hourMs: number
}

const TIME_PATTERN = /^([01]?\d|2[0-3]):([0-5]\d)$/

/** "2:30" → "02:30"; null when it is not a 24-hour time. */
export function normalizeTime(text: string): string | null {
  const match = TIME_PATTERN.exec(text.trim())
  if (!match) return null
  return `${(match[1] as string).padStart(2, '0')}:${match[2] as string}`
}

function timeProblem(time: unknown): string | null {
  return typeof time === 'string' && normalizeTime(time) === time
    ? null
    : 'The time must be a 24-hour time such as 02:30.'
}

/** What is wrong with a schedule, worded for the person who set it; null when it is fine. */
export function scheduleProblem(schedule: Schedule): string | null {
  switch (schedule.kind) {
    case 'off':
      return null
    case 'interval':
      return Number.isInteger(schedule.hours) &&
        schedule.hours >= 1 &&
        schedule.hours <= SCHEDULE_HOURS_MAX
        ? null
        : `The hours between runs must be a whole number from 1 to ${SCHEDULE_HOURS_MAX}.`
    case 'weekly':
      if (!Number.isInteger(schedule.weekday) || schedule.weekday < 0 || schedule.weekday > 6)
        return 'The day must be one of Sunday to Saturday.'
      return timeProblem(schedule.time)
    case 'daily':
      return timeProblem(schedule.time)
  }
}

export function sameSchedule(a: Schedule, b: Schedule): boolean {
  return formatScheduleSpec(a) === formatScheduleSpec(b)
}

function dayName(weekday: Weekday): string {
  const name = WEEKDAYS[weekday]
  return name.charAt(0).toUpperCase() + name.slice(1)
}

/** "Not scheduled", "Every hour", "Every 6 hours", "Daily at 02:30", "Weekly on Sunday at 02:30". */
export function describeSchedule(schedule: Schedule): string {
  switch (schedule.kind) {
    case 'off':
      return 'Not scheduled'
    case 'interval':
      return schedule.hours === 1 ? 'Every hour' : `Every ${schedule.hours} hours`
    case 'daily':
      return `Daily at ${schedule.time}`
    case 'weekly':
      return `Weekly on ${dayName(schedule.weekday)} at ${schedule.time}`
  }
}

/** The CLI's spelling: "off", "every 6h", "daily 02:30", "weekly sun 02:30". */
export function formatScheduleSpec(schedule: Schedule): string {
  switch (schedule.kind) {
    case 'off':
      return 'off'
    case 'interval':
      return `every ${schedule.hours}h`
    case 'daily':
      return `daily ${schedule.time}`
    case 'weekly':
      return `weekly ${WEEKDAYS[schedule.weekday].slice(0, 3)} ${schedule.time}`
  }
}

export const SCHEDULE_SPEC_HELP =
  'off, hourly, "every 6h", "daily 02:30" or "weekly sun 02:30" (24-hour local time)'

export class ScheduleSpecError extends Error {
  override name = 'ScheduleSpecError'
}

/**
 * Reads the CLI's spelling, loosely: "every 6h", "every 6 hours", "6h", "hourly", "daily 2:30",
 * "daily at 02:30", "weekly sunday 02:30", "weekly on sun at 02:30". Throws ScheduleSpecError.
 */
export function parseScheduleSpec(text: string): Schedule {
  const words = text
    .trim()
    .toLowerCase()
    .split(/\s+/)
    .filter((word) => word !== 'at' && word !== 'on' && word !== '')
  const bad = (why: string): never => {
    throw new ScheduleSpecError(`${why}; a schedule is ${SCHEDULE_SPEC_HELP}`)
  }
  const [first, ...rest] = words
  let schedule: Schedule
  if ((first === 'off' || first === 'none' || first === 'never') && rest.length === 0) {
    schedule = SCHEDULE_OFF
  } else if (first === 'hourly' && rest.length === 0) {
    schedule = { kind: 'interval', hours: 1 }
  } else if (first === 'every' || (first !== undefined && /^\d+h$/.test(first))) {
    const amount = (first === 'every' ? rest : words).join(' ')
    const match = /^(\d+)\s*(?:h|hr|hrs|hour|hours)$/.exec(amount)
    if (!match) bad('every takes a number of hours such as "every 6h"')
    schedule = { kind: 'interval', hours: Number((match as RegExpExecArray)[1]) }
  } else if (first === 'daily') {
    if (rest.length !== 1) bad('daily takes a time such as "daily 02:30"')
    schedule = { kind: 'daily', time: normalizeTime(rest[0] as string) ?? bad('not a time') }
  } else if (first === 'weekly') {
    if (rest.length !== 2) bad('weekly takes a day and a time such as "weekly sun 02:30"')
    const day = rest[0] as string
    const weekday = WEEKDAYS.findIndex((name) => day.length >= 3 && name.startsWith(day))
    if (weekday === -1) bad(`"${day}" is not a day of the week`)
    schedule = {
      kind: 'weekly',
      weekday: weekday as Weekday,
      time: normalizeTime(rest[1] as string) ?? bad('not a time'),
    }
  } else {
    return bad('unknown schedule')
  }
  const problem = scheduleProblem(schedule)
  if (problem) bad(problem.replace(/\.$/, ''))
  return schedule
}

/**
 * The time between two runs the schedule asks for: N hours, a day, a week (in schedule hours, so
 * that the test knob shortens them all alike). null when off.
 */
export function scheduleIntervalMs(schedule: Schedule, hourMs = HOUR_MS): number | null {
  switch (schedule.kind) {
    case 'off':
      return null
    case 'interval':
      return schedule.hours * hourMs
    case 'daily':
      return 24 * hourMs
    case 'weekly':
      return 7 * 24 * hourMs
  }
}

/**
 * A provider is overdue when its last good backup (or, never having had one, the moment its
 * schedule was set) is older than twice its schedule's interval.
 */
export function isBackupOverdue(options: {
  schedule: Schedule
  lastGoodAt: number | null
  scheduledSince: number | null
  now: number
  hourMs?: number
}): boolean {
  const interval = scheduleIntervalMs(options.schedule, options.hourMs)
  if (interval === null) return false
  const reference = options.lastGoodAt ?? options.scheduledSince
  if (reference === null) return false
  return options.now - reference > 2 * interval
}

/**
 * The first moment after `anchor` at which the schedule falls due (ms since the epoch), or null
 * when it is off. Intervals count elapsed time from the anchor. Daily and weekly times are wall
 * clock times in the time zone, resolved as iCalendar (RFC 5545) and Temporal do: on the day the
 * clocks go forward, a time in the skipped hour is taken with the offset before the jump (02:30 in
 * Europe/Berlin becomes 03:30 CEST); on the day they go back, a time that happens twice means its
 * first occurrence (02:30 CEST), so it runs once that day.
 */
export function nextRunAfter(
  schedule: Schedule,
  anchor: number,
  clock: ScheduleClock,
): number | null {
  if (schedule.kind === 'off') return null
  if (schedule.kind === 'interval') return anchor + schedule.hours * clock.hourMs
  const [hour, minute] = schedule.time.split(':').map(Number) as [number, number]
  const local = zonedParts(anchor, clock.timeZone)
  const firstDay = Date.UTC(local.year, local.month - 1, local.day)
  // The anchor's own local day, then the next ones: a week and a day covers any weekday.
  for (let offset = 0; offset <= 8; offset++) {
    const day = new Date(firstDay + offset * DAY_MS)
    if (schedule.kind === 'weekly' && day.getUTCDay() !== schedule.weekday) continue
    const at = zonedTimeToInstant(
      {
        year: day.getUTCFullYear(),
        month: day.getUTCMonth() + 1,
        day: day.getUTCDate(),
        hour,
        minute,
      },
      clock.timeZone,
    )
    if (at > anchor) return at
  }
  // Unreachable for real zones (no day lasts a week); fall back to a week later.
  return anchor + 7 * DAY_MS
}

export interface ZonedParts {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(timeZone, formatter)
  }
  return formatter
}

/** The wall clock in a time zone at an instant. */
export function zonedParts(instant: number, timeZone: string): ZonedParts {
  const parts: Record<string, number> = {}
  for (const part of formatterFor(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value)
  }
  return {
    year: parts.year as number,
    month: parts.month as number,
    day: parts.day as number,
    hour: (parts.hour as number) % 24,
    minute: parts.minute as number,
    second: parts.second as number,
  }
}

/** How far the zone's wall clock is ahead of UTC at an instant (ms). */
function zoneOffset(instant: number, timeZone: string): number {
  const p = zonedParts(instant, timeZone)
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second)
  return wall - (instant - (((instant % 1000) + 1000) % 1000))
}

/**
 * The instant a wall clock time names in a zone. Of two (clocks going back), the first; of none
 * (clocks going forward), the time read with the offset before the jump, i.e. as much later as
 * the jump is long.
 */
export function zonedTimeToInstant(wall: Omit<ZonedParts, 'second'>, timeZone: string): number {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute)
  // Zones change their offset at most once in a day either side of a time.
  const before = zoneOffset(asUtc - DAY_MS, timeZone)
  const after = zoneOffset(asUtc + DAY_MS, timeZone)
  const early = asUtc - before
  if (zoneOffset(early, timeZone) === before) return early
  const late = asUtc - after
  if (zoneOffset(late, timeZone) === after) return late
  return early
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name })
    return true
  } catch {
    return false
  }
}

/** The zone this process's clock is in (TZ when set). */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone
}
