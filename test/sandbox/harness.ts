// What the sandbox suite shares: providers written as Lua strings, a tiny local HTTP server
// for the host calls, and a way to hand JavaScript values to Lua as literals.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { lauxlib, lua, lualib, to_luastring } from 'fengari'
import type { RunOutcome } from '../../src/main/core/run-manager'
import type { TestCore } from '../support/fixtures'

/**
 * A provider whose list_file_ids runs `list`; the other two functions fail if ever reached,
 * unless `rest` redefines them.
 */
export function provider(list: string, rest = ''): string {
  return [
    'function get_file_metadata(id) error("get_file_metadata was not expected to run") end',
    'function download_file(id) error("download_file was not expected to run") end',
    'function list_file_ids()',
    list,
    'end',
    rest,
  ].join('\n')
}

let runNumber = 0

/** Starts a run of `code` and waits for its outcome, with how long it took. */
export async function run(
  core: TestCore,
  code: string,
  name = 'sandbox probe',
): Promise<RunOutcome & { ms: number }> {
  const started = performance.now()
  runNumber++
  const { done } = core.runs.start({ id: `sandbox-${runNumber}`, name, code })
  const outcome = await done
  return { ...outcome, ms: performance.now() - started }
}

/** The one run-level error of a failed run, as "stage: message" (for readable assertions). */
export function runError(outcome: RunOutcome): string {
  return outcome.errors.map((e) => `${e.stage}: ${e.message}`).join('\n')
}

/** A JavaScript string or bytes as a Lua string literal (every byte escaped, so anything goes). */
export function luaLiteral(value: string | Uint8Array): string {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value
  return `"${Array.from(bytes, (b) => `\\${b}`).join('')}"`
}

/** A real Lua 5.3 binary chunk (made with fengari's own string.dump outside the sandbox). */
export function binaryChunk(source: string): Uint8Array {
  const L = lauxlib.luaL_newstate()
  lauxlib.luaL_requiref(L, '_G', lualib.luaopen_base, 1)
  lauxlib.luaL_requiref(L, 'string', lualib.luaopen_string, 1)
  lua.lua_settop(L, 0)
  const code = to_luastring(`return string.dump(load(${luaLiteral(source)}))`)
  const status = lauxlib.luaL_loadbufferx(L, code, code.length, '=dump', 't')
  if (status !== lua.LUA_OK || lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) {
    throw new Error(`string.dump failed: ${lua.lua_tojsstring(L, -1)}`)
  }
  const bytes = lua.lua_tostring(L, -1)
  if (!bytes) throw new Error('string.dump returned no string')
  return Uint8Array.from(bytes)
}

export interface LocalServer {
  url: string
  /** Paths requested so far, in order. */
  requests: string[]
  /** The raw query string of each request (without "?"), in the same order. */
  queries: string[]
  /** Resolves at the first request for `path` (at once if it was already requested). */
  requested(path: string): Promise<void>
  close(): Promise<void>
}

type Route = (req: IncomingMessage, res: ServerResponse) => void

const JSON_TYPE = 'application/json; charset=UTF-8'

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': JSON_TYPE })
  res.end(JSON.stringify(body))
}

/** What `/echo` answers: the request as the server saw it. */
export interface Echo {
  method: string
  path: string
  query: string
  headers: Record<string, string | string[] | undefined>
  /** The body as UTF-8 text, and as base64 (exact bytes). */
  body: string
  bodyBase64: string
}

/**
 * 127.0.0.1 on a free port. `/json` answers `{"answer":42,"items":["a","b","c"]}`, `/text` a
 * plain string, `/ids` three ids, `/empty` empty containers and nulls, `/broken-json` a 502 that is not JSON, `/slow?ms=N` JSON after
 * N ms, `/file/<id>` 16 bytes, `/echo`
 * the request (any method) as JSON, `/status/<N>` status N with a JSON body and an `x-status`
 * header, anything else a Google-style 404.
 */
export async function startLocalServer(): Promise<LocalServer> {
  const requests: string[] = []
  const queries: string[] = []
  const waiters = new Map<string, Array<() => void>>()
  const routes: Record<string, Route> = {
    '/json': (_req, res) => json(res, 200, { answer: 42, items: ['a', 'b', 'c'] }),
    '/text': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end('plain text')
    },
    '/ids': (_req, res) => json(res, 200, { ids: ['one', 'two', 'three'] }),
    '/broken-json': (_req, res) => {
      res.writeHead(502, { 'content-type': JSON_TYPE })
      res.end('{"error": "upstream said <html>')
    },
    '/empty': (_req, res) =>
      json(res, 200, { files: [], meta: {}, gone: null, list: [1, null, 3] }),
    // Answers after ?ms= milliseconds: a host call that keeps the runner waiting.
    '/slow': (req, res) => {
      const ms = Number(new URL(req.url ?? '/', 'http://local.invalid').searchParams.get('ms'))
      const timer = setTimeout(() => json(res, 200, { waited: ms }), ms)
      res.once('close', () => clearTimeout(timer))
    },
  }
  const server = createServer((req, res) => {
    const parsed = new URL(req.url ?? '/', 'http://local.invalid')
    const path = parsed.pathname
    requests.push(path)
    queries.push(parsed.search.slice(1))
    for (const wake of waiters.get(path) ?? []) wake()
    waiters.delete(path)
    const route = routes[path]
    if (route) return route(req, res)
    if (path === '/echo') {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        const body = Buffer.concat(chunks)
        const echo: Echo = {
          method: req.method ?? '',
          path,
          query: parsed.search.slice(1),
          headers: req.headers,
          body: body.toString('utf8'),
          bodyBase64: body.toString('base64'),
        }
        json(res, 200, echo)
      })
      return
    }
    if (path.startsWith('/status/')) {
      const status = Number(path.slice('/status/'.length))
      res.writeHead(status, { 'content-type': JSON_TYPE, 'x-status': String(status) })
      return res.end(JSON.stringify({ error: { code: status, message: `status ${status}` } }))
    }
    if (path.startsWith('/file/')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '16' })
      return res.end(Buffer.alloc(16, 7))
    }
    json(res, 404, {
      error: { code: 404, message: `Not found: ${path}.`, errors: [{ reason: 'notFound' }] },
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    queries,
    requested: (path) =>
      requests.includes(path)
        ? Promise.resolve()
        : new Promise((resolve) => waiters.set(path, [...(waiters.get(path) ?? []), resolve])),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/**
 * A small provider that lists three ids from `/ids` and downloads each from `/file/<id>`: the
 * "normal run" that must keep working beside a runaway one.
 */
export function smallProvider(baseUrl: string): string {
  return `
local BASE = ${luaLiteral(baseUrl)}
function list_file_ids()
  local listing = http.get(BASE .. "/ids")
  for _, id in ipairs(listing.ids) do skwirl.emit_file_id(id) end
end
function get_file_metadata(id)
  return { name = id .. ".bin", path = "/" .. id .. ".bin", checksum = "", size = 16,
    modified_time = "2024-01-01T00:00:00Z" }
end
function download_file(id)
  skwirl.download_url(BASE .. "/file/" .. id)
end
`
}
