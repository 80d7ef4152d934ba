// time through a real runner: the RFC 3339 §5.8 examples (fractions, offsets, leap seconds) parsed
// to seconds and formatted back, now(), and the errors for text that is not a date-time.
import { describe, it } from 'vitest'
import { expectLua, useStdlibFixtures } from './harness'

const fixtures = useStdlibFixtures()

describe('time', () => {
  it('parse: the RFC 3339 §5.8 examples', async () => {
    await expectLua(
      fixtures.core,
      `local time = require "time"
      eq("fraction, UTC", time.parse("1985-04-12T23:20:50.52Z"), 482196050.52)
      eq("offset -08:00", time.parse("1996-12-19T16:39:57-08:00"), 851042397)
      eq("same instant in UTC", time.parse("1996-12-20T00:39:57Z"), 851042397)
      -- POSIX time has no leap seconds: 23:59:60 reads as the second after 23:59:59.
      eq("leap second", time.parse("1990-12-31T23:59:60Z"), 662688000)
      eq("leap second, offset", time.parse("1990-12-31T15:59:60-08:00"), 662688000)
      eq("before 1970, odd offset", time.parse("1937-01-01T12:00:27.87+00:20"), -1041337172.13)
      eq("integral result is an integer", math.type(time.parse("1996-12-19T16:39:57-08:00")), "integer")
      eq("lower-case t and z, and a space", time.parse("1985-04-12t23:20:50z"), 482196050)
      eq("space separator", time.parse("1985-04-12 23:20:50Z"), 482196050)
      eq("-00:00 is UTC", time.parse("1985-04-12T23:20:50-00:00"), 482196050)
      eq("the epoch", time.parse("1970-01-01T00:00:00Z"), 0)
      eq("beyond 2038 (more than 32 bits)", time.parse("2100-03-01T00:00:00Z"), 4107542400)
      eq("year 0001", time.parse("0001-01-01T00:00:00Z"), -62135596800)
      eq("29 February in a leap year", time.parse("2024-02-29T12:00:00Z"), 1709208000)`,
    )
  })

  it('format: UTC by default, the given offset when asked, fractions to microseconds', async () => {
    await expectLua(
      fixtures.core,
      `local time = require "time"
      eq("fraction", time.format(482196050.52), "1985-04-12T23:20:50.52Z")
      eq("offset -08:00", time.format(851042397, "-08:00"), "1996-12-19T16:39:57-08:00")
      eq("UTC", time.format(851042397), "1996-12-20T00:39:57Z")
      eq("Z", time.format(851042397, "Z"), "1996-12-20T00:39:57Z")
      eq("leap second reads as the next", time.format(662688000), "1991-01-01T00:00:00Z")
      eq("before 1970, +00:20", time.format(-1041337172.13, "+00:20"), "1937-01-01T12:00:27.87+00:20")
      eq("microseconds", time.format(0.000001), "1970-01-01T00:00:00.000001Z")
      eq("rounds to microseconds", time.format(1.9999999), "1970-01-01T00:00:02Z")
      eq("beyond 32 bits", time.format(4107542400), "2100-03-01T00:00:00Z")
      eq("year 0001", time.format(-62135596800), "0001-01-01T00:00:00Z")
      eq("last second of 9999", time.format(253402300799), "9999-12-31T23:59:59Z")`,
    )
  })

  it('parse and format round trip every RFC 3339 example', async () => {
    await expectLua(
      fixtures.core,
      `local time = require "time"
      for _, c in ipairs({
        { "1985-04-12T23:20:50.52Z", "Z" },
        { "1996-12-19T16:39:57-08:00", "-08:00" },
        { "1937-01-01T12:00:27.87+00:20", "+00:20" },
        { "2024-06-30T23:59:59.123456Z", "Z" },
        { "1969-12-31T23:59:59.5Z", "Z" },
      }) do
        eq(c[1], time.format(time.parse(c[1]), c[2]), c[1])
      end`,
    )
  })

  it('now: seconds since the epoch, with fractions, close to os.time()', async () => {
    const before = Date.now() / 1000
    await expectLua(
      fixtures.core,
      `local time = require "time"
      local t = time.now()
      eq("a float", math.type(t), "float")
      assert(math.abs(t - os.time()) < 2, "time.now() is far from os.time(): " .. t)
      assert(t >= ${before}, "time.now() is before the test started: " .. t)
      local later = time.now()
      assert(later >= t, "time went backwards")`,
    )
  })

  it('text that is not an RFC 3339 date-time raises an error that says why', async () => {
    await expectLua(
      fixtures.core,
      `local time = require "time"
      local shape = "expected YYYY%-MM%-DDTHH:MM:SS%[%.fraction%]%(Z|%+HH:MM|%-HH:MM%)"
      fails("date only", 'time.parse: "2024%-01%-01" is not an RFC 3339 date%-time: ' .. shape,
        time.parse, "2024-01-01")
      fails("no offset", shape, time.parse, "2024-01-01T00:00:00")
      fails("HTTP date", shape, time.parse, "Sat, 01 Jan 2000 00:00:00 GMT")
      fails("month 13", "month 13 is out of range", time.parse, "2024-13-01T00:00:00Z")
      fails("30 February", "day 30 is out of range", time.parse, "2024-02-30T00:00:00Z")
      fails("29 February, not a leap year", "day 29 is out of range", time.parse, "2023-02-29T00:00:00Z")
      fails("hour 24", "hour 24 is out of range", time.parse, "2024-01-01T24:00:00Z")
      fails("second 61", "second 61 is out of range", time.parse, "2024-01-01T00:00:61Z")
      fails("offset hour 24", "the offset %+24:00 is out of range", time.parse, "2024-01-01T00:00:00+24:00")
      fails("not a string", "time.parse: the text %(argument 1%) must be a string, got number", time.parse, 1)
      fails("bad offset", 'time.format: the offset %(argument 2%) must be "Z" or "%+HH:MM"/"%-HH:MM", got "PST"',
        time.format, 0, "PST")
      fails("year 10000", "outside the years 0000 to 9999", time.format, 253402300800)
      fails("not a number", "time.format: the seconds %(argument 1%) must be a number, got string",
        time.format, "0")`,
    )
  })
})
