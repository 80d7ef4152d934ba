import { describe, expect, it } from 'vitest'
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatFiles,
  formatNextRun,
  formatRate,
  formatRelativeTime,
  formatTimeLeft,
} from './format'

describe('formatBytes', () => {
  it('shows small sizes in bytes', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(1)).toBe('1 B')
    expect(formatBytes(999)).toBe('999 B')
  })

  it('uses decimal units with one decimal below 10', () => {
    expect(formatBytes(1_000)).toBe('1.0 kB')
    expect(formatBytes(1_540)).toBe('1.5 kB')
    expect(formatBytes(340_000)).toBe('340 kB')
    expect(formatBytes(1_250_000)).toBe('1.3 MB')
    expect(formatBytes(12_400_000_000)).toBe('12 GB')
  })

  it('moves to the next unit instead of showing 1000', () => {
    expect(formatBytes(999_600)).toBe('1.0 MB')
    expect(formatBytes(9_960_000)).toBe('10 MB')
  })

  it('does not pretend to know a size that is not a size', () => {
    expect(formatBytes(-1)).toBe('—')
    expect(formatBytes(Number.NaN)).toBe('—')
  })
})

describe('formatCount and formatFiles', () => {
  it('groups thousands', () => {
    expect(formatCount(1_234_567)).toBe('1,234,567')
  })

  it('says file or files', () => {
    expect(formatFiles(0)).toBe('0 files')
    expect(formatFiles(1)).toBe('1 file')
    expect(formatFiles(1_204)).toBe('1,204 files')
  })
})

describe('formatRelativeTime', () => {
  const now = Date.parse('2025-06-15T12:00:00Z')
  const ago = (ms: number) => new Date(now - ms).toISOString()

  it('reads like a person would say it', () => {
    expect(formatRelativeTime(ago(5_000), now)).toBe('just now')
    expect(formatRelativeTime(ago(5 * 60_000), now)).toBe('5 min ago')
    expect(formatRelativeTime(ago(3 * 3_600_000), now)).toBe('3 h ago')
    expect(formatRelativeTime(ago(2 * 86_400_000), now)).toBe('2 d ago')
  })

  it('falls back to a short date after a week', () => {
    expect(formatRelativeTime('2025-03-04T12:00:00Z', now)).toBe('Mar 4')
    expect(formatRelativeTime('2024-03-04T12:00:00Z', now)).toBe('Mar 4, 2024')
  })

  it('treats a time slightly in the future as just now and ignores garbage', () => {
    expect(formatRelativeTime(ago(-10_000), now)).toBe('just now')
    expect(formatRelativeTime('not a date', now)).toBe('')
  })
})

describe('formatDuration', () => {
  it('says seconds with a decimal when short, then minutes, hours and days', () => {
    expect(formatDuration(420)).toBe('0.4 s')
    expect(formatDuration(9_990)).toBe('9.9 s')
    expect(formatDuration(12_400)).toBe('12 s')
    expect(formatDuration(133_000)).toBe('2 min 13 s')
    expect(formatDuration(3_720_000)).toBe('1 h 2 min')
    expect(formatDuration(100 * 3_600_000)).toBe('4 d 4 h')
    expect(formatDuration(-1)).toBe('—')
  })
})

describe('formatTimeLeft and formatRate', () => {
  it('says the time left loosely', () => {
    expect(formatTimeLeft(12)).toBe('less than a minute left')
    expect(formatTimeLeft(130)).toBe('about 2 min left')
    expect(formatTimeLeft(2 * 3600 + 5 * 60)).toBe('about 2 h 5 min left')
    expect(formatTimeLeft(50 * 3600)).toBe('about 2 d 2 h left')
  })

  it('gives small rates a decimal and big ones thousands separators', () => {
    expect(formatRate(0.44)).toBe('0.4 files/s')
    expect(formatRate(9.94)).toBe('9.9 files/s')
    expect(formatRate(1_234.4)).toBe('1,234 files/s')
  })
})

describe('formatNextRun', () => {
  // Local times: the test builds them in the machine's zone, as the function reads them.
  const now = new Date(2025, 5, 15, 10, 0).getTime() // Sunday, Jun 15, 10:00
  const at = (day: number, hour: number, minute = 0): string =>
    new Date(2025, 5, day, hour, minute).toISOString()

  it('says how soon, then which day, at a 24-hour time', () => {
    expect(formatNextRun(at(15, 9, 59), now)).toBe('due now')
    expect(formatNextRun(at(15, 10, 0), now)).toBe('due now')
    expect(formatNextRun(at(15, 10, 25), now)).toBe('in 25 min')
    expect(formatNextRun(at(15, 14), now)).toBe('today at 14:00')
    expect(formatNextRun(at(16, 2, 30), now)).toBe('tomorrow at 02:30')
    expect(formatNextRun(at(20, 2, 30), now)).toBe('Fri at 02:30')
    expect(formatNextRun(at(22, 2, 30), now)).toBe('Jun 22 at 02:30')
  })
})
