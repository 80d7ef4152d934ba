// A runner stuck inside a builtin, where the count hook cannot stop it, is killed by main's
// watchdog in bounded time; a runner that is waiting on the host is not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestCore, type TestCore } from '../support/fixtures'
import { luaLiteral, provider, run, runError, startLocalServer, type LocalServer } from './harness'

const CPU_MS = 500
const WATCHDOG_MS = 1500
/** The watchdog looks every 250 ms; the rest is runner start and a busy machine. */
const SLACK_MS = 3000
const WATCHDOG_MESSAGE = /the runner was killed: it neither called the host nor reported for \d+ s/

let core: TestCore
let server: LocalServer

beforeAll(async () => {
  core = startTestCore({ cpuMs: CPU_MS, watchdogMs: WATCHDOG_MS })
  server = await startLocalServer()
})

afterAll(async () => {
  await core.dispose()
  await server.close()
})

const stuck: Array<{ name: string; lua: string }> = [
  {
    // Backtracking over 20 greedy items never ends, and each try is inside str_find_aux.
    name: 'a pathological pattern',
    lua: 'string.find(string.rep("a", 40), string.rep("a*", 20) .. "b")',
  },
  {
    name: 'the pattern from the brief, or its "too complex" error',
    lua: `
      local ok, err = pcall(string.find, string.rep("a", 30000), string.rep("a?", 30000) .. string.rep("a", 30000))
      -- fengari caps pattern recursion at 200 levels, so this one fails fast: then go slow.
      assert(not ok and err:find("pattern too complex"), tostring(err))
      string.find(string.rep("a", 40), string.rep("a*", 20) .. "b")`,
  },
  {
    name: 'table.sort with a comparator that never returns',
    lua: 'table.sort({ 3, 2, 1 }, function(a, b) while true do end end)',
  },
  {
    name: 'a string.gsub callback that never returns, under pcall',
    lua: 'while true do pcall(string.gsub, "abc", "%w", function() while true do end end) end',
  },
  {
    name: 'an xpcall message handler that never returns',
    lua: 'xpcall(error, function() while true do end end)',
  },
  {
    name: 'a load reader that never returns',
    lua: 'load(function() while true do end end)',
  },
]

describe('the watchdog kills a runner stuck inside a builtin', () => {
  // Concurrently: the watchdog goes by wall-clock silence, which sharing the CPU does not change.
  it.concurrent.each(stuck)('$name', async ({ lua }) => {
    const outcome = await run(core, provider(lua))

    expect(outcome.status).toBe('failed')
    expect(runError(outcome)).toMatch(WATCHDOG_MESSAGE)
    expect(outcome.errors).toHaveLength(1)
    expect(outcome.ms).toBeGreaterThanOrEqual(WATCHDOG_MS)
    expect(outcome.ms).toBeLessThan(WATCHDOG_MS + SLACK_MS)
  })

  it('does not kill a runner that is waiting on a slow host call', async () => {
    const wait = WATCHDOG_MS + 1000
    const outcome = await run(
      core,
      provider(`
        local answer = http.get(${luaLiteral(`${server.url}/slow`)}, { params = { ms = ${wait} } })
        assert(answer.waited == ${wait}, "waited " .. tostring(answer.waited))`),
    )

    expect(runError(outcome)).toBe('')
    expect(outcome.status).toBe('completed')
    expect(outcome.ms).toBeGreaterThanOrEqual(wait)
  })
})
