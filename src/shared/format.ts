// How numbers, sizes and times read on screen. English text, so English number formatting.
const LOCALE = 'en-US'

const countFormat = new Intl.NumberFormat(LOCALE)

export function formatCount(value: number): string {
  return countFormat.format(value)
}

/** "1 file", "1,204 files". */
export function formatFiles(count: number): string {
  return `${formatCount(count)} ${count === 1 ? 'file' : 'files'}`
}

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const

/** Decimal units, as the Finder and most download dialogs show them: 1.5 MB, 340 kB, 12 GB. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—'
  let value = bytes
  let unit = 0
  while (value >= 999.5 && unit < BYTE_UNITS.length - 1) {
    value /= 1000
    unit += 1
  }
  if (unit === 0) return `${Math.round(value)} B`
  // One decimal below 10 keeps small sizes precise without long numbers for big ones.
  const digits = value < 9.95 ? 1 : 0
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

const dateFormat = new Intl.DateTimeFormat(LOCALE, { month: 'short', day: 'numeric' })
const dateWithYearFormat = new Intl.DateTimeFormat(LOCALE, {
  month: 'short',
  day: 'numeric',
  year: 'numeric',
})
const fullFormat = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'short' })

/** "just now", "5 min ago", "3 h ago", "2 d ago", then "Mar 4" (or "Mar 4, 2024"). */
export function formatRelativeTime(iso: string, now: number): string {
  const time = Date.parse(iso)
  if (Number.isNaN(time)) return ''
  // A clock a little ahead of ours still means "just now".
  const elapsed = Math.max(0, now - time)
  if (elapsed < MINUTE) return 'just now'
  if (elapsed < HOUR) return `${Math.floor(elapsed / MINUTE)} min ago`
  if (elapsed < DAY) return `${Math.floor(elapsed / HOUR)} h ago`
  if (elapsed < 7 * DAY) return `${Math.floor(elapsed / DAY)} d ago`
  const date = new Date(time)
  const sameYear = date.getFullYear() === new Date(now).getFullYear()
  return (sameYear ? dateFormat : dateWithYearFormat).format(date)
}

/** The exact time, for a tooltip. */
export function formatFullTime(iso: string): string {
  const time = Date.parse(iso)
  return Number.isNaN(time) ? '' : fullFormat.format(new Date(time))
}

const clockFormat = new Intl.DateTimeFormat(LOCALE, { timeStyle: 'medium' })

/** The time of day with seconds ("11:02:15 AM"): tells apart runs started the same minute. */
export function formatClockTime(iso: string): string {
  const time = Date.parse(iso)
  return Number.isNaN(time) ? '' : clockFormat.format(new Date(time))
}

/** How long something took: "0.4 s", "12 s", "2 min 13 s", "1 h 2 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—'
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`
  const seconds = Math.floor(ms / 1000)
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return `${hours} h ${minutes % 60} min`
  return `${Math.floor(hours / 24)} d ${hours % 24} h`
}

/** The time a run has left, said loosely: "about 2 min left", "less than a minute left". */
export function formatTimeLeft(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return ''
  if (seconds < 60) return 'less than a minute left'
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `about ${minutes} min left`
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return `about ${hours} h ${minutes % 60} min left`
  return `about ${Math.floor(hours / 24)} d ${hours % 24} h left`
}

/** Files per second: one decimal below 10 ("0.4 files/s"), whole numbers above ("240 files/s"). */
export function formatRate(perSecond: number): string {
  const value = perSecond < 9.95 ? perSecond.toFixed(1) : formatCount(Math.round(perSecond))
  return `${value} files/s`
}

const twoDigits = (n: number): string => String(n).padStart(2, '0')
const weekdayFormat = new Intl.DateTimeFormat(LOCALE, { weekday: 'short' })

/**
 * When a scheduled run comes, in this machine's time, 24-hour as schedules are set: "in 25 min",
 * "today at 14:00", "tomorrow at 02:30", "Sun at 02:30", "Jun 22 at 02:30"; "due now" once past.
 */
export function formatNextRun(iso: string, now: number): string {
  const time = Date.parse(iso)
  if (Number.isNaN(time)) return ''
  if (time <= now) return 'due now'
  if (time - now < HOUR) return `in ${Math.max(1, Math.ceil((time - now) / MINUTE))} min`
  const date = new Date(time)
  const clock = `${twoDigits(date.getHours())}:${twoDigits(date.getMinutes())}`
  const startOfDay = (d: Date): number =>
    new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime()
  const days = Math.round((startOfDay(date) - startOfDay(new Date(now))) / DAY)
  if (days === 0) return `today at ${clock}`
  if (days === 1) return `tomorrow at ${clock}`
  if (days < 7) return `${weekdayFormat.format(date)} at ${clock}`
  return `${dateFormat.format(date)} at ${clock}`
}
