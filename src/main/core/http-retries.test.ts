// The broker's patience against a real local server: which answers and failures it tries again,
// how long it waits (backoff, Retry-After), what it does not retry, how a broken download
// resumes from the byte it reached, and how the provider's pace spaces requests.
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_RETRY_POLICY, Pacer, type RetryPolicy } from './http'
import { HttpBroker, HttpError, type HttpRetry } from './http-broker'

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void

let server: http.Server
let base = ''
let handler: Handler = (_req, res) => res.end()
let count = 0
const seen: http.IncomingHttpHeaders[] = []

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers)
    handler(req, res, ++count)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterEach(() => {
  count = 0
  seen.length = 0
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

interface Harness {
  broker: HttpBroker
  waits: number[]
  retries: HttpRetry[]
  call: { onRetry: (retry: HttpRetry) => void }
}

function harness(policy: Partial<RetryPolicy> = {}, pacer: Pacer | null = null): Harness {
  const waits: number[] = []
  const retries: HttpRetry[] = []
  const broker = new HttpBroker({
    silenceMs: 2000,
    deadlineMs: 60_000,
    retryPolicy: () => ({ ...DEFAULT_RETRY_POLICY, ...policy }),
    pacer,
    random: () => 0.5,
    wait: (ms) => {
      waits.push(ms)
      return Promise.resolve()
    },
  })
  return { broker, waits, retries, call: { onRetry: (retry) => retries.push(retry) } }
}

function google(res: http.ServerResponse, status: number, reason: string, headers = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers })
  res.end(JSON.stringify({ error: { code: status, message: reason, errors: [{ reason }] } }))
}

function ok(res: http.ServerResponse, text = '{"fine":true}'): void {
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(text)
}

async function failure(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError)
    return error as HttpError
  }
  throw new Error('expected the call to fail')
}

const md5 = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('hex')

describe('what is retried', () => {
  it('retries 408, 429, 500, 502, 503 and 504 with backoff doubling from 1 s, jittered', async () => {
    const statuses = [503, 500, 502, 504, 408, 429]
    handler = (_req, res, n) => {
      const status = statuses[n - 1]
      if (status === undefined) ok(res)
      else if (status === 429) google(res, 429, 'rateLimitExceeded')
      else google(res, status, `status ${status}`)
    }
    const wide = harness({ attempts: 10 })
    const reply = await wide.broker.get(`${base}/list?token=secret`, {}, {}, wide.call)
    expect(reply.body).toBe('{"fine":true}')
    expect(count).toBe(7)
    // random() = 0.5: half of 1, 2, 4, 8, 16 and 16 s.
    expect(wide.waits).toEqual([500, 1000, 2000, 4000, 8000, 8000])
    expect(wide.retries.map((r) => [r.attempt, r.attempts, r.cause.slice(0, 8)])).toEqual([
      [1, 10, 'HTTP 503'],
      [2, 10, 'HTTP 500'],
      [3, 10, 'HTTP 502'],
      [4, 10, 'HTTP 504'],
      [5, 10, 'HTTP 408'],
      [6, 10, 'HTTP 429'],
    ])
    expect(wide.retries[0]).toMatchObject({ method: 'GET', url: `${base}/list` })
  })

  it('retries a 403 only when Google says it is a rate limit', async () => {
    const { broker, retries, call } = harness()
    handler = (_req, res, n) =>
      n === 1
        ? google(res, 403, 'userRateLimitExceeded')
        : n === 2
          ? google(res, 403, 'rateLimitExceeded')
          : ok(res)
    await broker.get(`${base}/a`, {}, {}, call)
    expect(retries.map((r) => r.cause)).toEqual([
      'HTTP 403: userRateLimitExceeded',
      'HTTP 403: rateLimitExceeded',
    ])
    count = 0
    handler = (_req, res) => google(res, 403, 'insufficientFilePermissions')
    const denied = await failure(broker.get(`${base}/a`, {}, {}, call))
    expect(denied.message).toBe('HTTP 403: insufficientFilePermissions')
    expect(count).toBe(1)
  })

  it('does not retry 4xx answers such as 400, 401 and 404', async () => {
    const { broker, call } = harness()
    for (const status of [400, 401, 404, 409]) {
      count = 0
      handler = (_req, res) => google(res, status, 'no')
      await failure(broker.get(`${base}/a`, {}, {}, call))
      expect(count, String(status)).toBe(1)
    }
  })

  it('retries broken connections and gives up after the attempts, saying how many', async () => {
    const { broker, waits, retries, call } = harness({ attempts: 3 })
    handler = (req) => req.socket.destroy()
    const error = await failure(broker.get(`${base}/drop?key=secret`, {}, {}, call))
    expect(error.message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/drop failed: .+ \(after 3 attempts\)$/,
    )
    expect(error.message).not.toContain('secret')
    expect(count).toBe(3)
    expect(waits).toEqual([500, 1000])
    expect(retries).toHaveLength(2)
  })

  it('honours Retry-After (seconds or a date) up to its cap, and holds the pace meanwhile', async () => {
    let t = 0
    const pacer = new Pacer(
      { minIntervalMs: 1, burst: 100 },
      {
        now: () => t,
        sleep: (ms) => {
          t += ms
          return Promise.resolve()
        },
      },
    )
    const { broker, waits, call } = harness({ retryAfterMaxMs: 20_000 }, pacer)
    const later = new Date(Date.now() + 5000).toUTCString()
    handler = (_req, res, n) => {
      if (n === 1) google(res, 429, 'rateLimitExceeded', { 'retry-after': '3' })
      else if (n === 2) google(res, 503, 'backendError', { 'retry-after': later })
      else if (n === 3) google(res, 429, 'rateLimitExceeded', { 'retry-after': '3600' })
      else ok(res)
    }
    await broker.get(`${base}/a`, {}, {}, call)
    expect(waits[0]).toBe(3000)
    expect(waits[1]).toBeGreaterThan(3000)
    expect(waits[1]).toBeLessThanOrEqual(5000)
    expect(waits[2]).toBe(20_000)
    // The two 429s held every request of the provider for their waits.
    expect(t).toBeGreaterThanOrEqual(23_000)
  })

  it('retries http.request for idempotent verbs only, unless the provider asks', async () => {
    const { broker, call } = harness()
    handler = (_req, res, n) => (n === 1 ? google(res, 503, 'busy') : ok(res))
    const post = await broker.request('POST', `${base}/a`, {}, {}, new Uint8Array([1]), call)
    expect(post.status).toBe(503)
    expect(count).toBe(1)
    count = 0
    const asked = await broker.request('POST', `${base}/a`, {}, {}, null, { ...call, retry: true })
    expect(asked.status).toBe(200)
    for (const verb of ['GET', 'PUT', 'DELETE', 'HEAD']) {
      count = 0
      expect((await broker.request(verb, `${base}/a`, {}, {}, null, call)).status, verb).toBe(200)
      expect(count).toBe(2)
    }
    count = 0
    const off = await broker.request('GET', `${base}/a`, {}, {}, null, { ...call, retry: false })
    expect(off.status).toBe(503)
    // http.request answers the last status once its tries are spent, without raising.
    handler = (_req, res) => google(res, 500, 'down')
    const last = await broker.request('GET', `${base}/a`, {}, {}, null, call)
    expect(last.status).toBe(500)
  })

  it('sends the user info of the URL as Basic authorization on every try', async () => {
    handler = (req, res, n) =>
      n === 1 ? google(res, 503, 'Backend Error') : ok(res, String(req.headers.authorization))
    const { broker, call } = harness()
    const reply = await broker.get(`http://alice:s3cret@${base.slice(7)}/basic`, {}, {}, call)
    expect(reply.body).toBe(`Basic ${Buffer.from('alice:s3cret').toString('base64')}`)
    expect(seen.map((h) => h.authorization)).toEqual([reply.body, reply.body])
  })

  it("keeps to the call's deadline across its retries and their waits", async () => {
    handler = (_req, res) => google(res, 503, 'Backend Error')
    const broker = new HttpBroker({
      silenceMs: 2000,
      deadlineMs: 60_000,
      retryPolicy: () => ({ ...DEFAULT_RETRY_POLICY, attempts: 10 }),
      // Real waits: the deadline runs while the broker waits to try again.
      wait: (ms, signal) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(ms, 100))
          signal?.addEventListener('abort', () => clearTimeout(timer), { once: true })
        }),
    })
    const error = await failure(broker.get(`${base}/slow`, {}, {}, { timeoutMs: 250 }))
    expect(error.message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/slow failed: not finished after 250 ms \(the call's deadline; .*\)/,
    )
    expect(error.transient).toBe(false)
    // Each try waits up to 100 ms: ten tries would take more than the 250 ms.
    expect(count).toBeGreaterThanOrEqual(1)
    expect(count).toBeLessThan(10)
  })

  it('never retries a call whose run was cancelled', async () => {
    const { broker, call } = harness()
    const cancel = new AbortController()
    handler = (req) => {
      cancel.abort()
      req.socket.destroy()
    }
    await failure(broker.get(`${base}/a`, {}, {}, { ...call, signal: cancel.signal }))
    expect(count).toBe(1)
  })
})

describe('downloads that break', () => {
  const body = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251))

  /** Serves `body` with ranges; `cut(n)` says after how many bytes attempt n breaks. */
  function serveRanges(cut: (n: number) => number | null, options: { ranges?: boolean } = {}) {
    handler = (req, res, n) => {
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '')
      const start = range && options.ranges !== false ? Number(range[1]) : 0
      const headers: http.OutgoingHttpHeaders = {
        'content-length': String(body.length - start),
        etag: '"v1"',
      }
      if (start > 0) headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`
      res.writeHead(start > 0 ? 206 : 200, headers)
      const stop = cut(n)
      if (stop === null) return void res.end(body.subarray(start))
      res.write(body.subarray(start, start + stop), () => res.socket?.destroy())
    }
  }

  it('resumes from the byte it reached with Range, and the MD5 goes on', async () => {
    const { broker, retries, call } = harness()
    serveRanges((n) => (n <= 2 ? 100_000 : null))
    const reply = await broker.download(
      `${base}/file`,
      {},
      { size: body.length, checksum: md5(body) },
      call,
    )
    expect(reply).toMatchObject({ bytes: body.length, md5: md5(body), verified: true })
    expect(seen.map((h) => h.range)).toEqual([undefined, 'bytes=100000-', 'bytes=200000-'])
    expect(seen.map((h) => h['if-range'])).toEqual([undefined, '"v1"', '"v1"'])
    expect(retries.map((r) => r.cause)).toEqual([
      expect.stringMatching(/^the download broke after 100000 bytes: /),
      expect.stringMatching(/^the download broke after 200000 bytes: /),
    ])
  })

  it('starts over when the server sends the whole file again instead of a range', async () => {
    const { broker, call } = harness()
    serveRanges((n) => (n === 1 ? 150_000 : null), { ranges: false })
    const reply = await broker.download(
      `${base}/file`,
      {},
      { size: body.length, checksum: md5(body) },
      call,
    )
    expect(reply).toMatchObject({ bytes: body.length, md5: md5(body), verified: true })
    expect(seen[1]?.range).toBe('bytes=150000-')
  })

  it('writes a resumed download to its sink once, and empties the sink when it starts over', async () => {
    const { broker, call } = harness()
    const written: Buffer[] = []
    let restarts = 0
    const sink = {
      write: async (chunk: Uint8Array) => void written.push(Buffer.from(chunk)),
      restart: async () => {
        restarts++
        written.splice(0)
      },
    }
    serveRanges((n) => (n === 1 ? 120_000 : null))
    await broker.download(
      `${base}/file`,
      {},
      { size: body.length, checksum: md5(body) },
      call,
      sink,
    )
    expect(Buffer.concat(written).equals(body)).toBe(true)
    expect(restarts).toBe(0)
    count = 0
    seen.length = 0
    written.splice(0)
    serveRanges((n) => (n === 1 ? 120_000 : null), { ranges: false })
    const reply = await broker.download(`${base}/file`, {}, null, call, sink)
    expect(reply).toEqual({ bytes: body.length, md5: md5(body), verified: false })
    expect(Buffer.concat(written).equals(body)).toBe(true)
    expect(restarts).toBe(1)
  })

  it('starts over when a 206 begins at another byte than asked', async () => {
    const { broker, call } = harness()
    handler = (req, res, n) => {
      if (n === 1) {
        res.writeHead(200, { 'content-length': String(body.length) })
        return void res.write(body.subarray(0, 1000), () => res.socket?.destroy())
      }
      if (n === 2) {
        res.writeHead(206, {
          'content-range': `bytes 0-${body.length - 1}/${body.length}`,
          'content-length': String(body.length),
        })
        return void res.end(body)
      }
      expect(req.headers.range).toBeUndefined()
      res.end(body)
    }
    const reply = await broker.download(
      `${base}/file`,
      {},
      { size: body.length, checksum: md5(body) },
      call,
    )
    expect(reply.bytes).toBe(body.length)
    expect(count).toBe(3)
  })

  it('restarts an export with no length or ranges from its start', async () => {
    const { broker, call } = harness()
    handler = (_req, res, n) => {
      res.writeHead(200, { 'content-type': 'application/pdf' })
      if (n === 1) return void res.write(body.subarray(0, 5000), () => res.socket?.destroy())
      res.end(body)
    }
    const reply = await broker.download(`${base}/export`, {}, { size: null, checksum: null }, call)
    expect(reply).toEqual({ bytes: body.length, md5: null, verified: false })
  })

  it('retries a download answered 503, and fails one whose bytes do not match', async () => {
    const { broker, call } = harness()
    handler = (_req, res, n) => (n === 1 ? google(res, 503, 'busy') : res.end(body))
    expect((await broker.download(`${base}/f`, {}, null, call)).bytes).toBe(body.length)
    handler = (_req, res) => res.end(body)
    const wrong = await failure(
      broker.download(
        `${base}/f`,
        {},
        { size: body.length, checksum: md5(Buffer.from('x')) },
        call,
      ),
    )
    expect(wrong.message).toMatch(/^checksum mismatch/)
  })
})

describe('pacing', () => {
  it('spaces requests to the declared pace after a burst', async () => {
    const pacer = new Pacer({ minIntervalMs: 40, burst: 2 })
    const { broker, call } = harness({}, pacer)
    handler = (_req, res) => ok(res)
    const arrived: number[] = []
    const started = performance.now()
    for (let i = 0; i < 6; i++) {
      await broker.get(`${base}/a`, {}, {}, call)
      arrived.push(performance.now() - started)
    }
    // Two at once, then one per 40 ms: the sixth no sooner than 4 × 40 ms after the start.
    expect(arrived[5]).toBeGreaterThanOrEqual(150)
  })
})
