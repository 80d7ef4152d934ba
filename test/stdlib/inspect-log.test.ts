// inspect and log through a real runner: readable renderings of nested tables, shared tables and
// cycles; log lines in the log file tagged with the run, the provider, the stage and the line.
import { describe, expect, it } from 'vitest'
import { expectLua, lit, provider, run, runError, useStdlibFixtures } from './harness'

const fixtures = useStdlibFixtures()

/** The log file's lines for one run. */
function linesOf(runId: string): string[] {
  return fixtures.core
    .readLog()
    .split('\n')
    .filter((line) => line.includes(`[run=${runId} `))
}

describe('inspect', () => {
  it('renders scalars as Lua source would write them', async () => {
    await expectLua(
      fixtures.core,
      `local inspect = require "inspect"
      local json = require "json"
      eq("integer", inspect(42), "42")
      eq("float", inspect(1.5), "1.5")
      eq("integral float", inspect(2^53), "9007199254740992.0")
      eq("nan, inf", inspect({ 0/0, math.huge, -math.huge }), "{ 0/0, math.huge, -math.huge }")
      eq("string", inspect("a\\n\\"b\\"\\t\\\\"), ${lit('"a\\n\\"b\\"\\t\\\\"')})
      eq("unicode stays", inspect("ünï ✓"), '"ünï ✓"')
      eq("bytes that are not UTF-8", inspect("\\255\\0" .. "1"), ${lit('"\\255\\0001"')})
      eq("nil", inspect(nil), "nil")
      eq("nothing", inspect(), "nil")
      eq("boolean", inspect(false), "false")
      eq("function", inspect(print), "<function>")
      eq("thread", inspect(coroutine.create(print)), "<thread>")
      eq("json.null", inspect(json.null), "json.null")
      eq("inspect.inspect is the same", inspect.inspect({ 1 }), "{ 1 }")`,
    )
  })

  it('renders tables: the sequence first, then keys in order, nested, on lines when long', async () => {
    const long = [
      '{',
      '  cursor = "c-123456789012345678901234567890",',
      '  files = { { id = "a", size = 1 }, { id = "b", size = 2 } },',
      '  has_more = true,',
      '  nested = {',
      '    deeper = {',
      '      description = "a string long enough to push this table over the line width"',
      '    }',
      '  }',
      '}',
    ].join('\n')
    await expectLua(
      fixtures.core,
      `local inspect = require "inspect"
      eq("empty", inspect({}), "{}")
      eq("sequence", inspect({ 1, 2, "three" }), '{ 1, 2, "three" }')
      eq("record", inspect({ b = 2, a = 1 }), "{ a = 1, b = 2 }")
      eq("both", inspect({ "x", "y", n = 2 }), '{ "x", "y", n = 2 }')
      eq("odd keys", inspect({ [10] = "ten", [-1] = "m", ["key with space"] = 1, ["end"] = 2, [true] = 3, [1.5] = 4 }, { compact = true }),
        '{ [-1] = "m", [1.5] = 4, [10] = "ten", ["end"] = 2, ["key with space"] = 1, [true] = 3 }')
      eq("nested", inspect({ a = { b = { c = {} } } }), "{ a = { b = { c = {} } } }")
      eq("long", inspect({
        has_more = true,
        cursor = "c-123456789012345678901234567890",
        files = { { id = "a", size = 1 }, { id = "b", size = 2 } },
        nested = { deeper = { description = "a string long enough to push this table over the line width" } },
      }), ${lit(long)})
      eq("compact", inspect({ a = { b = 1 }, c = ("x"):rep(80) }, { compact = true }),
        '{ a = { b = 1 }, c = "' .. ("x"):rep(80) .. '" }')
      eq("depth", inspect({ a = { b = { c = {} } }, d = 1 }, { depth = 2 }), "{ a = { b = {...} }, d = 1 }")
      eq("depth 0", inspect({ 1 }, { depth = 0 }), "{...}")`,
    )
  })

  it('shows a table met twice once, with an id, and refers to it after: cycles too', async () => {
    await expectLua(
      fixtures.core,
      `local inspect = require "inspect"
      local root = { name = "root" }
      root.self = root
      eq("cycle", inspect(root), '<1>{ name = "root", self = <table 1> }')
      local shared = { 1, 2 }
      eq("shared", inspect({ a = shared, b = shared, c = { shared } }),
        "{ a = <1>{ 1, 2 }, b = <table 1>, c = { <table 1> } }")
      local a, b = {}, {}
      a.other, b.other = b, a
      eq("two-table cycle", inspect({ a, b }), "{ <1>{ other = <2>{ other = <table 1> } }, <table 2> }")
      local key = { "k" }
      eq("table as key", inspect({ [key] = key }), '{ [<1>{ "k" }] = <table 1> }')`,
    )
  })
})

describe('log', () => {
  it('records debug lines only when the log level says so (info by default)', async () => {
    const quiet = await run(
      fixtures.core,
      provider('require("log").debug("not recorded")'),
      'Quiet',
    )
    expect(quiet.status).toBe('completed')
    expect(linesOf(quiet.runId).some((l) => l.includes('not recorded'))).toBe(false)
    expect(linesOf(quiet.runId).some((l) => l.includes('run completed'))).toBe(true)
  })

  it('writes each level to the log file, tagged with run, provider, stage and the line', async () => {
    await fixtures.core.handlers.updateAppSettings({ logLevel: 'debug' })
    const outcome = await run(
      fixtures.core,
      provider(
        `local log = require "log"
        log.debug("listing", 3, "pages")
        log.info("page", { n = 1, ids = { "a", "b" } })
        log.warn("slow answer", 2.5, true, nil)
        skwirl.emit_file_id("f1")`,
        `function get_file_metadata(id)
          require("log").error("no metadata for", id)
          error("gone")
        end`,
      ),
      'Log Probe',
    )
    expect(outcome).toMatchObject({ status: 'completed', listed: 1, failed: 1 })
    const lines = linesOf(outcome.runId)
    const tag = `[run=${outcome.runId} provider="Log Probe"`
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\[debug\]/),
        expect.stringContaining(`${tag} stage=list] Log Probe:5: listing 3 pages`),
        expect.stringContaining(
          `${tag} stage=list] Log Probe:6: page { ids = { "a", "b" }, n = 1 }`,
        ),
        expect.stringContaining(`${tag} stage=list] Log Probe:7: slow answer 2.5 true nil`),
        expect.stringContaining(`${tag} file=f1 stage=metadata] Log Probe:11: no metadata for f1`),
      ]),
    )
    const levelOf = (text: string): string | undefined =>
      /\[(debug|info|warn|error)\]/.exec(lines.find((l) => l.includes(text)) ?? '')?.[1]
    expect(levelOf('listing 3 pages')).toBe('debug')
    expect(levelOf('page {')).toBe('info')
    expect(levelOf('slow answer')).toBe('warn')
    expect(levelOf('no metadata for')).toBe('error')
  })

  it('keeps one entry per line, cuts very long lines, and caps a chatty run', async () => {
    await fixtures.core.handlers.updateAppSettings({ logLevel: 'debug' })
    const outcome = await run(
      fixtures.core,
      provider(`local log = require "log"
        log.info("two\\nlines")
        log.info(("x"):rep(10000))
        for i = 1, 10005 do log.debug("spam", i) end`),
      'Chatty',
    )
    expect(runError(outcome)).toBe('')
    const lines = linesOf(outcome.runId)
    expect(lines.some((l) => l.endsWith('Chatty:5: two\\nlines'))).toBe(true)
    const long = lines.find((l) => l.includes('xxxx'))
    expect(long).toMatch(/x… \[[\d,]+ more characters cut]$/)
    expect(long?.length).toBeLessThan(8192 + 200)
    expect(lines.filter((l) => l.includes('spam')).length).toBe(10_000 - 2)
    expect(lines.filter((l) => l.includes('further print and log output')).length).toBe(1)
    expect(lines.some((l) => l.includes('spam 9998'))).toBe(true)
    expect(lines.some((l) => l.includes('spam 9999'))).toBe(false)
  })
})
