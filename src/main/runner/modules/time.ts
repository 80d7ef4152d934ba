// The time module: now() with fractions, and RFC 3339 date-times parsed to and formatted from
// seconds since 1970-01-01T00:00:00Z. The calendar is computed here (proleptic Gregorian), not by
// Date, so years 0000-0099 and negative times are exact.
import { lua, type LuaState } from 'fengari'
import { pushNumber, raise, typeName } from '../lua-values'
import { checkBytes, checkNumber, isAbsent, pushLibrary } from './library'

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/
const OFFSET = /^(?:([Zz])|([+-])(\d{2}):(\d{2}))$/
const MAX_SECONDS = 253402300800 // 10000-01-01T00:00:00Z: RFC 3339 years have four digits.
const MIN_SECONDS = -62167219200 // 0000-01-01T00:00:00Z

export function openTime(L: LuaState): void {
  pushLibrary(L, { now, parse, format })
}

function now(L: LuaState): number {
  lua.lua_pushnumber(L, (performance.timeOrigin + performance.now()) / 1000)
  return 1
}

/** Days from 1970-01-01 to the given civil date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day }
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}

/** Seconds since the epoch, or the reason the text is not an RFC 3339 date-time. */
export function parseRfc3339(text: string): number | string {
  const m = DATE_TIME.exec(text)
  if (!m) return 'expected YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)'
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  if (month < 1 || month > 12) return `month ${month} is out of range`
  if (day < 1 || day > daysInMonth(year, month)) return `day ${day} is out of range`
  if (hour > 23) return `hour ${hour} is out of range`
  if (minute > 59) return `minute ${minute} is out of range`
  // 60 is a leap second: POSIX time has none, so it reads as the next second.
  if (second > 60) return `second ${second} is out of range`
  let offset = 0
  if (!m[8]) {
    const [oh, om] = [Number(m[10]), Number(m[11])]
    if (oh > 23 || om > 59) return `the offset ${m[9]}${m[10]}:${m[11]} is out of range`
    offset = (m[9] === '-' ? -1 : 1) * (oh * 3600 + om * 60)
  }
  const whole =
    daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset
  return m[7] ? whole + Number(`0${m[7]}`) : whole
}

/** An RFC 3339 date-time at the given offset (seconds east of UTC), fractions to microseconds. */
export function formatRfc3339(seconds: number, offsetSeconds: number, offsetText: string): string {
  let whole = Math.floor(seconds)
  // The fraction is rounded on its own: .52 stays .52 where the float holds .519999980926…
  let micros = Math.round((seconds - whole) * 1e6)
  if (micros === 1e6) {
    whole++
    micros = 0
  }
  const local = whole + offsetSeconds
  const days = Math.floor(local / 86400)
  const secondsOfDay = local - days * 86400
  const { year, month, day } = civilFromDays(days)
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0')
  const time = `${pad(Math.floor(secondsOfDay / 3600))}:${pad(Math.floor(secondsOfDay / 60) % 60)}:${pad(secondsOfDay % 60)}`
  const fraction = micros > 0 ? `.${pad(micros, 6).replace(/0+$/, '')}` : ''
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${time}${fraction}${offsetText}`
}

function parse(L: LuaState): number {
  const text = Buffer.from(checkBytes(L, 1, 'time.parse', 'text')).toString('latin1')
  const result = parseRfc3339(text)
  if (typeof result === 'string') {
    raise(L, `time.parse: ${JSON.stringify(text)} is not an RFC 3339 date-time: ${result}`)
  }
  pushNumber(L, result)
  return 1
}

function format(L: LuaState): number {
  const seconds = checkNumber(L, 1, 'time.format', 'seconds')
  let offsetSeconds = 0
  let offsetText = 'Z'
  if (!isAbsent(L, 2)) {
    const text = lua.lua_type(L, 2) === lua.LUA_TSTRING ? lua.lua_tojsstring(L, 2) : null
    const m = text === null ? null : OFFSET.exec(text)
    if (!m || Number(m[3] ?? 0) > 23 || Number(m[4] ?? 0) > 59) {
      raise(
        L,
        `time.format: the offset (argument 2) must be "Z" or "+HH:MM"/"-HH:MM", got ${text === null ? typeName(L, 2) : JSON.stringify(text)}`,
      )
    }
    if (!m[1]) {
      offsetSeconds = (m[2] === '-' ? -1 : 1) * (Number(m[3]) * 3600 + Number(m[4]) * 60)
      offsetText = `${m[2]}${m[3]}:${m[4]}`
    }
  }
  const local = seconds + offsetSeconds
  if (!Number.isFinite(seconds) || local < MIN_SECONDS || local >= MAX_SECONDS) {
    raise(L, `time.format: ${seconds} is outside the years 0000 to 9999`)
  }
  lua.lua_pushstring(L, formatRfc3339(seconds, offsetSeconds, offsetText))
  return 1
}
