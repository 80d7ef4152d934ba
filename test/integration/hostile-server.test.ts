// A hostile (or just broken) HTTP server against the real runner and main: redirects that try
// to collect credentials, bodies that trickle forever, downloads that never end.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { luaLiteral, run, runError } from '../sandbox/harness'
import { startTestCore, type TestCore } from '../support/fixtures'

const SILENCE_MS = 1000
const DEADLINE_MS = 2000
const CREDENTIALS = {
  Authorization: 'Bearer a-token-1234',
  Cookie: 'session=abcdef123',
  'Proxy-Authorization': 'Basic cHJveHk6cHc=',
  'X-API-Key': 'key-123456',
  'X-Auth-Token': 'auth-123456',
  'X-Goog-Api-Key': 'AIza-123456',
  'X-Custom-Secret': 'secret-123456',
  'X-Refresh-Token': 'refresh-123456',
}

interface Seen {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
}

interface TestServer {
  url: string
  seen: Seen[]
  /** Bytes written to unfinished bodies, by path. */
  written: Map<string, number>
  close(): Promise<void>
}

let core: TestCore
let home: TestServer
let other: TestServer
const timers = new Set<NodeJS.Timeout>()

async function startServer(route: (s: Seen, res: ServerResponse) => void): Promise<TestServer> {
  const seen: Seen[] = []
  const written = new Map<string, number>()
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const entry = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      }
      seen.push(entry)
      route(entry, res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    written,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Writes `chunk` every `ms` until the client goes. */
function trickle(res: ServerResponse, chunk: Buffer, ms: number, count: (n: number) => void): void {
  const timer = setInterval(() => {
    if (res.destroyed) {
      clearInterval(timer)
      timers.delete(timer)
      return
    }
    res.write(chunk)
    count(chunk.length)
  }, ms)
  timers.add(timer)
  res.once('close', () => {
    clearInterval(timer)
    timers.delete(timer)
  })
}

/** Writes as fast as the client reads, until it goes. */
function flood(res: ServerResponse, count: (n: number) => void): void {
  const chunk = Buffer.alloc(64 * 1024, 0x61)
  const pump = (): void => {
    while (!res.destroyed) {
      count(chunk.length)
      if (!res.write(chunk)) {
        res.once('drain', pump)
        return
      }
    }
  }
  pump()
}

beforeAll(async () => {
  core = startTestCore({ httpSilenceMs: SILENCE_MS, httpDeadlineMs: DEADLINE_MS })
  other = await startServer((_s, res) =>
    res.writeHead(200, { 'content-type': 'text/plain' }).end('landed'),
  )
  home = await startServer((s, res) => {
    const count = (n: number): void => {
      home.written.set(s.path, (home.written.get(s.path) ?? 0) + n)
    }
    const path = s.path.split('?')[0]
    switch (path) {
      case '/to-other':
        return res.writeHead(302, { location: `${other.url}/landing` }).end()
      case '/to-self':
        return res.writeHead(307, { location: '/landing' }).end()
      case '/see-other':
        return res.writeHead(303, { location: '/landing' }).end()
      case '/loop':
        return res.writeHead(302, { location: '/loop' }).end()
      case '/to-file':
        return res.writeHead(302, { location: 'file:///etc/passwd' }).end()
      case '/landing':
        return res.writeHead(200, { 'content-type': 'text/plain' }).end('landed')
      case '/trickle':
        res.writeHead(200, { 'content-type': 'text/plain' })
        return trickle(res, Buffer.from('.'), SILENCE_MS / 4, count)
      case '/endless':
        res.writeHead(200, { 'content-type': 'application/octet-stream' })
        return flood(res, count)
      case '/announced':
        res.writeHead(200, { 'content-length': String(1 << 30) })
        return flood(res, count)
      default:
        return res.writeHead(404).end()
    }
  })
})

afterAll(async () => {
  for (const timer of timers) clearInterval(timer)
  await core.dispose()
  await home.close()
  await other.close()
})

/** A provider whose one file's metadata promises `size` bytes and whose list runs `list`. */
function provider(list: string, download = '', size = 6): string {
  return `
local HOME, OTHER = ${luaLiteral(home.url)}, ${luaLiteral(other.url)}
local CREDENTIALS = { ${Object.entries(CREDENTIALS)
    .map(([name, value]) => `[${luaLiteral(name)}] = ${luaLiteral(value)}`)
    .join(', ')}, Accept = "text/plain" }
function list_file_ids()
  ${list}
  skwirl.emit_file_id("f")
end
function get_file_metadata(id)
  return { name = "f", path = "/f", checksum = "", size = ${size}, modified_time = "2024-01-01T00:00:00Z" }
end
function download_file(id)
  ${download || 'skwirl.download_url(HOME .. "/landing")'}
end
`
}

const credentialNames = Object.keys(CREDENTIALS).map((name) => name.toLowerCase())

describe('redirects', () => {
  it('drop every credential header on the way to another origin, and keep the rest', async () => {
    const outcome = await run(
      core,
      provider('assert(http.get(HOME .. "/to-other", { headers = CREDENTIALS }) == "landed")'),
    )
    expect(runError(outcome)).toBe('')
    const landed = other.seen.at(-1)
    expect(landed?.path).toBe('/landing')
    for (const name of credentialNames) expect(landed?.headers[name], name).toBeUndefined()
    expect(landed?.headers.accept).toBe('text/plain')
  })

  it('keep them on the same origin; 303 turns a POST into a GET without its body', async () => {
    const before = home.seen.length
    const outcome = await run(
      core,
      provider(`
        assert(http.get(HOME .. "/to-self", { headers = CREDENTIALS }) == "landed")
        local r = http.post(HOME .. "/see-other", { headers = CREDENTIALS, json = { a = 1 } })
        assert(r.status == 200 and r.body == "landed", r.status)`),
    )
    expect(runError(outcome)).toBe('')
    // The two redirected requests, then the file's download.
    const landings = home.seen.slice(before).filter((s) => s.path === '/landing')
    expect(landings).toHaveLength(3)
    const [viaSelf, viaSeeOther] = landings
    for (const name of credentialNames) expect(viaSelf?.headers[name], name).toBeDefined()
    expect(viaSeeOther).toMatchObject({ method: 'GET', body: '' })
    expect(viaSeeOther?.headers['content-type']).toBeUndefined()
    expect(viaSeeOther?.headers['x-auth-token']).toBe(CREDENTIALS['X-Auth-Token'])
  })

  it('fail clearly in a loop or towards a URL that is not http(s)', async () => {
    const outcome = await run(
      core,
      provider(`
        local ok, err = pcall(http.get, HOME .. "/loop")
        assert(not ok and err:find("more than 20 redirects", 1, true), err)
        ok, err = pcall(http.get, HOME .. "/to-file")
        assert(not ok and err:find("redirected to a URL that is not http or https", 1, true), err)`),
    )
    expect(runError(outcome)).toBe('')
  })
})

describe('deadlines', () => {
  it('a body trickling one byte at a time fails at the deadline, not never', async () => {
    const outcome = await run(core, provider('http.get(HOME .. "/trickle")'))
    expect(outcome.status).toBe('failed')
    expect(runError(outcome)).toMatch(
      /list: .*reading the response of http:\/\/127\.0\.0\.1:\d+\/trickle failed after \d+ bytes: not finished after 2 s \(the call's deadline/,
    )
    expect(outcome.ms).toBeGreaterThanOrEqual(DEADLINE_MS)
  })

  it('a call may set its own deadline, shorter or longer', async () => {
    const outcome = await run(
      core,
      provider(`
        local started = os.time()
        local ok, err = pcall(http.get, HOME .. "/trickle", { timeout = 0.5 })
        assert(not ok and err:find("not finished after 500 ms", 1, true), err)
        ok, err = pcall(http.get, HOME .. "/trickle", { timeout = "soon" })
        assert(not ok and err:find("options.timeout must be a number of seconds above 0, got string", 1, true), err)`),
    )
    expect(runError(outcome)).toBe('')
  })

  it('a download is stopped as soon as it passes the size its metadata promised', async () => {
    const outcome = await run(core, provider('', 'skwirl.download_url(HOME .. "/endless")', 10))
    expect(outcome).toMatchObject({ status: 'completed', failed: 1 })
    expect(outcome.errors[0]?.message).toMatch(
      /the server sent more than the 10 bytes the metadata promised; the download was stopped/,
    )
    // One or two chunks, not gigabytes (the socket's buffers hold a few more).
    expect(home.written.get('/endless')).toBeLessThan(16 * 1024 * 1024)
  })

  it('a download whose announced length passes the promise is not read at all', async () => {
    const outcome = await run(core, provider('', 'skwirl.download_url(HOME .. "/announced")', 10))
    expect(outcome.errors[0]?.message).toMatch(
      /the server announced 1073741824 bytes but the metadata says 10; not downloaded/,
    )
  })
})
