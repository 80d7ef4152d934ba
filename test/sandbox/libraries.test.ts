// Library tables and the string metatable cannot be changed from Lua, and nothing a run does
// survives into the next run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestCore, type TestCore } from '../support/fixtures'
import { provider, run, runError } from './harness'

let core: TestCore

beforeAll(() => {
  core = startTestCore({ cpuMs: 2000, watchdogMs: 5000 })
})

afterAll(async () => {
  await core.dispose()
})

/** Checks, in Lua, that every library still works as shipped. */
const LIBRARIES_WORK = `
  assert(string.upper("a") == "A" and ("a"):upper() == "A", "string.upper is broken")
  assert(("x"):rep(3) == "xxx" and #string.format("%d", 12) == 2, "string methods are broken")
  assert(rawget(string, "x") == nil and string.x == nil, "string gained a field")
  local t = {}
  table.insert(t, 1)
  assert(t[1] == 1 and table.concat({ 1, 2 }, ",") == "1,2", "table.insert is broken")
  assert(math.floor(1.5) == 1 and math.pi > 3.14, "math is broken")
  assert(type(os.time()) == "number" and type(os.clock) == "function", "os is broken")
  assert(utf8.char(65) == "A", "utf8 is broken")
  assert(type(coroutine.wrap) == "function" and type(coroutine.resume) == "function")
  assert(type(http.get) == "function" and type(skwirl.emit_file_id) == "function")
  assert(getmetatable("") == false, "getmetatable(\\"\\") handed out " .. tostring(getmetatable("")))
`

const attempts: Array<{ name: string; lua: string; error: RegExp }> = [
  {
    name: 'string.upper = nil',
    lua: 'string.upper = nil',
    error: /the string library cannot be changed \(tried to set upper\)/,
  },
  {
    name: "rawset(string, 'x', 1)",
    lua: 'rawset(string, "x", 1)',
    error: /library tables cannot be changed/,
  },
  {
    name: 'setmetatable(string, {})',
    lua: 'setmetatable(string, { __index = function() return "hacked" end })',
    error: /cannot change a protected metatable/,
  },
  {
    name: 'getmetatable("").__index = {}',
    lua: 'getmetatable("").__index = { upper = function() return "hacked" end }',
    error: /attempt to index a boolean value/,
  },
  {
    name: 'getmetatable("").__metatable cannot be taken off',
    lua: 'local mt = getmetatable("") assert(mt, "no metatable") mt.__metatable = nil',
    error: /no metatable/,
  },
  {
    name: 'table.insert = print',
    lua: 'table.insert = print',
    error: /the table library cannot be changed \(tried to set insert\)/,
  },
  {
    name: 'math.floor through table.insert',
    lua: 'table.insert(math, function() end)',
    error: /the math library cannot be changed/,
  },
  {
    name: 'os.time = nil',
    lua: 'os.time = nil',
    error: /the os library cannot be changed \(tried to set time\)/,
  },
  {
    name: 'coroutine.resume replaced',
    lua: 'coroutine.resume = function() return true end',
    error: /the coroutine library cannot be changed/,
  },
  {
    name: 'http.get replaced',
    lua: 'http.get = function() return {} end',
    error: /the http library cannot be changed/,
  },
  {
    name: 'skwirl.emit_file_id replaced',
    lua: 'skwirl.emit_file_id = print',
    error: /the skwirl library cannot be changed/,
  },
  {
    name: 'the table pairs() hands out is read-only too',
    lua: 'local _, lib = pairs(string) lib.upper = nil rawset(lib, "upper", nil)',
    error: /(the string library|library tables) cannot be changed/,
  },
  {
    name: 'the table next() walks is read-only too',
    lua: 'local iter, lib = pairs(table) rawset(lib, "insert", print) lib.insert = print',
    error: /(the table library|library tables) cannot be changed/,
  },
]

describe('library tables and the string metatable cannot be changed', () => {
  it.each(attempts)('$name', async ({ lua, error }) => {
    // The attempt is caught so the run can go on to check that every library still works;
    // the refusal is then raised as the run's error so the test can read it.
    const outcome = await run(
      core,
      provider(`
        local ok, err = pcall(function() ${lua} end)
        assert(not ok, "the change went through")
        ${LIBRARIES_WORK}
        error("refused: " .. tostring(err), 0)`),
    )

    expect(outcome.status).toBe('failed')
    // error(…, 0) gives no position; the host adds where it surfaced.
    expect(runError(outcome)).toMatch(/^list: sandbox probe:\d+: in list_file_ids: refused: /)
    expect(runError(outcome)).toMatch(error)
  })

  it('globals that shadow a library do not change it for the string metatable', async () => {
    const outcome = await run(
      core,
      provider(`
        string = { upper = function() return "shadowed" end }
        assert(string.upper("a") == "shadowed")
        assert(("a"):upper() == "A", "the string metatable followed the global")`),
    )

    expect(runError(outcome)).toBe('')
    expect(outcome.status).toBe('completed')
  })
})

describe('each run gets a fresh Lua state', () => {
  const code = (change: string): string =>
    provider(`
      assert(leak == nil, "leak survived from another run: " .. tostring(leak))
      assert(tostring(1) == "1", "tostring survived from another run")
      assert(math.floor(1.5) == 1, "math survived from another run")
      assert(getmetatable(_G) == nil, "the globals' metatable survived from another run")
      assert(marker_table == nil, "a table survived from another run")
      ${change}`)

  it('what run A sets is gone in run B', async () => {
    const a = await run(
      core,
      code(`
        leak = 42
        marker_table = { 1, 2, 3 }
        tostring = function() return "hacked" end
        math = { floor = function() return "hacked" end }
        setmetatable(_G, { __index = function(_, k) return "from A: " .. k end })
        assert(leak == 42 and tostring(1) == "hacked" and undefined_global == "from A: undefined_global")`),
    )
    expect(runError(a)).toBe('')
    expect(a.status).toBe('completed')

    const b = await run(core, code(''))

    expect(runError(b)).toBe('')
    expect(b.status).toBe('completed')
  })
})
