// HttpBroker against a small real HTTP server on 127.0.0.1: the URL it builds, the headers it
// sends, what it answers, and how each failure reads.
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_RETRY_POLICY } from './http'
import { buildUrl, describeUrl, encodeQueryComponent, HttpBroker, HttpError } from './http-broker'

interface Seen {
  url: string
  headers: http.IncomingHttpHeaders
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void

let server: http.Server
let base = ''
let handler: Handler = (_req, res) => res.end()
const seen: Seen[] = []
const unfinished = new Set<http.ServerResponse>()
/** Settles a test that waits for the server to have received a request. */
let onRequest: (() => void) | null = null

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers })
    unfinished.add(res)
    res.once('close', () => unfinished.delete(res))
    onRequest?.()
    handler(req, res)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterEach(() => {
  seen.length = 0
  onRequest = null
  // Silent handlers leave responses open; end their sockets (idle keep-alive sockets stay, as
  // the client may reuse them).
  for (const res of unfinished) res.socket?.destroy()
  unfinished.clear()
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

/** A broker whose retries do not wait (the waits themselves are tested in http-retries.test.ts). */
const broker = (options: Partial<ConstructorParameters<typeof HttpBroker>[0]> = {}): HttpBroker =>
  new HttpBroker({
    silenceMs: 5_000,
    deadlineMs: 60_000,
    wait: () => Promise.resolve(),
    ...options,
  })

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' })
  res.end(JSON.stringify(body))
}

function md5(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('hex')
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(Error)
    return error as Error
  }
  throw new Error('expected the call to fail')
}

describe('query encoding', () => {
  it("encodes as RFC 3986: spaces as %20, reserved characters and !'()* escaped", () => {
    expect(encodeQueryComponent("a b+c&d=e/f?g#h!i'j(k)l*m~n_o.p-q")).toBe(
      'a%20b%2Bc%26d%3De%2Ff%3Fg%23h%21i%27j%28k%29l%2Am~n_o.p-q',
    )
    expect(encodeQueryComponent('é')).toBe('%C3%A9')
  })

  it('keeps an existing query and appends only the given params', () => {
    const url = buildUrl('https://example.test/files/abc?alt=media', { fields: 'id, name' })
    expect(url.toString()).toBe('https://example.test/files/abc?alt=media&fields=id%2C%20name')
    expect(buildUrl('https://example.test/x', {}).toString()).toBe('https://example.test/x')
  })

  it('rejects URLs that are not http(s), without quoting their query', () => {
    expect(() => buildUrl('file:///etc/passwd', {})).toThrow(/only http and https/)
    expect(() => buildUrl('not a url?token=secret', {})).toThrow(HttpError)
    expect(() => buildUrl('not a url?token=secret', {})).not.toThrow(/secret/)
    expect(describeUrl('https://user:pw@example.test/a/b?key=secret#frag')).toBe(
      'https://example.test/a/b',
    )
  })

  it('sends exactly the given params, encoded, after the existing query', async () => {
    handler = (_req, res) => json(res, 200, {})
    await broker().get(
      `${base}/drive/v3/files?prettyPrint=false`,
      {},
      {
        pageSize: '1000',
        fields: 'nextPageToken, files(id)',
        q: "trashed=false and name = 'a&b'",
      },
    )
    expect(seen).toHaveLength(1)
    expect(seen[0]?.url).toBe(
      '/drive/v3/files?prettyPrint=false&pageSize=1000&fields=nextPageToken%2C%20files%28id%29&q=trashed%3Dfalse%20and%20name%20%3D%20%27a%26b%27',
    )
    const query = new URL(seen[0]?.url ?? '', base).searchParams
    expect([...query.keys()]).toEqual(['prettyPrint', 'pageSize', 'fields', 'q'])
    expect(query.get('q')).toBe("trashed=false and name = 'a&b'")
  })
})

describe('http.get', () => {
  it('sends the headers it is given', async () => {
    handler = (_req, res) => json(res, 200, {})
    await broker().get(`${base}/h`, { Authorization: 'Bearer abc', 'X-Custom': 'yes' }, {})
    expect(seen[0]?.headers.authorization).toBe('Bearer abc')
    expect(seen[0]?.headers['x-custom']).toBe('yes')
  })

  it('answers a JSON body with its content type, and any other body as text', async () => {
    handler = (req, res) => {
      if (req.url === '/json') return json(res, 200, { files: [{ id: 'a' }] })
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
      res.end('héllo')
    }
    const b = broker()
    const j = await b.get(`${base}/json`, {}, {})
    expect(j).toEqual({
      method: 'http.get',
      contentType: 'application/json; charset=UTF-8',
      body: '{"files":[{"id":"a"}]}',
    })
    const t = await b.get(`${base}/text`, {}, {})
    expect(t).toEqual({
      method: 'http.get',
      contentType: 'text/plain; charset=utf-8',
      body: 'héllo',
    })
  })

  it('reports a Google error body as HTTP <status>: <error.message>', async () => {
    handler = (_req, res) =>
      json(res, 404, {
        error: {
          code: 404,
          message: 'File not found: abc.',
          errors: [{ domain: 'global', reason: 'notFound', message: 'File not found: abc.' }],
        },
      })
    const error = await failure(broker().get(`${base}/drive/v3/files/abc`, {}, { fields: 'id' }))
    expect(error).toBeInstanceOf(HttpError)
    expect(error.message).toBe('HTTP 404: File not found: abc.')
  })

  it('reports a non-Google error body by its status text', async () => {
    handler = (_req, res) => {
      res.writeHead(500, { 'content-type': 'text/html' })
      res.end('<html>boom</html>')
    }
    const error = await failure(broker().get(`${base}/x`, {}, {}, { retry: false }))
    expect(error.message).toBe('HTTP 500: Internal Server Error')
    // Retried (a 500 may be transient), it says how many tries it took.
    const retried = await failure(broker().get(`${base}/x`, {}, {}))
    expect(retried.message).toBe('HTTP 500: Internal Server Error (after 5 attempts)')
  })

  it('reports a network failure without the query string', async () => {
    const closed = http.createServer()
    closed.listen(0, '127.0.0.1')
    await once(closed, 'listening')
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const error = await failure(
      broker().get(`http://127.0.0.1:${port}/drive/v3/files?key=secret`, {}, { pageToken: 'tok' }),
    )
    expect(error).toBeInstanceOf(HttpError)
    expect(error.message).toMatch(
      new RegExp(`^GET http://127\\.0\\.0\\.1:${port}/drive/v3/files failed: .*ECONNREFUSED`),
    )
    expect(error.message).not.toMatch(/secret|tok|\?/)
  })

  it('fails a response whose headers never come after silenceMs', async () => {
    handler = () => undefined
    const started = Date.now()
    const error = await failure(
      broker({ silenceMs: 200 }).get(`${base}/silent?x=1`, {}, {}, { retry: false }),
    )
    expect(error.message).toBe(`GET ${base}/silent failed: no data for 200 ms`)
    expect(Date.now() - started).toBeGreaterThanOrEqual(150)
    expect(Date.now() - started).toBeLessThan(5_000)
    // A timeout is worth another try.
    const again = await failure(
      broker({ silenceMs: 100, retryPolicy: () => ({ ...DEFAULT_RETRY_POLICY, attempts: 2 }) }).get(
        `${base}/silent?x=1`,
        {},
        {},
      ),
    )
    expect(again.message).toBe(`GET ${base}/silent failed: no data for 100 ms (after 2 attempts)`)
  })

  it('fails a body that goes silent mid-stream', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"files": [')
    }
    const error = await failure(
      broker({ silenceMs: 200 }).get(`${base}/stall?x=1`, {}, {}, { retry: false }),
    )
    expect(error.message).toBe(
      `reading the response of ${base}/stall failed after 11 bytes: no data for 200 ms`,
    )
  })

  it('keeps a slow but steady body alive: the silence timer restarts on every chunk', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      let n = 0
      const tick = setInterval(() => {
        res.write('x')
        if (++n === 5) {
          clearInterval(tick)
          res.end()
        }
      }, 80)
    }
    const reply = await broker({ silenceMs: 200 }).get(`${base}/drip`, {}, {})
    expect(reply).toMatchObject({ body: 'xxxxx' })
  })

  it('refuses a body bigger than maxBodyBytes', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end(Buffer.alloc(4096, 'a'))
    }
    const error = await failure(broker({ maxBodyBytes: 1000 }).get(`${base}/big`, {}, {}))
    expect(error).toBeInstanceOf(HttpError)
    expect(error.message).toMatch(
      /^the response is larger than 1000 bytes; fetch file contents with skwirl\.download_url$/,
    )
    // At the limit exactly, it still passes.
    handler = (_req, res) => res.end(Buffer.alloc(1000, 'a'))
    const ok = await broker({ maxBodyBytes: 1000 }).get(`${base}/exact`, {}, {})
    expect(ok.body).toHaveLength(1000)
  })

  it('has a 64 MiB default cap', async () => {
    const size = 64 * 1024 * 1024 + 1
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      const chunk = Buffer.alloc(1024 * 1024)
      let sent = 0
      const pump = (): void => {
        while (sent < size) {
          const n = Math.min(chunk.length, size - sent)
          sent += n
          if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
            res.once('drain', pump)
            return
          }
        }
        res.end()
      }
      res.on('error', () => undefined)
      pump()
    }
    const error = await failure(broker().get(`${base}/huge`, {}, {}))
    expect(error.message).toMatch(/^the response is larger than 64 MiB/)
  })

  it('stops when its abort signal fires', async () => {
    handler = () => undefined
    const controller = new AbortController()
    const arrived = new Promise<void>((resolve) => (onRequest = resolve))
    const pending = failure(broker().get(`${base}/wait?x=1`, {}, {}, { signal: controller.signal }))
    await arrived
    controller.abort()
    const error = await pending
    expect(error).toBeInstanceOf(HttpError)
    expect(error.message).toMatch(new RegExp(`^GET ${base}/wait failed: .*abort`, 'i'))
  })
})

describe('download', () => {
  const body = Buffer.from('0123456789'.repeat(10_000))

  it('streams the body, counts its bytes and checks size and md5', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      res.write(body.subarray(0, 50_000))
      setImmediate(() => res.end(body.subarray(50_000)))
    }
    const reply = await broker().download(
      `${base}/drive/v3/files/a?alt=media`,
      { Authorization: 'Bearer t' },
      { size: body.length, checksum: md5(body).toUpperCase() },
    )
    expect(reply).toEqual({ bytes: body.length, md5: md5(body), verified: true })
    expect(seen[0]?.url).toBe('/drive/v3/files/a?alt=media')
    expect(seen[0]?.headers.authorization).toBe('Bearer t')
    // Without expectations it only counts: the bytes are kept unverified.
    expect(await broker().download(`${base}/a`, {}, null)).toEqual({
      bytes: body.length,
      md5: null,
      verified: false,
    })
    expect(await broker().download(`${base}/a`, {}, { size: null, checksum: null })).toEqual({
      bytes: body.length,
      md5: null,
      verified: false,
    })
  })

  it('streams into a sink, hashing as it goes, and lets the sink’s own errors through', async () => {
    handler = (_req, res) => {
      res.write(body.subarray(0, 50_000))
      setImmediate(() => res.end(body.subarray(50_000)))
    }
    const chunks: Buffer[] = []
    const sink = {
      write: async (chunk: Uint8Array) => void chunks.push(Buffer.from(chunk)),
      restart: async () => void chunks.splice(0),
    }
    // A checksum that is not an MD5 (Dropbox's): not checked, but the MD5 is still answered.
    const reply = await broker().download(
      `${base}/a`,
      {},
      { size: body.length, checksum: 'not-an-md5' },
      undefined,
      sink,
    )
    expect(reply).toEqual({ bytes: body.length, md5: md5(body), verified: false })
    expect(Buffer.concat(chunks).equals(body)).toBe(true)

    const full = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })
    const failing = { write: async () => Promise.reject(full), restart: async () => undefined }
    await expect(broker().download(`${base}/a`, {}, null, undefined, failing)).rejects.toBe(full)
  })

  it('fails when the size differs from the metadata', async () => {
    handler = (_req, res) => res.end(body)
    const error = await failure(
      broker().download(`${base}/a`, {}, { size: body.length + 1, checksum: md5(body) }),
    )
    expect(error.message).toBe(
      `download ended after ${body.length} bytes but the metadata says ${body.length + 1}`,
    )
  })

  it('fails when the md5 differs from the metadata', async () => {
    handler = (_req, res) => res.end(body)
    const wrong = md5(Buffer.from('something else'))
    const error = await failure(
      broker().download(`${base}/a`, {}, { size: body.length, checksum: wrong }),
    )
    expect(error.message).toBe(
      `checksum mismatch: the bytes hash to md5 ${md5(body)}, the metadata says ${wrong}`,
    )
  })

  it('reports an error status with the Google message', async () => {
    handler = (_req, res) =>
      json(res, 403, {
        error: { code: 403, message: 'Only files with binary content can be downloaded.' },
      })
    const error = await failure(broker().download(`${base}/doc?alt=media`, {}, null))
    expect(error.message).toBe('HTTP 403: Only files with binary content can be downloaded.')
  })

  it('fails a download that breaks mid-stream', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': String(body.length) })
      res.write(body.subarray(0, 1000), () => res.socket?.destroy())
    }
    const error = await failure(broker().download(`${base}/a?alt=media`, {}, null))
    expect(error).toBeInstanceOf(HttpError)
    expect(error.message).toMatch(/^the download broke after \d+ bytes: /)
  })

  it('fails a download that goes silent', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': String(body.length) })
      res.write(body.subarray(0, 1000))
    }
    const error = await failure(
      broker({ silenceMs: 200 }).download(`${base}/a`, {}, null, { retry: false }),
    )
    expect(error.message).toBe('the download broke after 1000 bytes: no data for 200 ms')
  })

  it('stops when its abort signal fires mid-stream', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': String(body.length) })
      res.write(body.subarray(0, 1000))
    }
    const controller = new AbortController()
    const arrived = new Promise<void>((resolve) => (onRequest = resolve))
    const pending = failure(broker().download(`${base}/a`, {}, null, { signal: controller.signal }))
    await arrived
    controller.abort()
    const error = await pending
    expect(error.message).toMatch(/abort/i)
  })
})

describe('http.request', () => {
  it('sends any verb with its body and answers every status with headers and bytes', async () => {
    const bodies: Buffer[] = []
    handler = (req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        bodies.push(Buffer.concat(chunks))
        res.writeHead(req.method === 'DELETE' ? 409 : 201, {
          'content-type': 'application/octet-stream',
          'X-Answer': req.method ?? '',
        })
        res.end(Buffer.from([0, 255, 1]))
      })
    }
    const b = broker()
    const put = await b.request(
      'put',
      `${base}/p`,
      { 'X-Custom': 'yes' },
      { q: 'a b' },
      new Uint8Array([1, 2, 0]),
    )
    expect(put.status).toBe(201)
    expect(put.headers['x-answer']).toBe('PUT')
    expect([...put.body]).toEqual([0, 255, 1])
    expect(put.body.byteLength).toBe(put.body.buffer.byteLength)
    expect(seen[0]?.url).toBe('/p?q=a%20b')
    expect(seen[0]?.headers['x-custom']).toBe('yes')
    expect([...(bodies[0] ?? [])]).toEqual([1, 2, 0])
    const del = await b.request('DELETE', `${base}/d`, {}, {}, null)
    expect(del.status).toBe(409)
  })

  it('refuses methods it cannot or must not send, and a GET with a body', async () => {
    const b = broker()
    await expect(b.request('GET /x', `${base}/`, {}, {}, null)).rejects.toThrow(
      'not a valid HTTP method: "GET /x"',
    )
    await expect(b.request('connect', `${base}/`, {}, {}, null)).rejects.toThrow(
      'the HTTP method CONNECT is not allowed',
    )
    await expect(b.request('GET', `${base}/`, {}, {}, new Uint8Array([1]))).rejects.toThrow(
      'a GET request cannot have a body',
    )
    expect(seen).toHaveLength(0)
  })

  it('names the verb when there is no response', async () => {
    const error = await failure(
      broker().request('POST', 'http://127.0.0.1:1/x?secret=1', {}, {}, null),
    )
    expect(error.message).toMatch(/^POST http:\/\/127\.0\.0\.1:1\/x failed: /)
  })
})

describe('error bodies', () => {
  it("reads Dropbox's error_summary", async () => {
    handler = (_req, res) =>
      json(res, 409, { error_summary: 'path/not_found/..', error: { '.tag': 'path' } })
    const error = await failure(broker().get(`${base}/x`, {}, {}))
    expect(error.message).toBe('HTTP 409: path/not_found/..')
  })
})
