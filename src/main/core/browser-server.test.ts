import { mkdirSync, utimesSync, writeFileSync } from 'node:fs'
import { request, type IncomingHttpHeaders } from 'node:http'
import { join } from 'node:path'
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { makeDataDir, startTestCore, type TestCore } from '../../../test/support/fixtures'
import { SOCKET_PATH } from '../../shared/socket-protocol'
import { startBrowserServer, type BrowserServer } from './browser-server'
import type { ApiHandlers } from './handlers'

let core: TestCore | undefined
let server: BrowserServer | undefined
let rendererDir = ''
const cleanups: Array<() => void> = []

afterEach(async () => {
  await server?.close()
  await core?.dispose()
  server = undefined
  core = undefined
  while (cleanups.length > 0) cleanups.pop()?.()
})

async function start(override: Partial<ApiHandlers> = {}): Promise<BrowserServer> {
  core = startTestCore()
  const renderer = makeDataDir()
  cleanups.push(renderer.remove)
  rendererDir = renderer.dir
  mkdirSync(join(renderer.dir, 'assets'))
  writeFileSync(join(renderer.dir, 'index.html'), '<!doctype html><title>Skwirl</title>')
  writeFileSync(join(renderer.dir, 'assets', 'app.js'), 'console.log(1)')
  server = await startBrowserServer({
    handlers: { ...core.handlers, ...override },
    logger: core.logger,
    rendererDir: renderer.dir,
  })
  return server
}

function openSocket(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers })
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    ws.once('error', reject)
  })
}

interface RawResponse {
  status: number | undefined
  headers: IncomingHttpHeaders
  body: Buffer
}

/** A GET as sent: unlike fetch, it neither adds Accept-Encoding nor decodes the body. */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
      )
    })
    req.on('error', reject)
    req.end()
  })
}

function call(ws: WebSocket, id: number, method: unknown, args: unknown): Promise<unknown> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const message = JSON.parse(data.toString()) as { type: string; id: number }
      if (message.type === 'result' && message.id === id) {
        ws.off('message', onMessage)
        resolve(message)
      }
    }
    ws.on('message', onMessage)
    ws.send(JSON.stringify({ type: 'call', id, method, args }))
  })
}

describe('browser mode', () => {
  it('binds 127.0.0.1 and prints a URL with a random token', async () => {
    const s = await start()
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/)
    const other = await startBrowserServer({
      handlers: core!.handlers,
      logger: core!.logger,
      rendererDir: '/nonexistent',
    })
    expect(other.token).not.toBe(s.token)
    await other.close()
  })

  it('serves the app with the token, sets the cookie, and serves assets with the cookie', async () => {
    const s = await start()
    const page = await fetch(s.url)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<title>Skwirl</title>')
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'")
    const cookie = page.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/skwirl_token=.*HttpOnly.*SameSite=Strict/)
    const asset = await fetch(`${s.origin}/assets/app.js`, {
      headers: { cookie: cookie.split(';')[0]! },
    })
    expect(asset.status).toBe(200)
    expect(asset.headers.get('content-type')).toContain('javascript')
  })

  it('sends the precompressed copy the browser accepts; hashed assets are cached for good', async () => {
    const s = await start()
    const code = `export const text = ${JSON.stringify('squirrel '.repeat(500))}\n`
    const asset = join(rendererDir, 'assets', 'index-Ab12Cd34.js')
    writeFileSync(asset, code)
    writeFileSync(`${asset}.br`, brotliCompressSync(code))
    writeFileSync(`${asset}.gz`, gzipSync(code))
    const url = `${s.origin}/assets/index-Ab12Cd34.js?token=${s.token}`

    const brotli = await rawGet(url, { 'accept-encoding': 'gzip, deflate, br' })
    expect(brotli.headers['content-encoding']).toBe('br')
    expect(brotliDecompressSync(brotli.body).toString()).toBe(code)
    expect(Number(brotli.headers['content-length'])).toBe(brotli.body.length)
    expect(brotli.body.length).toBeLessThan(code.length / 10)
    expect(brotli.headers['content-type']).toContain('javascript')
    expect(brotli.headers.vary).toBe('Accept-Encoding')
    expect(brotli.headers['cache-control']).toBe('private, max-age=31536000, immutable')

    const gzip = await rawGet(url, { 'accept-encoding': 'gzip;q=1, br;q=0' })
    expect(gzip.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(gzip.body).toString()).toBe(code)

    const plain = await rawGet(url)
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.body.toString()).toBe(code)
  })

  it('revalidates index.html (no-cache, ETag, 304) and never sends a copy older than its file', async () => {
    const s = await start()
    const first = await rawGet(s.url, { 'accept-encoding': 'br' })
    expect(first.status).toBe(200)
    expect(first.headers['cache-control']).toBe('no-cache')
    expect(first.headers['content-security-policy']).toContain("default-src 'self'")
    const etag = first.headers.etag ?? ''
    expect(etag).toMatch(/^W\/".+"$/)
    const again = await rawGet(s.url, { 'if-none-match': etag, 'accept-encoding': 'br' })
    expect(again.status).toBe(304)
    expect(again.body.length).toBe(0)

    // A new build: a stale .br beside the new index.html must not be sent, and the tag moves on.
    const index = join(rendererDir, 'index.html')
    writeFileSync(`${index}.br`, brotliCompressSync('<title>old build</title>'))
    const earlier = new Date(Date.now() - 60_000)
    utimesSync(`${index}.br`, earlier, earlier)
    writeFileSync(index, `<!doctype html><title>Skwirl</title><!-- ${'new build '.repeat(9)} -->`)
    const rebuilt = await rawGet(s.url, { 'if-none-match': etag, 'accept-encoding': 'br' })
    expect(rebuilt.status).toBe(200)
    expect(rebuilt.headers['content-encoding']).toBeUndefined()
    expect(rebuilt.body.toString()).toContain('new build')
    expect(rebuilt.headers.etag).not.toBe(etag)
  })

  it('refuses requests without the token or with a wrong one (401) and does nothing else', async () => {
    const s = await start()
    for (const path of ['/', '/assets/app.js', '/?token=wrong']) {
      const res = await fetch(`${s.origin}${path}`)
      expect(res.status).toBe(401)
      expect(res.headers.get('set-cookie')).toBeNull()
      expect(await res.text()).not.toContain('<title>')
    }
  })

  it('refuses a foreign Origin or Host with 403, even with the token', async () => {
    const s = await start()
    const foreign = await fetch(s.url, { headers: { origin: 'http://evil.example' } })
    expect(foreign.status).toBe(403)
    // fetch will not send a forged Host header; a raw request does, as a rebound DNS name would.
    const rebinding = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(s.url, { headers: { host: `evil.example:${s.port}` } }, (res) => {
        res.resume()
        resolve(res.statusCode)
      })
      req.on('error', reject)
      req.end()
    })
    expect(rebinding).toBe(403)
  })

  it('refuses a socket without the token or from a foreign origin', async () => {
    const s = await start()
    const ws = `ws://127.0.0.1:${s.port}${SOCKET_PATH}`
    await expect(openSocket(ws)).rejects.toThrow('HTTP 401')
    await expect(
      openSocket(`${ws}?token=${s.token}`, { origin: 'http://evil.example' }),
    ).rejects.toThrow('HTTP 403')
  })

  it('answers the typed API over the socket, including clear errors for bad calls', async () => {
    const s = await start()
    const ws = await openSocket(`ws://127.0.0.1:${s.port}${SOCKET_PATH}`, {
      cookie: `skwirl_token=${s.token}`,
      origin: s.origin,
    })
    const list = (await call(ws, 1, 'listProviders', [])) as {
      ok: boolean
      value: Array<{ name: string }>
    }
    expect(list.ok).toBe(true)
    expect(list.value.map((p) => p.name)).toEqual(['Google Drive'])
    const bad = await call(ws, 2, 'getProvider', [null])
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-argument' } })
    ws.send('not json')
    const still = (await call(ws, 3, 'listRuns', [])) as { ok: boolean; value: unknown[] }
    expect(still).toEqual({ type: 'result', id: 3, ok: true, value: [] })
    ws.close()
  })

  it('answers an error, and stays up, when an answer cannot be sent', async () => {
    // What a run history too large for one string does (RangeError: Invalid string length).
    const tooLarge = {
      toJSON() {
        throw new RangeError('Invalid string length')
      },
    }
    const s = await start({ listRuns: async () => tooLarge as never })
    const ws = await openSocket(`ws://127.0.0.1:${s.port}${SOCKET_PATH}?token=${s.token}`)
    expect(await call(ws, 1, 'listRuns', [])).toEqual({
      type: 'result',
      id: 1,
      ok: false,
      error: { code: 'internal', message: expect.stringMatching(/too large to send/) },
    })
    expect(((await call(ws, 2, 'listProviders', [])) as { ok: boolean }).ok).toBe(true)
    expect(core!.readLog()).toMatch(/sending an answer failed: RangeError: Invalid string length/)
    ws.close()
  })

  it('pushes events to connected sockets', async () => {
    const s = await start()
    const ws = await openSocket(`ws://127.0.0.1:${s.port}${SOCKET_PATH}?token=${s.token}`)
    const received = new Promise<unknown>((resolve) =>
      ws.once('message', (d) => resolve(JSON.parse(d.toString()))),
    )
    const state = {
      runId: 'r1',
      providerId: 'p1',
      providerName: 'Google Drive',
      status: 'running' as const,
      phase: 'listing' as const,
      reason: null,
      failure: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      listed: 0,
      downloaded: 0,
      unchanged: 0,
      skipped: 0,
      failed: 0,
      bytes: 0,
      unchangedBytes: 0,
      retries: 0,
      destination: null,
      problem: null,
      live: { currentFile: null, filesPerSecond: null, secondsLeft: null, waitingFor: null },
    }
    s.broadcast('run:update', state)
    expect(await received).toEqual({ type: 'event', event: 'run:update', payload: state })
    ws.close()
  })
})
