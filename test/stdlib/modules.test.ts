// The modules inside the sandbox: require hands out exactly these, each read-only like the
// libraries, and a loop that calls only pure module functions is as runaway as any other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestCore, type TestCore } from '../support/fixtures'
import { expectLua, provider, run, runError } from './harness'

const CPU_MS = 1000

let core: TestCore

beforeAll(() => {
  // The watchdog (CPU time too) far above the budget: the budget's message is proof enough that
  // the budget stopped a loop, on a machine of any pace.
  core = startTestCore({ cpuMs: CPU_MS, watchdogMs: 10_000 })
})

afterAll(async () => {
  await core.dispose()
})

const MODULES = [
  'aws',
  'base64',
  'crypto',
  'http',
  'inspect',
  'json',
  'log',
  'skwirl',
  'time',
  'url',
  'xml',
  'yaml',
]

describe('require', () => {
  it('hands out each module, the same table every time; http and skwirl are the globals', async () => {
    await expectLua(
      core,
      `for _, name in ipairs({ ${MODULES.map((m) => `"${m}"`).join(', ')} }) do
        local m = require(name)
        assert(type(m) == "table", name .. " is a " .. type(m))
        eq(name .. " twice", require(name), m)
      end
      eq("http", require "http", http)
      eq("skwirl", require "skwirl", skwirl)
      eq("storage", require("skwirl").storage, skwirl.storage)
      eq("not globals", json or base64 or crypto or time or url or log or inspect, nil)
      eq("the functions are there", type(require("json").encode), "function")`,
    )
  })

  it('fails for any other name with a message that lists the modules', async () => {
    const list = MODULES.join(', ')
    await expectLua(
      core,
      `fails("socket", 'require: there is no module "socket"; the modules are ${list} %(a provider cannot load files%)',
        require, "socket")
      fails("a path", 'there is no module "%./secrets"', require, "./secrets")
      fails("io", 'there is no module "io"', require, "io")
      fails("string", 'there is no module "string"', require, "string")
      fails("a number", "there is no module a number", require, 42)
      fails("nothing", "there is no module a nil", require)
      eq("package stays out", package, nil)`,
    )
  })

  it('an uncaught require failure names the provider, function and line', async () => {
    const outcome = await run(core, provider('local lfs = require "lfs"'))
    expect(runError(outcome)).toMatch(
      /^list: sandbox probe:4: in list_file_ids: require: there is no module "lfs"; the modules are /,
    )
  })
})

describe('module tables are read-only', () => {
  const attempts: Array<{ name: string; lua: string; error: RegExp }> = [
    {
      name: 'json.encode = nil',
      lua: 'require("json").encode = nil',
      error: /the json library cannot be changed \(tried to set encode\)/,
    },
    {
      name: 'json.null replaced',
      lua: 'local json = require "json" json.null = false',
      error: /the json library cannot be changed/,
    },
    {
      name: 'rawset on a module',
      lua: 'rawset(require("crypto"), "md5", print)',
      error: /library tables cannot be changed/,
    },
    {
      name: 'setmetatable on a module',
      lua: 'setmetatable(require("base64"), {})',
      error: /cannot change a protected metatable/,
    },
    {
      name: 'the table pairs() hands out',
      lua: 'local _, lib = pairs(require("time")) rawset(lib, "now", print) lib.now = print',
      error: /(the time library|library tables) cannot be changed/,
    },
    {
      name: 'skwirl.storage.get replaced',
      lua: 'skwirl.storage.get = function() return "forged" end',
      error: /the skwirl.storage library cannot be changed/,
    },
    {
      name: 'skwirl.storage replaced',
      lua: 'skwirl.storage = {}',
      error: /the skwirl library cannot be changed/,
    },
    {
      name: 'http.request replaced',
      lua: 'require("http").request = print',
      error: /the http library cannot be changed/,
    },
    {
      name: 'log.info replaced',
      lua: 'require("log").info = print',
      error: /the log library cannot be changed/,
    },
    {
      name: 'inspect.inspect replaced',
      lua: 'require("inspect").inspect = tostring',
      error: /the inspect library cannot be changed/,
    },
  ]

  it.each(attempts)('$name', async ({ lua, error }) => {
    const outcome = await run(
      core,
      provider(`
        local ok, err = pcall(function() ${lua} end)
        assert(not ok, "the change went through")
        assert(require("json").encode({ 1 }) == "[1]" and require("crypto").md5("") == "d41d8cd98f00b204e9800998ecf8427e")
        assert(require("time").now() > 0 and type(require("inspect")({})) == "string")
        assert(type(skwirl.storage.get) == "function" and type(http.request) == "function")
        error("refused: " .. tostring(err), 0)`),
    )
    expect(runError(outcome)).toMatch(/^list: sandbox probe:\d+: in list_file_ids: refused: /)
    expect(runError(outcome)).toMatch(error)
  })
})

describe('pure module functions do not reset the CPU budget', () => {
  const loops: Array<{ name: string; lua: string }> = [
    {
      name: 'json.encode',
      lua: 'local json = require "json" while true do json.encode({ 1, 2, { a = "b" } }) end',
    },
    {
      name: 'json.decode',
      lua: 'local json = require "json" while true do json.decode("[1,2,{\\"a\\":null}]") end',
    },
    {
      name: 'crypto.sha256',
      lua: 'local crypto = require "crypto" while true do crypto.sha256("abc") end',
    },
    {
      name: 'base64.encode',
      lua: 'local b = require "base64" while true do b.decode(b.encode("abc")) end',
    },
    {
      name: 'url.query',
      lua: 'local url = require "url" while true do url.query({ a = 1, b = "x y" }) end',
    },
    {
      name: 'time.now and time.parse',
      lua: 'local t = require "time" while true do t.parse("2024-01-01T00:00:00Z") t.now() end',
    },
    {
      name: 'inspect',
      lua: 'local inspect = require "inspect" while true do inspect({ 1, { 2 } }) end',
    },
    {
      name: 'log (its lines are capped too)',
      lua: 'local log = require "log" while true do log.debug("spin") end',
    },
    { name: 'require', lua: 'while true do require "json" end' },
  ]

  it.each(loops)('$name in a tight loop is stopped', async ({ lua }) => {
    const outcome = await run(core, provider(lua))
    expect(outcome.status).toBe('failed')
    expect(runError(outcome)).toMatch(
      /^list: sandbox probe:4: in list_file_ids: the script ran for more than 1 s of CPU without calling the host and was stopped$/,
    )
  })
})
