// url through a real runner: RFC 3986 percent-encoding (spaces as %20, only A-Z a-z 0-9 - . _ ~
// left as they are), decoding, and query strings encoded exactly as http.get encodes params.
import { describe, expect, it } from 'vitest'
import { encodeQueryComponent } from '../../src/main/core/http-broker'
import { expectLua, lit, useStdlibFixtures } from './harness'

const fixtures = useStdlibFixtures()

describe('url', () => {
  it('encode: RFC 3986 unreserved characters stay, everything else is %XX (upper case)', async () => {
    const samples = [
      'hello world',
      "a+b=c&d/e?f#g!'()*",
      'unreserved-._~AZaz09',
      'ünïcødé ✓ 𝄞',
      '100%',
      '',
    ]
    await expectLua(
      fixtures.core,
      [
        'local url = require "url"',
        ...samples.map(
          (s) =>
            `eq(${lit(`encode ${s}`)}, url.encode(${lit(s)}), ${lit(encodeQueryComponent(s))})`,
        ),
        `eq("space", url.encode(" "), "%20")`,
        `eq("bytes that are not UTF-8", url.encode("\\255\\0"), "%FF%00")`,
      ].join('\n'),
    )
  })

  it('decode: %XX in either case back to bytes; "+" stays "+"', async () => {
    await expectLua(
      fixtures.core,
      `local url = require "url"
      eq("space", url.decode("a%20b"), "a b")
      eq("lower case hex", url.decode("%e2%9c%93"), "✓")
      eq("plus", url.decode("a+b"), "a+b")
      eq("bytes", url.decode("%FF%00"), "\\255\\0")
      local s = "ünïcødé ✓ / ?&=#%"
      eq("round trip", url.decode(url.encode(s)), s)
      fails("truncated escape", '"%%" at position 3 is not followed by two hex digits', url.decode, "ab%2")
      fails("bad hex", '"%%" at position 1 is not followed by two hex digits', url.decode, "%zz")`,
    )
  })

  it('query: key order is byte order; numbers and booleans as http.get writes them', async () => {
    await expectLua(
      fixtures.core,
      `local url = require "url"
      eq("empty", url.query({}), "")
      eq("sorted and encoded", url.query({ q = "name = 'x y'", b = 2, a = true, ["z z"] = 2^53 }),
        "a=true&b=2&q=name%20%3D%20%27x%20y%27&z%20z=9007199254740992")
      fails("nested table", "url.query: params.x must be a string, number or boolean, got table",
        url.query, { x = {} })
      fails("not a table", "url.query: the parameters %(argument 1%) must be a table, got string",
        url.query, "a=1")`,
    )
  })

  it('query gives exactly the query string http.get sends for the same params', async () => {
    const before = fixtures.server.requests.length
    await expectLua(
      fixtures.core,
      `local url = require "url"
      local params = { q = "trashed = false and 'x' in parents", pageSize = 1000, ["odd key!"] = "✓" }
      http.get(${lit(fixtures.server.url)} .. "/echo?" .. url.query(params))
      http.get(${lit(fixtures.server.url)} .. "/echo", { params = params })`,
    )
    const [viaQuery, viaParams] = fixtures.server.queries.slice(before)
    expect(viaQuery).toBeDefined()
    // http.get keeps the table's own order; compare the sorted pairs.
    const pairs = (q: string | undefined): string[] => (q ?? '').split('&').sort()
    expect(pairs(viaQuery)).toEqual(pairs(viaParams))
    expect(viaQuery).toBe(
      'odd%20key%21=%E2%9C%93&pageSize=1000&q=trashed%20%3D%20false%20and%20%27x%27%20in%20parents',
    )
  })
})
