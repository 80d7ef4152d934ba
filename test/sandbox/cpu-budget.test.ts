// A script that computes without calling the host for longer than its CPU budget is stopped,
// wherever it is (inside a builtin's callback, a metamethod the host runs), and no pcall, error
// handler or coroutine lets it escape. The watchdog is set far above the budget (in CPU time,
// as the budget is), so a run that ends with the budget's message was ended by the budget: no
// assertion here depends on the machine's pace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestCore, type TestCore } from '../support/fixtures'
import { provider, run, runError } from './harness'

const CPU_MS = 1000
const WATCHDOG_MS = 10_000
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
  })

  it('in the top-level chunk (stage load)', async () => {
    const outcome = await run(core, `${provider('')}\nwhile true do end`)

    expect(outcome.status).toBe('failed')
    expect(runError(outcome)).toMatch(BUDGET_MESSAGE)
    expect(outcome.errors[0]?.stage).toBe('load')
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
  })
})

// Where Lua cannot yield (a function a builtin or the host calls), the count hook could only
// try again later, and the prints or ids such a loop sent kept main's watchdog from firing: these
// ran for ever. Each says where it was stopped.
const holes: Array<{ name: string; lua: string; where: RegExp }> = [
  {
    name: 'a table.sort comparator',
    lua: 'table.sort({ 3, 2, 1 }, function(a, b)\n  while true do print("comparing") end\nend)',
    where: /^list: sandbox probe:5: in the function at line 4: /,
  },
  {
    name: 'a string.gsub callback, under pcall, over and over',
    lua: 'while true do\n  pcall(string.gsub, "abc", "%w", function() while true do print("x") end end)\nend',
    where: /^list: sandbox probe:\d: in /,
  },
  {
    // xpcall (and load, below) catch what the handler (the reader) raised: the script stops on
    // its next step, back in list_file_ids.
    name: 'an xpcall message handler',
    lua: 'xpcall(error, function()\n  while true do print("handling") end\nend)',
    where: /^list: sandbox probe:4: in list_file_ids: /,
  },
  {
    name: 'an xpcall handler inside a sort comparator, under pcall',
    lua: `while true do
  pcall(table.sort, { 2, 1 }, function()
    xpcall(function() while true do end end, function() while true do print("h") end end)
  end)
end`,
    where: /^list: sandbox probe:\d: in /,
  },
  {
    name: 'a load reader',
    lua: 'load(function()\n  while true do print("reading") end\nend)',
    where: /^list: sandbox probe:4: in list_file_ids: /,
  },
  {
    name: 'a __tostring that print calls',
    lua: 'print(setmetatable({}, { __tostring = function()\n  while true do skwirl.emit_file_id("x") end\nend }))',
    where: /^list: sandbox probe:5: in the function at line 4: /,
  },
]

describe('the CPU budget stops a script where Lua cannot yield', () => {
  it.each(holes)('$name', async ({ lua, where }) => {
    const outcome = await run(core, provider(lua))

    expect(outcome.status).toBe('failed')
    expect(runError(outcome)).toMatch(BUDGET_MESSAGE)
    expect(runError(outcome)).toMatch(where)
    expect(outcome.errors).toHaveLength(1)
  })

  it('an __index the host runs while it reads the metadata', async () => {
    const outcome = await run(
      core,
      provider(
        'skwirl.emit_file_id("a")',
        `function get_file_metadata(id)
  return setmetatable({}, { __index = function(t, key)
    while true do print("looking up " .. key) end
  end })
end`,
      ),
    )

    expect(outcome.status).toBe('failed')
    expect(outcome.errors).toEqual([
      {
        fileId: null,
        stage: 'metadata',
        message: expect.stringMatching(
          /^sandbox probe:8: in the function at line 7: the script ran for more than 1 s/,
        ),
      },
    ])
  })

  it('an __index that raises while the host reads the metadata fails that file only', async () => {
    const outcome = await run(
      core,
      provider(
        'skwirl.emit_file_id("a") skwirl.emit_file_id("b")',
        `function get_file_metadata(id)
  return setmetatable({}, { __index = function(t, key) error("no field " .. key) end })
end`,
      ),
    )

    expect(outcome).toMatchObject({ status: 'completed', listed: 2, failed: 2 })
    // The first field the host reads: skip (a file not to be backed up says so there).
    expect(outcome.errors[0]?.message).toMatch(/^sandbox probe:7: no field skip$/)
  })
})
