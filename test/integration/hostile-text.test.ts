// What a hostile server and a careless provider put into Skwirl's text, through the real CLI:
// secrets echoed back in every shape, and terminal control sequences. None of it may reach the
// log, `--json` or the database in clear.
import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { killStartedSkwirls, skwirl } from '../support/cli'
import { makeDataDir } from '../support/fixtures'

const QUERY_TOKEN = 'qtok-7f3a9c1e5b'
const HEADER_TOKEN = 'htok-2b8d4f6a0c'
const PASSWORD = 'pa55w0rd-x9y8'
const ACCESS_TOKEN = 'ya29.AT-5e1d3c7b'
const REFRESH_TOKEN = '1//RT-9a8b7c6d'
const CLIENT_SECRET = 'GOCSPX-4c3b2a19'
const ID_TOKEN = 'idtok-0f9e8d7c'
const SECRETS = [
  QUERY_TOKEN,
  HEADER_TOKEN,
  PASSWORD,
  ACCESS_TOKEN,
  REFRESH_TOKEN,
  CLIENT_SECRET,
  ID_TOKEN,
]
/** What a title-setting, screen-clearing server sends. */
const CONTROLS = '\u001b]0;pwned\u0007\u001b[2J\u009b31m'
/** Raw control characters, as they must not appear in a file or on a terminal. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const RAW_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/

let server: Server
let base = ''
let data: { dir: string; remove: () => void }

function json(res: import('node:http').ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local.invalid')
    switch (url.pathname) {
      case '/echo-query':
        // A server that repeats the request, token and all, in its error.
        return json(res, 401, {
          error: {
            message: `bad credentials ${url.searchParams.get('access_token')} for ${req.url}`,
          },
        })
      case '/echo-header':
        return json(res, 403, {
          error: { message: `X-Auth-Token ${String(req.headers['x-auth-token'])} is revoked` },
        })
      case '/userinfo': {
        const basic = Buffer.from(
          String(req.headers.authorization).replace(/^Basic /, ''),
          'base64',
        ).toString()
        return json(res, 500, { error: { message: `cannot serve ${basic}` } })
      }
      case '/token':
        return json(res, 200, {
          access_token: ACCESS_TOKEN,
          refresh_token: REFRESH_TOKEN,
          id_token: ID_TOKEN,
          expires_in: 3599,
        })
      case '/huge-error':
        return json(res, 500, { error: { message: 'M'.repeat(2 * 1024 * 1024) } })
      case '/evil':
        return json(res, 500, { error: { message: `boom ${CONTROLS} end` } })
      default:
        return json(res, 404, { error: { message: 'not found' } })
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  data = makeDataDir()
})

afterEach(() => killStartedSkwirls())

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  data.remove()
})

function providerCode(): string {
  const port = new URL(base).port
  return `
local BASE = "${base}"
local log = require "log"
function list_file_ids()
  local t = http.post(BASE .. "/token", {
    headers = { ["Content-Type"] = "application/x-www-form-urlencoded" },
    body = "grant_type=refresh_token&refresh_token=${REFRESH_TOKEN}&client_secret=${CLIENT_SECRET}",
  })
  log.info("token", t.body)
  print("got", t.body.access_token, t.body.id_token)
  log.info("calling " .. BASE .. "/files?access_token=" .. t.body.access_token)
  for _, id in ipairs({ "a", "b", "c", "d", "https://files.test/f?access_token=${QUERY_TOKEN}" }) do
    skwirl.emit_file_id(id)
  end
end
function get_file_metadata(id)
  if id == "a" then http.get(BASE .. "/echo-query", { params = { access_token = "${QUERY_TOKEN}" } }) end
  if id:find("files.test") then error("no such file: " .. id) end
  return { name = id, path = "/" .. id, checksum = "", size = 16, modified_time = "2024-01-01T00:00:00Z" }
end
function download_file(id)
  if id == "b" then
    skwirl.download_url(BASE .. "/echo-header", { headers = { ["X-Auth-Token"] = "${HEADER_TOKEN}" } })
  elseif id == "c" then
    skwirl.download_url("http://alice:${PASSWORD}@127.0.0.1:${port}/userinfo")
  else
    skwirl.download_url(BASE .. "/evil")
  end
end
`
}

describe('text from a hostile server and a careless provider', () => {
  it('never shows a secret, nor a raw control character, in the log, --json or the database', async () => {
    const file = join(data.dir, 'careless.lua')
    writeFileSync(file, providerCode())
    const out = await skwirl(['run', file, '--json'], data.dir)
    const report = JSON.parse(out.stdout) as {
      status: string
      failed: number
      errors: Array<{ fileId: string | null; stage: string; message: string }>
    }
    expect(report, out.stdout).toMatchObject({ status: 'completed', failed: 5 })
    const log = readFileSync(join(data.dir, 'logs', 'main.log'), 'utf8')
    const db = ['skwirl.db', 'skwirl.db-wal']
      .map((name) => join(data.dir, name))
      .filter((path) => existsSync(path))
      .map((path) => readFileSync(path).toString('latin1'))
      .join('\n')

    // Every error is there, each with its secret masked.
    const byFile = Object.fromEntries(report.errors.map((e) => [e.fileId, e.message]))
    expect(byFile.a).toMatch(
      /HTTP 401: bad credentials \[redacted] for \/echo-query\?access_token=\[redacted]/,
    )
    expect(byFile.b).toMatch(/HTTP 403: X-Auth-Token \[redacted] is revoked/)
    // A URL's user info went as Basic auth (fetch refuses URLs with credentials, and its error
    // quoted them), and the password it held is known as a secret.
    expect(byFile.c).toMatch(/HTTP 500: cannot serve alice:\[redacted]/)
    expect(byFile.d).toContain('boom \u001b]0;pwned\u0007\u001b[2J\u009b31m end')
    expect(report.errors.map((e) => e.fileId)).toContain(
      'https://files.test/f?access_token=[redacted]',
    )
    expect(log).toContain('token { access_token = "[redacted]"')
    expect(log).toMatch(/print: got\t\[redacted]\t\[redacted]/)

    for (const secret of SECRETS) {
      expect(log, `log: ${secret}`).not.toContain(secret)
      expect(out.stdout, `--json: ${secret}`).not.toContain(secret)
      expect(db, `database: ${secret}`).not.toContain(secret)
    }

    // Control characters are escaped, not dropped: the log says what the server sent.
    expect(log).toContain('boom \\u001b]0;pwned\\u0007\\u001b[2J\\u009b31m end')
    expect(log.replaceAll('\n', '')).not.toMatch(RAW_CONTROLS)
    expect(out.stdout.replaceAll('\n', '')).not.toMatch(RAW_CONTROLS)
  })

  it('escapes control characters in what the CLI prints about runs', async () => {
    const file = join(data.dir, 'evil\u001b[2J\u009b.lua')
    writeFileSync(file, providerCode().replace('"a", "b", "c", "d", ', ''))
    const run = await skwirl(['run', file], data.dir)
    expect(run.stderr).toContain('evil\\u001b[2J\\u009b: completed with 1 failed.')
    const runs = await skwirl(['runs'], data.dir)
    expect(runs.stdout).toContain('evil\\u001b[2J\\u009b')
    for (const text of [run.stdout, run.stderr, runs.stdout, runs.stderr]) {
      expect(text.replaceAll('\n', '')).not.toMatch(RAW_CONTROLS)
    }
  })
})

describe('sizes that a provider or a server decides', () => {
  const sizes = `
local BASE = "BASE_URL"
function list_file_ids()
  for i = 1, 120 do skwirl.emit_file_id("e" .. i) end
  for i = 1, 3 do skwirl.emit_file_id("s" .. i) end
  for i = 1, 3 do skwirl.emit_file_id("n" .. i) end
  print(string.rep("P", 3e6))
end
function get_file_metadata(id)
  if id:sub(1, 1) == "e" then error(string.rep("E", 1e5)) end
  if id:sub(1, 1) == "s" then http.get(BASE .. "/huge-error") end
  return { name = string.rep("N", 4 * 1024 * 1024), path = "/n", checksum = "", size = 1,
    modified_time = "2024-01-01T00:00:00Z" }
end
function download_file(id) error("not reached") end
`

  it('are capped with a marker, and a run keeps and prints a bounded number of errors', async () => {
    const dir = makeDataDir()
    try {
      const file = join(dir.dir, 'sizes.lua')
      writeFileSync(file, sizes.replace('BASE_URL', base))
      const out = await skwirl(['run', file, '--json'], dir.dir)
      const report = JSON.parse(out.stdout) as {
        status: string
        failed: number
        errors: Array<{ fileId: string | null; stage: string; message: string }>
        errorsOmitted: number
      }
      // The counts are exact; the entries stop at 100.
      expect(report).toMatchObject({ status: 'completed', failed: 126, errorsOmitted: 26 })
      expect(report.errors).toHaveLength(100)
      for (const error of report.errors) expect(error.message.length).toBeLessThanOrEqual(8192)
      expect(report.errors[0]?.message).toMatch(
        /^sizes:10: in get_file_metadata: E+… \[[\d,]+ more characters cut]$/,
      )
      expect(out.stdout.length).toBeLessThan(1024 * 1024)

      const log = readFileSync(join(dir.dir, 'logs', 'main.log'), 'utf8')
      expect(log).toMatch(/HTTP 500: Internal Server Error/)
      expect(log).toMatch(
        /file=n1 stage=metadata\] .*name is 4,194,304 characters long, over the limit of 4096/,
      )
      expect(log).toMatch(/print: P+… \[[\d,]+ more characters cut]/)
      expect(log.length).toBeLessThan(3 * 1024 * 1024)
      // The database holds no multi-megabyte name.
      const db = ['skwirl.db', 'skwirl.db-wal']
        .map((name) => join(dir.dir, name))
        .filter((path) => existsSync(path))
        .reduce((sum, path) => sum + readFileSync(path).length, 0)
      expect(db).toBeLessThan(2 * 1024 * 1024)
    } finally {
      dir.remove()
    }
  })

  it('an id longer than 4096 characters fails the listing with a clear reason', async () => {
    const dir = makeDataDir()
    try {
      const file = join(dir.dir, 'long-id.lua')
      writeFileSync(
        file,
        'function list_file_ids() skwirl.emit_file_id(string.rep("i", 1e5)) end\n' +
          'function get_file_metadata() end function download_file() end',
      )
      const out = await skwirl(['run', file, '--json'], dir.dir)
      expect(out.code).toBe(1)
      expect(JSON.parse(out.stdout)).toMatchObject({
        status: 'failed',
        errors: [
          {
            stage: 'list',
            message:
              'long-id:1: in list_file_ids: skwirl.emit_file_id: the id is 100,000 characters long; an id may be at most 4096',
          },
        ],
      })
    } finally {
      dir.remove()
    }
  })
})
