// A runner stuck inside a builtin, where the count hook cannot stop it, is killed by main's
// watchdog once it has computed for the watchdog's limit without calling the host, whatever it
// sends meanwhile; a runner that is waiting on the host is not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestCore, type TestCore } from '../support/fixtures'
import { luaLiteral, provider, run, runError, startLocalServer, type LocalServer } from './harness'

const CPU_MS = 500
const WATCHDOG_MS = 1500
const WATCHDOG_MESSAGE =
  /the runner was killed: it computed for more than \d+ s without calling the host \(a builtin/

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
    // Each match takes a fraction of a second; the prints between them were taken as signs of
    // life, and the few instructions around them never spend the CPU budget.
    name: 'pattern matches one after another, printing between them',
    lua: 'while true do print("alive") string.find(string.rep("a", 20), string.rep("a*", 6) .. "b") end',
  },
]

describe('the watchdog kills a runner stuck inside a builtin', () => {
  // The watchdog goes by the runner's CPU time (not the wall clock, not its messages): the
  // message says it was the watchdog, and a runner cannot compute 1.5 s in less time.
  it.concurrent.each(stuck)('$name', async ({ lua }) => {
    const outcome = await run(core, provider(lua))

    expect(outcome.status).toBe('failed')
    expect(runError(outcome)).toMatch(WATCHDOG_MESSAGE)
    expect(outcome.errors).toHaveLength(1)
    expect(outcome.ms).toBeGreaterThanOrEqual(WATCHDOG_MS)
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
