// What a provider must not reach (files, processes, the environment, bytecode, the collector,
// debug) fails from Lua without effect; what it may use works. Each runs in a real runner.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { startTestCore, type TestCore } from '../support/fixtures'
import { binaryChunk, luaLiteral, provider, run, runError } from './harness'

let core: TestCore
let dir: string
/** A file that exists before each run: forbidden calls must neither remove nor change it. */
let keep: string

const KEEP_TEXT = 'must survive the sandbox\n'
const BINARY = luaLiteral(binaryChunk('return "bytecode ran"'))

/** A path in the temp dir, as a Lua literal, that no run may create. */
function target(name: string): { path: string; lua: string } {
  const path = join(dir, name)
  return { path, lua: luaLiteral(path) }
}

beforeAll(() => {
  core = startTestCore({ cpuMs: 2000, watchdogMs: 5000 })
  dir = mkdtempSync(join(tmpdir(), 'skwirl-sandbox-'))
  keep = join(dir, 'keep.lua')
})

beforeEach(() => {
  writeFileSync(keep, KEEP_TEXT)
})

afterAll(async () => {
  await core.dispose()
  rmSync(dir, { recursive: true, force: true })
})

interface Forbidden {
  name: string
  /** The body of list_file_ids; it should fail before doing anything. */
  lua: () => string
  error: RegExp
  /** Files that must not exist after the run. */
  absent?: () => string[]
}

const forbidden: Forbidden[] = [
  {
    name: 'io.open (writing a file)',
    lua: () => `local f = io.open(${target('io-open.txt').lua}, "w") f:write("x") f:close()`,
    error: /attempt to index a nil value \(global 'io'\)/,
    absent: () => [target('io-open.txt').path],
  },
  {
    name: 'io.popen (starting a process)',
    lua: () => `io.popen("touch " .. ${target('io-popen.txt').lua})`,
    error: /attempt to index a nil value \(global 'io'\)/,
    absent: () => [target('io-popen.txt').path],
  },
  {
    name: 'os.execute',
    lua: () => `os.execute("touch " .. ${target('os-execute.txt').lua})`,
    error: /attempt to call a nil value \(field 'execute'\)/,
    absent: () => [target('os-execute.txt').path],
  },
  {
    name: 'os.remove',
    lua: () => `os.remove(${luaLiteral(keep)})`,
    error: /attempt to call a nil value \(field 'remove'\)/,
  },
  {
    name: 'os.rename',
    lua: () => `os.rename(${luaLiteral(keep)}, ${target('renamed.lua').lua})`,
    error: /attempt to call a nil value \(field 'rename'\)/,
    absent: () => [target('renamed.lua').path],
  },
  {
    name: 'os.tmpname',
    lua: () => `os.tmpname()`,
    error: /attempt to call a nil value \(field 'tmpname'\)/,
  },
  {
    name: 'os.getenv',
    lua: () => `error("HOME is " .. tostring(os.getenv("HOME")))`,
    error: /attempt to call a nil value \(field 'getenv'\)/,
  },
  {
    name: 'os.exit',
    lua: () => `os.exit(0)`,
    error: /attempt to call a nil value \(field 'exit'\)/,
  },
  {
    name: 'require "os"',
    lua: () => `local os_lib = require "os"`,
    error:
      /require: there is no module "os"; the modules are aws, base64, crypto, http, inspect, json, log, skwirl, time, url, xml, yaml \(a provider cannot load files\)/,
  },
  {
    name: 'require of a file',
    lua: () => `require(${luaLiteral(keep.replace(/\.lua$/, ''))})`,
    error: /require: there is no module ".*"; the modules are /,
  },
  {
    name: 'package',
    lua: () => `package.path = ${luaLiteral(`${dir}/?.lua`)}`,
    error: /attempt to index a nil value \(global 'package'\)/,
  },
  {
    name: 'debug.getinfo',
    lua: () => `local info = debug.getinfo(1)`,
    error: /attempt to index a nil value \(global 'debug'\)/,
  },
  {
    name: 'debug.sethook',
    lua: () => `debug.sethook()`,
    error: /attempt to index a nil value \(global 'debug'\)/,
  },
  {
    name: 'dofile',
    lua: () => `dofile(${luaLiteral(keep)})`,
    error: /attempt to call a nil value \(global 'dofile'\)/,
  },
  {
    name: 'loadfile',
    lua: () => `loadfile(${luaLiteral(keep)})`,
    error: /attempt to call a nil value \(global 'loadfile'\)/,
  },
  {
    name: 'load of a binary chunk',
    lua: () => `local f = assert(load(${BINARY})) error(f())`,
    error: /attempt to load a binary chunk \(mode is 't'\)/,
  },
  {
    name: 'load of a binary chunk with mode "b" and an env',
    lua: () => `local f = assert(load(${BINARY}, "chunk", "b", {})) error(f())`,
    error: /attempt to load a binary chunk \(mode is 't'\)/,
  },
  {
    name: 'load of a binary chunk from a reader function',
    lua: () => `
      local parts = { ${BINARY} }
      local f = assert(load(function() return table.remove(parts, 1) end, "chunk", "bt"))
      error(f())`,
    error: /attempt to load a binary chunk \(mode is 't'\)/,
  },
  {
    name: 'load("\\27Lua...")',
    lua: () => `assert(load("\\27Lua\\83\\0"))`,
    error: /attempt to load a binary chunk \(mode is 't'\)/,
  },
  {
    name: 'string.dump',
    lua: () => `local bytes = string.dump(function() return 1 end)`,
    error: /attempt to call a nil value \(field 'dump'\)/,
  },
  {
    name: 'string.dump through a string value',
    lua: () => `local bytes = ("").dump(function() return 1 end)`,
    error: /attempt to call a nil value \(field 'dump'\)/,
  },
  {
    name: 'collectgarbage',
    lua: () => `collectgarbage("count")`,
    error: /attempt to call a nil value \(global 'collectgarbage'\)/,
  },
  {
    name: 'reaching a removed library through _G or load',
    lua: () => `
      local lib = rawget(_G, "io") or rawget(_G, "debug") or load("return io or debug or package")()
      assert(lib == nil, "found a removed library")
      io.write("x")`,
    error: /attempt to index a nil value \(global 'io'\)/,
  },
]

describe('forbidden things fail without effect', () => {
  it.each(forbidden)('$name', async ({ lua, error, absent }) => {
    const outcome = await run(core, provider(lua()))

    expect(outcome.status).toBe('failed')
    expect(outcome.errors).toHaveLength(1)
    expect(outcome.errors[0]?.stage).toBe('list')
    expect(runError(outcome)).toMatch(error)
    // The Lua error ended the run, not a dead runner (os.exit) or the watchdog.
    expect(runError(outcome)).toMatch(/^list: sandbox probe:\d+: /)
    for (const path of absent?.() ?? []) expect(existsSync(path), path).toBe(false)
    expect(readFileSync(keep, 'utf8')).toBe(KEEP_TEXT)
  })
})

const allowed: Array<{ name: string; lua: string }> = [
  {
    name: 'os.time, os.clock, os.date, os.difftime',
    lua: `
      local now = os.time()
      assert(math.type(now) == "integer" and now > 1.6e9, "os.time: " .. tostring(now))
      assert(os.time({ year = 2024, month = 1, day = 1, hour = 12 }) > 0)
      assert(type(os.clock()) == "number")
      -- (fengari's strftime ignores a leading "!", so formats are checked in local time)
      assert(os.date("%Y-%m", 1700000000) == "2023-11", os.date("%c", 1700000000))
      assert(os.date("!*t", 0).year == 1970 and os.date("*t").year >= 2024)
      assert(os.difftime(10, 4) == 6)`,
  },
  {
    name: 'string.format and string methods',
    lua: `
      local s = string.format("%05.1f|%s|%d|%q|%x", 3.14159, "x", 42, "q", 255)
      assert(s == '003.1|x|42|"q"|ff', s)
      assert(("abc"):upper() == "ABC")
      assert(("a,b,c"):gsub(",", ";") == "a;b;c")
      assert(select(3, ("key=value"):find("(%w+)=(%w+)")) == "key")`,
  },
  {
    name: 'table.sort, table.concat, table.insert, table.unpack',
    lua: `
      local t = { 3, 1, 2 }
      table.sort(t)
      assert(table.concat(t, ",") == "1,2,3")
      table.sort(t, function(a, b) return a > b end)
      assert(table.concat(t, ",") == "3,2,1")
      table.insert(t, 1, 4)
      assert(select("#", table.unpack(t)) == 4 and t[1] == 4)`,
  },
  {
    name: 'math.floor and friends',
    lua: `
      assert(math.floor(3.7) == 3 and math.ceil(3.2) == 4)
      assert(math.max(1, 5, 3) == 5 and math.huge > 1e308)
      assert(math.tointeger(4.0) == 4 and math.abs(-2) == 2)
      local r = math.random(1, 6)
      assert(r >= 1 and r <= 6)`,
  },
  {
    name: 'utf8.char and utf8.len',
    lua: `
      local s = utf8.char(72, 228, 8364)
      assert(s == "H\\xC3\\xA4\\xE2\\x82\\xAC", s)
      assert(utf8.len(s) == 3 and #s == 6)
      local cps = {}
      for _, c in utf8.codes(s) do cps[#cps + 1] = c end
      assert(table.concat(cps, ",") == "72,228,8364")`,
  },
  {
    name: 'coroutine.create/resume/yield/status/wrap/running/isyieldable',
    lua: `
      local co = coroutine.create(function(a)
        assert(coroutine.isyieldable())
        local b = coroutine.yield(a + 1)
        return b * 2
      end)
      assert(coroutine.status(co) == "suspended")
      local ok, v = coroutine.resume(co, 1)
      assert(ok and v == 2)
      ok, v = coroutine.resume(co, 5)
      assert(ok and v == 10 and coroutine.status(co) == "dead")
      assert(coroutine.resume(co) == false)
      local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)
      assert(gen() + gen() + gen() == 6)
      local _, main = coroutine.running()
      assert(type(main) == "boolean")
      local failing = coroutine.wrap(function() error("inner") end)
      local okw, err = pcall(failing)
      assert(not okw and err:find("inner"), tostring(err))`,
  },
  {
    name: 'pcall, xpcall and error',
    lua: `
      local ok, err = pcall(error, "boom", 0)
      assert(not ok and err == "boom")
      ok, err = pcall(function() error({ code = 7 }) end)
      assert(not ok and err.code == 7)
      ok, err = xpcall(function() error("x") end, function(m) return "handled: " .. m end)
      assert(not ok and err:find("^handled: "), err)
      assert(select("#", pcall(function() return 1, 2 end)) == 3)`,
  },
  {
    name: 'load of text, with and without an env',
    lua: `
      assert(load("return 1 + 1")() == 2)
      assert(load("return 40 + 2", "chunk", "t")() == 42)
      local env = { x = 5 }
      assert(load("return x", "chunk", "t", env)() == 5)
      load("y = 3", "chunk", "t", env)()
      assert(env.y == 3 and y == nil)
      local f, err = load("return +", "broken")
      assert(f == nil and err:find("broken"), tostring(err))
      local pieces = { "return ", "'pie", "ces'" }
      assert(load(function() return table.remove(pieces, 1) end)() == "pieces")`,
  },
  {
    name: 'setmetatable on own tables',
    lua: `
      local mt = { __index = function(_, k) return k .. "!" end, __add = function() return 99 end }
      local t = setmetatable({}, mt)
      assert(getmetatable(t) == mt and t.hi == "hi!" and t + t == 99)
      local locked = setmetatable({}, { __metatable = "mine" })
      assert(getmetatable(locked) == "mine")
      assert(not pcall(setmetatable, locked, {}))
      assert(rawget(setmetatable({ a = 1 }, {}), "a") == 1)
      local own = {}
      rawset(own, "k", "v")
      assert(own.k == "v")`,
  },
  {
    name: 'pairs, ipairs, next, select, tostring, tonumber, type',
    lua: `
      local n = 0
      for _ in pairs({ a = 1, b = 2 }) do n = n + 1 end
      for _ in ipairs({ 1, 2, 3 }) do n = n + 1 end
      assert(n == 5 and next({}) == nil and select("#", 1, 2) == 2)
      assert(tostring(12) == "12" and tonumber("0x10") == 16 and type(print) == "function")
      local libs = 0
      for _ in pairs(string) do libs = libs + 1 end
      assert(libs > 10, "pairs(string) saw " .. libs .. " entries")`,
  },
]

describe('allowed things work', () => {
  it.each(allowed)('$name', async ({ lua }) => {
    const outcome = await run(core, provider(lua))

    expect(runError(outcome)).toBe('')
    expect(outcome.status).toBe('completed')
  })

  it('print goes to the log file, not to stdout', async () => {
    const marker = `printed-${Math.random().toString(36).slice(2)}`
    const stdout = vi.spyOn(process.stdout, 'write')
    try {
      const outcome = await run(core, provider(`print("${marker}", 1, nil, true)`))

      expect(runError(outcome)).toBe('')
      expect(outcome.status).toBe('completed')
      const line = core
        .readLog()
        .split('\n')
        .find((l) => l.includes(marker))
      expect(line).toBeDefined()
      expect(line).toContain(`print: ${marker}\t1\tnil\ttrue`)
      expect(line).toContain('provider="sandbox probe"')
      const written = stdout.mock.calls.map((call) => String(call[0])).join('')
      expect(written).not.toContain(marker)
    } finally {
      stdout.mockRestore()
    }
  })
})
