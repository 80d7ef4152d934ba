// Errors that help: a provider's error names the provider, the function and the line, in the run's
// outcome, in the log and in `skwirl run --json`; pcall and error work across host calls.
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FAST_HTTP_ENV, makeDataDir, REPO_ROOT } from '../support/fixtures'
import { expectLua, lit, run, useStdlibFixtures } from './harness'

const fixtures = useStdlibFixtures()

/** A provider listing one id, with its three functions given as Lua source (line 1 onward). */
function provider(lines: string[]): string {
  return lines.join('\n')
}

const LISTS_A = 'function list_file_ids() skwirl.emit_file_id("a") end'
const DOWNLOADS = 'function download_file(id) error("not reached") end'

async function errorsOf(code: string, name = 'Acme Drive'): Promise<string[]> {
  const outcome = await run(fixtures.core, code, name)
  return outcome.errors.map((e) => `${e.stage}${e.fileId ? ` ${e.fileId}` : ''}: ${e.message}`)
}

describe('an error names the provider, the function and the line', () => {
  it('in a global function', async () => {
    expect(
      await errorsOf(
        provider([
          LISTS_A,
          DOWNLOADS,
          'function get_file_metadata(id)',
          '  error("no such file: " .. id)',
          'end',
        ]),
      ),
    ).toEqual(['metadata a: Acme Drive:4: in get_file_metadata: no such file: a'])
  })

  it('in a local helper, a method and a function without a name', async () => {
    expect(
      await errorsOf(
        provider([
          'local api = {}',
          'function api:call(what) error("api refused " .. what) end',
          'local function fetch_page(n)',
          '  if n > 1 then api:call("page " .. n) end',
          '  local t = nil',
          '  return t.items',
          'end',
          'function list_file_ids() fetch_page(1) end',
          'function get_file_metadata(id) fetch_page(2) end',
          'function download_file(id) end',
        ]),
      ),
    ).toEqual(["list: Acme Drive:6: in fetch_page: attempt to index a nil value (local 't')"])

    expect(
      await errorsOf(
        provider([
          'local api = {}',
          'function api:call(what) error("api refused " .. what) end',
          LISTS_A,
          'function get_file_metadata(id) api:call(id) end',
          'function download_file(id) end',
        ]),
      ),
    ).toEqual(['metadata a: Acme Drive:2: in call: api refused a'])

    expect(
      await errorsOf(
        provider([
          'function list_file_ids()',
          '  table.sort({ 2, 1 }, function(a, b)',
          '    error("cannot compare")',
          '  end)',
          'end',
          'function get_file_metadata(id) end',
          DOWNLOADS,
        ]),
      ),
    ).toEqual(['list: Acme Drive:3: in the function at line 2: cannot compare'])
  })

  it('in the main chunk, which fails the run at load', async () => {
    expect(
      await errorsOf(provider(['local config = nil', 'local token = config.token', LISTS_A])),
    ).toEqual([
      "load: Acme Drive:2: in the main chunk: attempt to index a nil value (local 'config')",
    ])
  })

  it('error(message, 2) blames the caller; error(message, 0) and error(table) get the position', async () => {
    expect(
      await errorsOf(
        provider([
          'local function need(value, what)',
          '  if not value then error(what .. " is missing", 2) end',
          'end',
          'function list_file_ids()',
          '  need(nil, "the folder")',
          'end',
          'function get_file_metadata(id) end',
          DOWNLOADS,
        ]),
      ),
    ).toEqual(['list: Acme Drive:5: in list_file_ids: the folder is missing'])

    expect(
      await errorsOf(
        provider([
          LISTS_A,
          'function get_file_metadata(id)',
          '  error("no position", 0)',
          'end',
          DOWNLOADS,
        ]),
      ),
    ).toEqual(['metadata a: Acme Drive:3: in get_file_metadata: no position'])

    expect(
      await errorsOf(
        provider([
          LISTS_A,
          'function get_file_metadata(id)',
          '  error({ code = 409, reason = "conflict" })',
          'end',
          DOWNLOADS,
        ]),
      ),
    ).toEqual([
      'metadata a: Acme Drive:3: in get_file_metadata: (error object is a table value: { code = 409, reason = "conflict" })',
    ])
  })

  it('an error passed on (a coroutine’s, or error(err, 0)) keeps its line and says where it surfaced', async () => {
    expect(
      await errorsOf(
        provider([
          'function list_file_ids()',
          '  local pages = coroutine.wrap(function()',
          '    error("page 2 is gone")',
          '  end)',
          '  pages()',
          'end',
          'function get_file_metadata(id) end',
          DOWNLOADS,
        ]),
      ),
    ).toEqual(['list: Acme Drive:3: in list_file_ids (line 5): page 2 is gone'])
  })

  it('a host call’s error: the line of the call, in the function that made it', async () => {
    expect(
      await errorsOf(
        provider([
          LISTS_A,
          'function get_file_metadata(id)',
          `  local r = http.get(${lit(fixtures.server.url)} .. "/missing/" .. id)`,
          'end',
          DOWNLOADS,
        ]),
      ),
    ).toEqual(['metadata a: Acme Drive:3: in get_file_metadata: HTTP 404: Not found: /missing/a.'])
  })

  it('the same message is in the log, tagged with the run, the provider, the file and the stage', async () => {
    const outcome = await run(
      fixtures.core,
      provider([LISTS_A, DOWNLOADS, 'function get_file_metadata(id)', '  error("boom")', 'end']),
      'Acme Drive',
    )
    expect(fixtures.core.readLog()).toContain(
      `[run=${outcome.runId} provider="Acme Drive" file=a stage=metadata] Acme Drive:4: in get_file_metadata: boom`,
    )
  })

  it('and in `skwirl run --json`', async () => {
    const data = makeDataDir()
    try {
      const file = join(data.dir, 'Acme Drive.lua')
      writeFileSync(
        file,
        provider([
          'function list_file_ids()',
          '  local log = require "log"',
          '  log.info("listing")',
          '  error("the listing is broken")',
          'end',
          'function get_file_metadata(id) end',
          DOWNLOADS,
        ]),
      )
      const out = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
        const env = Object.fromEntries(
          Object.entries(process.env).filter(([key]) => !key.startsWith('SKWIRL_')),
        )
        const child = spawn(
          process.execPath,
          [join(REPO_ROOT, 'bin', 'skwirl.cjs'), 'run', file, '--json'],
          {
            cwd: REPO_ROOT,
            env: { ...env, ...FAST_HTTP_ENV, SKWIRL_DATA_DIR: data.dir },
            stdio: ['ignore', 'pipe', 'ignore'],
          },
        )
        let stdout = ''
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
        child.once('error', reject)
        child.once('close', (code) => resolve({ code, stdout }))
      })
      expect(out.code).toBe(1)
      const report = JSON.parse(out.stdout) as { errors: unknown[] }
      expect(report.errors).toEqual([
        {
          fileId: null,
          stage: 'list',
          message: 'Acme Drive:4: in list_file_ids: the listing is broken',
        },
      ])
    } finally {
      data.remove()
    }
  })
})

describe('pcall and error across host calls', () => {
  it('pcall catches a host call’s error, and the script goes on making host calls', async () => {
    await expectLua(
      fixtures.core,
      `local URL = ${lit(fixtures.server.url)}
      local ok, err = pcall(http.get, URL .. "/status/500")
      eq("caught", ok, false)
      assert(err:find("HTTP 500: status 500", 1, true), err)
      ok, err = pcall(http.request, { url = "http://127.0.0.1:1/refused" })
      eq("network failure caught", ok, false)
      assert(err:find("GET http://127.0.0.1:1/refused failed", 1, true), err)
      ok, err = pcall(skwirl.storage.set, "big", ("x"):rep(70000))
      eq("storage limit caught", ok, false)
      assert(err:find("a value may be at most 64 KiB", 1, true), err)
      eq("still working", http.get(URL .. "/json").answer, 42)`,
    )
  })

  it('an error value (a table) raised after host calls comes through pcall intact', async () => {
    await expectLua(
      fixtures.core,
      `local URL = ${lit(fixtures.server.url)}
      local ok, err = pcall(function()
        local page = http.get(URL .. "/json")
        skwirl.storage.set("seen", page.answer)
        error({ code = 7, answer = skwirl.storage.get("seen") })
      end)
      eq("caught", ok, false)
      eq("code", err.code, 7)
      eq("answer", err.answer, 42)`,
    )
  })

  it('xpcall’s handler sees the host error; pcall inside coroutines too', async () => {
    await expectLua(
      fixtures.core,
      `local URL = ${lit(fixtures.server.url)}
      local ok, handled = xpcall(function() http.get(URL .. "/missing") end,
        function(e) return "handled: " .. e end)
      eq("xpcall", ok, false)
      assert(handled:find("^handled: .*HTTP 404"), handled)
      local results = {}
      local co = coroutine.wrap(function()
        for _, path in ipairs({ "/json", "/missing", "/text" }) do
          local ok, r = pcall(http.request, { url = URL .. path })
          results[#results + 1] = ok and r.status or "error"
          coroutine.yield()
        end
      end)
      co() co() co()
      eq("statuses", table.concat(results, ","), "200,404,200")
      -- An error rethrown from a pcall handler after a host call keeps its message.
      local ok2, err2 = pcall(function()
        local ok3, e = pcall(http.get, URL .. "/missing")
        http.get(URL .. "/text")
        error("again: " .. e, 0)
      end)
      assert(not ok2 and err2:find("^again: .*HTTP 404"), err2)`,
    )
  })
})
