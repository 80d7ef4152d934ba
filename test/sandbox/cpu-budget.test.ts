// A script that computes without calling the host for longer than its CPU budget is stopped,
// and no pcall, error handler or coroutine lets it escape. The watchdog is set far above the
// budget here, so a run that ends in time was ended by the budget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestCore, type TestCore } from '../support/fixtures'
import { provider, run, runError } from './harness'

const CPU_MS = 1000
/**
 * Far above the budget: on a machine shared by many processes, 1 s of CPU can take several
 * seconds of wall time, and the watchdog (wall time) must not get there first.
 */
const WATCHDOG_MS = 30_000
/** How long after the budget a run may take to end (runner start, CPU shared with other work). */
const SLACK_MS = WATCHDOG_MS - CPU_MS
const BUDGET_MESSAGE = /ran for more than 1 s of CPU without calling the host and was stopped/

let core: TestCore

beforeAll(() => {
  core = startTestCore({ cpuMs: CPU_MS, watchdogMs: WATCHDOG_MS })
})

afterAll(async () => {
  await core.dispose()
})

const runaways: Array<{ name: string; lua: string }> = [
  { name: 'while true do end', lua: 'while true do end' },
  {
    name: 'an endless loop inside pcall, inside an endless loop',
    lua: 'while true do pcall(function() while true do end end) end',
  },
  {
    name: 'pcall that catches errors over and over',
    lua: 'while true do local ok, err = pcall(error, { "caught" }) assert(not ok) end',
  },
  {
    name: 'xpcall whose handler swallows everything',
    lua: `
      while true do
        xpcall(function() while true do error("again") end end, function(e) return e end)
      end`,
  },
  {
    name: 'error raised and caught inside the loop body',
    lua: `
      local n = 0
      while true do
        local ok = pcall(function() n = n + 1 if n % 2 == 0 then error("even") end end)
      end`,
  },
  {
    name: 'a loop inside coroutine.wrap',
    lua: 'coroutine.wrap(function() while true do end end)()',
  },
  {
    name: 'a loop inside coroutine.resume, resumed again whenever it yields or fails',
    lua: `
      local co = coroutine.create(function() while true do end end)
      while true do
        local ok, err = coroutine.resume(co)
        if coroutine.status(co) == "dead" then
          co = coroutine.create(function() while true do end end)
        end
      end`,
  },
  {
    name: 'a wrapped coroutine called under pcall, over and over',
    lua: `
      while true do
        pcall(coroutine.wrap(function() while true do pcall(function() while true do end end) end end))
      end`,
  },
  {
    name: 'nested coroutines two levels deep',
    lua: `
      coroutine.wrap(function()
        local inner = coroutine.create(function() while true do local x = {} end end)
        while true do coroutine.resume(inner) end
      end)()`,
  },
  {
    name: 'string work in a loop',
    lua: 'local s = "" while true do s = (s .. "x"):sub(-100):upper():lower() end',
  },
  {
    name: 'print in a loop',
    lua: 'while true do print("spam") end',
  },
  {
    name: 'emitting ids in a loop',
    lua: 'local i = 0 while true do i = i + 1 skwirl.emit_file_id("id-" .. (i % 100)) end',
  },
]

describe('the CPU budget stops a runaway script', () => {
  it.each(runaways)('$name', async ({ lua }) => {
    const outcome = await run(core, provider(lua))

    expect(outcome.status).toBe('failed')
    expect(runError(outcome)).toMatch(BUDGET_MESSAGE)
    expect(outcome.errors).toEqual([{ fileId: null, stage: 'list', message: expect.any(String) }])
    expect(outcome.ms).toBeLessThan(CPU_MS + SLACK_MS)
  })

  it('in the top-level chunk (stage load)', async () => {
    const outcome = await run(core, `${provider('')}\nwhile true do end`)

    expect(outcome.status).toBe('failed')
    expect(runError(outcome)).toMatch(BUDGET_MESSAGE)
    expect(outcome.errors[0]?.stage).toBe('load')
    expect(outcome.ms).toBeLessThan(CPU_MS + SLACK_MS)
  })

  it('in get_file_metadata it ends the run, not just the file', async () => {
    const outcome = await run(
      core,
      provider(
        'skwirl.emit_file_id("a") skwirl.emit_file_id("b")',
        'function get_file_metadata(id) while true do pcall(error, id) end end',
      ),
    )

    expect(outcome.status).toBe('failed')
    expect(outcome.listed).toBe(2)
    expect(outcome.errors).toHaveLength(1)
    expect(outcome.errors[0]?.stage).toBe('metadata')
    expect(runError(outcome)).toMatch(BUDGET_MESSAGE)
    expect(outcome.ms).toBeLessThan(CPU_MS + SLACK_MS)
  })
})
