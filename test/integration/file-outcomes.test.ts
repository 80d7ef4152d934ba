// Skipped and unverified files, through a real runner: get_file_metadata and download_file can
// say a file is not to be backed up (and why); metadata can say a checksum is not known in
// advance. What the run counts, what its record keeps, and what a provider gets wrong. And the
// provider's own HTTP policy (http.configure, retry = false).
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { luaLiteral, run, runError, startLocalServer, type LocalServer } from '../sandbox/harness'
import { startTestCore, type TestCore } from '../support/fixtures'

let core: TestCore
let server: LocalServer
let url = ''

beforeAll(async () => {
  core = startTestCore({ cpuMs: 5000, watchdogMs: 10_000 })
  server = await startLocalServer()
  url = luaLiteral(server.url)
})

afterAll(async () => {
  await core.dispose()
  await server.close()
})

const SIXTEEN_MD5 = createHash('md5').update(Buffer.alloc(16, 7)).digest('hex')

/** A provider listing `ids`, with `metadata` and `download` as the bodies of the two functions. */
function provider(ids: string[], metadata: string, download: string): string {
  return `
local URL = ${url}
function list_file_ids()
  for _, id in ipairs({ ${ids.map((id) => JSON.stringify(id)).join(', ')} }) do skwirl.emit_file_id(id) end
end
function get_file_metadata(id)
${metadata}
end
function download_file(id)
${download}
end`
}

describe('skipped and unverified files', () => {
  it('counts skipped files apart, keeps their reasons, and records unverified downloads', async () => {
    const code = provider(
      ['folder', 'export', 'blob', 'too-big'],
      `
  if id == "folder" then return { skip = "a folder", name = "Photos", path = "My Drive/Photos" } end
  local base = { name = id, path = "My Drive/" .. id, modified_time = "2026-01-01T00:00:00Z" }
  if id == "blob" then base.checksum = ${luaLiteral(SIXTEEN_MD5)}; base.size = 16
  else base.checksum = false end
  return base`,
      `
  if id == "too-big" then
    local ok, err = pcall(skwirl.download_url, URL .. "/status/403")
    assert(not ok)
    return { skip = "  too large to export (" .. err:match("HTTP %d+") .. ")  " }
  end
  skwirl.download_url(URL .. "/file/" .. id)`,
    )
    const outcome = await run(core, code)
    expect(runError(outcome)).toBe('')
    expect(outcome).toMatchObject({
      status: 'completed',
      listed: 4,
      downloaded: 2,
      skipped: 2,
      failed: 0,
      bytes: 32,
    })
    const page = core.runs.files({ runId: outcome.runId, filter: 'all', offset: 0, limit: 10 })
    expect(
      page?.files.map((f) => [f.fileId, f.outcome, f.skipReason, f.verified, f.path, f.checksum]),
    ).toEqual([
      ['folder', 'skipped', 'a folder', null, 'My Drive/Photos', null],
      ['export', 'downloaded', null, false, 'My Drive/export', null],
      ['blob', 'downloaded', null, true, 'My Drive/blob', SIXTEEN_MD5],
      ['too-big', 'skipped', 'too large to export (HTTP 403)', null, 'My Drive/too-big', null],
    ])
    const skipped = core.runs.files({
      runId: outcome.runId,
      filter: 'skipped',
      offset: 0,
      limit: 10,
    })
    expect(skipped?.total).toBe(2)
    expect(skipped?.files.map((f) => f.fileId)).toEqual(['folder', 'too-big'])
    const log = core.readLog()
    expect(log).toContain(
      `[run=${outcome.runId} provider="sandbox probe"] run completed: 4 listed, 2 downloaded, 0 unchanged, 2 skipped, 0 failed, 32 bytes, 0 retries`,
    )
  })

  it('fails a file whose answer is not one it can take, saying what was wrong', async () => {
    const cases: Array<[string, string, string, RegExp]> = [
      ['empty skip', 'return { skip = "" }', '', /skip must be a non-empty string/],
      ['number skip', 'return { skip = 5 }', '', /skip must be a non-empty string .* got number/],
      [
        'no checksum',
        'return { name = "a", path = "a", size = 1, modified_time = "t" }',
        '',
        /checksum is nil, not a string \(or false when not known\)/,
      ],
      [
        'no size with a checksum',
        `return { name = "a", path = "a", checksum = "abc", modified_time = "t" }`,
        '',
        /size is nil, not a number/,
      ],
      [
        'skip after a download',
        `return { name = "a", path = "a", checksum = false, modified_time = "t" }`,
        `skwirl.download_url(URL .. "/file/a") return { skip = "changed my mind" }`,
        /download_file asked to skip the file \(changed my mind\) after downloading it/,
      ],
      [
        'a string from download_file',
        `return { name = "a", path = "a", checksum = false, modified_time = "t" }`,
        'return "done"',
        /download_file returns nothing, or \{ skip = "why" \}.*returned string/,
      ],
    ]
    for (const [label, metadata, download, expected] of cases) {
      const outcome = await run(core, provider(['a'], metadata, download))
      expect(outcome.failed, label).toBe(1)
      expect(outcome.errors[0]?.message, label).toMatch(expected)
    }
  })
})

describe("the provider's HTTP policy", () => {
  const listing = (lua: string): string => `
local URL = ${url}
${lua}
function list_file_ids() end
function get_file_metadata(id) end
function download_file(id) end`

  it('takes http.configure and refuses options it does not know or values out of range', async () => {
    const good = await run(
      core,
      listing(
        'http.configure { min_interval = 0.01, burst = 5, attempts = 3, backoff = 0.5, backoff_max = 4, retry_after_max = 30, retry_statuses = { 500, 503 }, rate_limit_reasons = { "slowDown" } }',
      ),
    )
    expect(runError(good)).toBe('')
    const bad: Array<[string, RegExp]> = [
      [
        'http.configure { retries = 3 }',
        /unknown option "retries"; the options are attempts, backoff,/,
      ],
      ['http.configure { attempts = 0 }', /attempts must be from 1 to 10, got 0/],
      ['http.configure { attempts = 2.5 }', /attempts must be a whole number/],
      ['http.configure { backoff = 0 }', /backoff must be more than 0 and at most 60 seconds/],
      [
        'http.configure { backoff = 8, backoff_max = 2 }',
        /backoff_max \(2 s\) must not be less than backoff \(8 s\)/,
      ],
      [
        'http.configure { min_interval = "fast" }',
        /min_interval must be a number of seconds, got string/,
      ],
      ['http.configure { retry_statuses = { 700 } }', /retry_statuses\[1\] must be an HTTP status/],
      ['http.configure("x")', /expects a table/],
    ]
    for (const [lua, expected] of bad) {
      const outcome = await run(core, listing(lua))
      expect(outcome.status, lua).toBe('failed')
      expect(runError(outcome), lua).toMatch(
        /^load: sandbox probe:\d+: in the main chunk: http\.configure: /,
      )
      expect(runError(outcome), lua).toMatch(expected)
    }
  })

  it('retries transient answers by default, as declared, and not when a call says retry = false', async () => {
    const count = (path: string): number => server.requests.filter((p) => p === path).length
    const declared = await run(
      core,
      `
local URL = ${url}
http.configure { attempts = 3 }
function list_file_ids()
  local r = http.request { url = URL .. "/status/503" }
  assert(r.status == 503)
  local ok, err = pcall(http.get, URL .. "/status/502")
  assert(not ok and err:find("after 3 attempts"), err)
  local once, err2 = pcall(http.get, URL .. "/status/504", { retry = false })
  assert(not once and not err2:find("attempts"), err2)
  local posted = http.post(URL .. "/status/500", { body = "x" })
  assert(posted.status == 500)
  local asked = http.post(URL .. "/status/429", { body = "x", retry = true })
  assert(asked.status == 429)
  local bad = pcall(http.get, URL .. "/json", { retry = "yes" })
  assert(not bad)
end
function get_file_metadata(id) end
function download_file(id) end`,
    )
    expect(runError(declared)).toBe('')
    expect(count('/status/503')).toBe(3)
    expect(count('/status/502')).toBe(3)
    expect(count('/status/504')).toBe(1)
    expect(count('/status/500')).toBe(1)
    expect(count('/status/429')).toBe(3)
    expect(declared.retries).toBe(2 + 2 + 2)
    const lines = core
      .readLog()
      .split('\n')
      .filter((l) => l.includes(`run=${declared.runId}`))
    expect(lines.filter((l) => l.includes('[warn]'))).toHaveLength(6)
    expect(lines.find((l) => l.includes('/status/429'))).toMatch(
      /\[warn\] .*stage=list\] POST http:\/\/127\.0\.0\.1:\d+\/status\/429: attempt 1 of 3 failed \(HTTP 429: status 429\); trying again in \d+ ms$/,
    )
  })
})
