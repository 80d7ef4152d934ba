// Host calls made inside the provider's own coroutines return their real results, failed ones
// can be caught, misuse raises clear errors, and a runaway run leaves a parallel run alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestCore, type TestCore } from '../support/fixtures'
import {
  luaLiteral,
  provider,
  run,
  runError,
  smallProvider,
  startLocalServer,
  type LocalServer,
} from './harness'

const CPU_MS = 3000

let core: TestCore
let server: LocalServer
/** Lua that defines URL as the local server's base URL. */
let base: string

beforeAll(async () => {
  // The watchdog (wall time) far above the budget: a loaded machine stretches 3 s of CPU.
  core = startTestCore({ cpuMs: CPU_MS, watchdogMs: 30_000 })
  server = await startLocalServer()
  base = `local URL = ${luaLiteral(server.url)}`
})

afterAll(async () => {
  await core.dispose()
  await server.close()
})

/** Runs `lua` as list_file_ids and expects it to complete (its asserts are the checks). */
async function expectCompletes(lua: string): Promise<void> {
  const outcome = await run(core, provider(`${base}\n${lua}`))
  expect(runError(outcome)).toBe('')
  expect(outcome.status).toBe('completed')
}

describe('host calls inside the provider’s own coroutines', () => {
  it('http.get inside coroutine.wrap', async () => {
    await expectCompletes(`
      local r = coroutine.wrap(function() return http.get(URL .. "/json") end)()
      assert(type(r) == "table" and r.answer == 42, "got " .. tostring(r))
      assert(r.items[1] == "a" and #r.items == 3)`)
  })

  it('http.get inside coroutine.resume(coroutine.create(...))', async () => {
    await expectCompletes(`
      local co = coroutine.create(function(path) return http.get(URL .. path), "after" end)
      local ok, r, after = coroutine.resume(co, "/text")
      assert(ok, tostring(r))
      assert(r == "plain text" and after == "after", "got " .. tostring(r) .. ", " .. tostring(after))
      assert(coroutine.status(co) == "dead")`)
  })

  it('nested two levels deep, mixed with the provider’s own yields', async () => {
    const before = server.requests.length
    await expectCompletes(`
      local outer = coroutine.wrap(function()
        local inner = coroutine.create(function()
          local r = http.get(URL .. "/json")
          for _, item in ipairs(r.items) do coroutine.yield(item) end
          return http.get(URL .. "/text")
        end)
        local seen = {}
        while true do
          local ok, v = coroutine.resume(inner)
          assert(ok, tostring(v))
          seen[#seen + 1] = v
          if coroutine.status(inner) == "dead" then break end
          coroutine.yield(#seen)
        end
        return table.concat(seen, ",")
      end)
      assert(outer() == 1 and outer() == 2 and outer() == 3)
      local all = outer()
      assert(all == "a,b,c,plain text", all)`)
    expect(server.requests.slice(before)).toEqual(['/json', '/text'])
  })

  it('a whole run whose every host call is made inside coroutines', async () => {
    const outcome = await run(
      core,
      `${base}
      function list_file_ids()
        coroutine.wrap(function()
          local listing = coroutine.wrap(function() return http.get(URL .. "/ids") end)()
          for _, id in ipairs(listing.ids) do skwirl.emit_file_id(id) end
        end)()
      end
      function get_file_metadata(id)
        local ok, meta = coroutine.resume(coroutine.create(function()
          http.get(URL .. "/json")
          return { name = id, path = "/" .. id, checksum = "", size = 16, modified_time = "t" }
        end))
        assert(ok, tostring(meta))
        return meta
      end
      function download_file(id)
        coroutine.wrap(function() skwirl.download_url(URL .. "/file/" .. id) end)()
      end`,
    )

    expect(runError(outcome)).toBe('')
    expect(outcome).toMatchObject({ status: 'completed', listed: 3, downloaded: 3, bytes: 48 })
  })

  it('pcall(http.get, bad_url) catches the error and the script goes on', async () => {
    await expectCompletes(`
      local ok, err = pcall(http.get, URL .. "/missing")
      assert(not ok and err:find("HTTP 404: Not found: /missing.", 1, true), tostring(err))
      ok, err = pcall(http.get, "not a url")
      assert(not ok and err:find("not a valid URL"), tostring(err))
      ok, err = pcall(http.get, "file:///etc/passwd")
      assert(not ok and err:find("only http and https"), tostring(err))
      ok, err = coroutine.wrap(function() return pcall(http.get, URL .. "/gone") end)()
      assert(not ok and err:find("HTTP 404"), tostring(err))
      assert(http.get(URL .. "/json").answer == 42)`)
  })

  it('an uncaught host error fails the run with main’s message and the line', async () => {
    const outcome = await run(core, provider(`${base}\nhttp.get(URL .. "/missing")`))

    expect(outcome.status).toBe('failed')
    expect(runError(outcome)).toBe(
      'list: sandbox probe:5: in list_file_ids: HTTP 404: Not found: /missing.',
    )
  })

  it('a host call from where Lua cannot pause fails clearly and is never made', async () => {
    const before = server.requests.length
    await expectCompletes(`
      local function check(who, ok, err)
        assert(not ok, "the call inside the builtin's callback went through")
        local expected = who .. " cannot wait for the host here: Lua cannot pause inside a function that a builtin calls"
        assert(err:find(expected, 1, true), err)
      end
      check("http.get",
        pcall(table.sort, { 2, 1 }, function(a, b) http.get(URL .. "/never-1") return a < b end))
      check("a host call (http, skwirl.storage, skwirl.download_url)",
        pcall(string.gsub, "x", "x", function() coroutine.wrap(http.get)(URL .. "/never-2") end))
      assert(http.get(URL .. "/text") == "plain text")
      local plain = coroutine.wrap(function() coroutine.yield("mine") end)()
      assert(plain == "mine", tostring(plain))`)
    expect(server.requests.slice(before)).toEqual(['/text'])
  })

  it('a plain yield after such a failure does not make the failed call', async () => {
    const before = server.requests.length
    const outcome = await run(
      core,
      provider(`${base}
        pcall(table.sort, { 2, 1 }, function(a, b) http.get(URL .. "/never") return a < b end)
        pcall(table.sort, { 2, 1 }, function(a, b) coroutine.wrap(http.get)(URL .. "/never") end)
        coroutine.yield()`),
    )

    expect(outcome.status).toBe('failed')
    expect(runError(outcome)).toBe(
      'list: sandbox probe:7: in list_file_ids: attempt to yield from outside a coroutine',
    )
    expect(server.requests.slice(before)).toEqual([])
  })
})

describe('misused host functions raise clear errors', () => {
  const misuses: Array<{ name: string; lua: string; error: string }> = [
    {
      name: 'emit_file_id(123)',
      lua: 'skwirl.emit_file_id(123)',
      error: 'skwirl.emit_file_id: expected a non-empty string id, got number',
    },
    {
      name: 'emit_file_id("")',
      lua: 'skwirl.emit_file_id("")',
      error: 'skwirl.emit_file_id: expected a non-empty string id, got an empty string',
    },
    {
      name: 'emit_file_id()',
      lua: 'skwirl.emit_file_id()',
      error: 'skwirl.emit_file_id: expected a non-empty string id, got no value',
    },
    {
      name: 'http.get(42)',
      lua: 'http.get(42)',
      error: 'http.get: the url (argument 1) must be a string, got number',
    },
    {
      name: 'http.get(url, "options")',
      lua: 'http.get("http://127.0.0.1:1/", "options")',
      error: 'http.get: the options (argument 2) must be a table, got string',
    },
    {
      name: 'http.get with a table as a header value',
      lua: 'http.get("http://127.0.0.1:1/", { headers = { x = {} } })',
      error: 'http.get: options.headers.x must be a string, number or boolean, got table',
    },
    {
      name: 'download_url outside download_file',
      lua: 'skwirl.download_url("http://127.0.0.1:1/")',
      error: 'skwirl.download_url: can only be called from download_file',
    },
  ]

  it.each(misuses)('$name', async ({ lua, error }) => {
    const outcome = await run(core, provider(lua))

    expect(outcome.status).toBe('failed')
    expect(runError(outcome)).toBe(`list: sandbox probe:4: in list_file_ids: ${error}`)
  })

  it('emit_file_id outside list_file_ids fails that file', async () => {
    const outcome = await run(
      core,
      provider(
        'skwirl.emit_file_id("a")',
        'function get_file_metadata(id) skwirl.emit_file_id("b") end',
      ),
    )

    expect(outcome).toMatchObject({ status: 'completed', listed: 1, failed: 1 })
    expect(outcome.errors).toEqual([
      {
        fileId: 'a',
        stage: 'metadata',
        message:
          'sandbox probe:6: in get_file_metadata: skwirl.emit_file_id: can only be called from list_file_ids',
      },
    ])
  })
})

describe('a runaway run leaves the app and a parallel run alone', () => {
  it('a small provider completes while a runaway script spins', async () => {
    const runaway = core.runs.start({
      id: 'runaway',
      name: 'runaway',
      code: provider(`${base}\npcall(http.get, URL .. "/runaway-started") while true do end`),
    })
    // The runaway asks for this (a 404 it ignores) just before it starts spinning.
    await server.requested('/runaway-started')

    const normal = await run(core, smallProvider(server.url), 'small provider')

    expect(runError(normal)).toBe('')
    expect(normal).toMatchObject({ status: 'completed', listed: 3, downloaded: 3, bytes: 48 })
    const state = core.runs.list().find((r) => r.runId === runaway.runId)
    expect(state?.status).toBe('running')

    const stopped = await runaway.done
    expect(stopped.status).toBe('failed')
    expect(runError(stopped)).toMatch(/ran for more than 3 s of CPU/)
  })

  it('cancelling a runaway run leaves the other runs and the core working', async () => {
    const runaway = core.runs.start({
      id: 'runaway-cancel',
      name: 'runaway',
      code: provider(`${base}\npcall(http.get, URL .. "/runaway-cancel") while true do end`),
    })
    await server.requested('/runaway-cancel')

    expect(core.runs.cancel(runaway.runId)).toBe(true)
    const cancelled = await runaway.done
    expect(cancelled.status).toBe('cancelled')

    const normal = await run(core, smallProvider(server.url), 'small provider')
    expect(normal).toMatchObject({ status: 'completed', downloaded: 3 })
  })
})
