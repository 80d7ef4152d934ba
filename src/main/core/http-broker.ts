// The one HTTP path: every http.get, http.request and download_url a provider makes is done
// here, in main, with Node's fetch. Redirects are followed here too (credentials never follow
// one to another origin), and every call has a deadline beside its silence limit. Each call is
// paced and, when it fails in a way another try may not (a reset, a silence, 429, 5xx, a 403 rate
// limit), tried again (./http/): the retries wrap open(), redirects included.
import { createHash, type Hash } from 'node:crypto'
import type { ExpectedDownload, HostReply } from '../../shared/runner-protocol'
import { capText, TEXT_LIMITS } from '../../shared/text-limits'
import {
  DEFAULT_RETRY_POLICY,
  isIdempotent,
  isRateLimit,
  isRetryableStatus,
  isTransientNetworkError,
  parseRetryAfter,
  withRetries,
  type AttemptResult,
  type Pacer,
  type RetryNotice,
  type RetryPolicy,
} from './http'
import { isCredentialHeader } from './redaction'

export interface HttpBrokerOptions {
  /** A response or stream silent for this long fails. */
  silenceMs: number
  /**
   * A call not finished after this long fails, however steadily data trickles in; a download
   * gets DOWNLOAD_MS_PER_MIB more for each MiB its metadata promised. A call may set its own.
   */
  deadlineMs: number
  /** http.get answers bigger than this fail (file contents belong to download_url). */
  maxBodyBytes?: number
  /** Told each response's status as it arrives, redirects included (a test's console). */
  onResponse?: (status: number) => void
  /** The run's retry policy, read at each call (a provider may declare its own as it loads). */
  retryPolicy?: () => RetryPolicy
  /** Spaces the requests of the provider (shared by its runs). */
  pacer?: Pacer | null
  /** Test seams for the backoff: the jitter's randomness and the wait. */
  random?: () => number
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>
}

/** What a retry looked like, with the request it retried. */
export interface HttpRetry extends RetryNotice {
  method: string
  /** Without its query string. */
  url: string
}

/** What one call may ask for itself (a provider's `timeout`, `retry`). */
export interface CallOptions {
  signal?: AbortSignal | undefined
  /**
   * This call's deadline instead of the broker's. It covers the whole call, its retries and
   * their waits included.
   */
  timeoutMs?: number | undefined
  /** Retry transient failures (default: yes, but only for idempotent verbs in http.request). */
  retry?: boolean | undefined
  onRetry?: ((retry: HttpRetry) => void) | undefined
}

/** Where a download's bytes go as they arrive (the destination's temporary file). */
export interface DownloadSink {
  write(chunk: Uint8Array): Promise<void>
  /** The download starts over from its first byte: forget what was written. */
  restart(): Promise<void>
}

/** A download that streamed to its end and passed its checks. */
export interface DownloadOutcome {
  bytes: number
  /** MD5 of the bytes, hex; null when nothing asked for it (check only, no MD5 to check). */
  md5: string | null
  /** The bytes matched an MD5 the metadata gave (false: kept unverified). */
  verified: boolean
}

export class HttpError extends Error {
  override name = 'HttpError'
  /** The response's status, when there was one. */
  readonly status: number | null
  /** A failure another try may not meet: a broken connection or a silence. */
  readonly transient: boolean

  constructor(
    message: string,
    status: number | null = null,
    options: { transient?: boolean } = {},
  ) {
    super(message)
    this.status = status
    this.transient = options.transient ?? false
  }
}

const DEFAULT_MAX_BODY = 64 * 1024 * 1024
/** Hops a request may be redirected, as fetch allows. */
export const MAX_REDIRECTS = 20
/** A download's deadline grows by this much per MiB of its promised size (100 KiB/s at worst). */
export const DOWNLOAD_MS_PER_MIB = 10_000
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])

/** RFC 3986 encoding for query values: spaces as %20, and !'()* escaped too. */
export function encodeQueryComponent(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
}

export function buildUrl(url: string, params: Record<string, string>): URL {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new HttpError(`not a valid URL: ${describeUrl(url)}`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new HttpError(`only http and https URLs can be fetched, not ${parsed.protocol}`)
  }
  const query = Object.entries(params)
    .map(([key, value]) => `${encodeQueryComponent(key)}=${encodeQueryComponent(value)}`)
    .join('&')
  if (query) parsed.search = parsed.search ? `${parsed.search}&${query}` : `?${query}`
  return parsed
}

/** A URL as it may appear in an error message: no query string, no credentials. */
export function describeUrl(url: string | URL): string {
  try {
    const parsed = new URL(url)
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`
  } catch {
    return String(url).split('?')[0] ?? ''
  }
}

export class HttpBroker {
  private readonly maxBodyBytes: number

  constructor(private readonly options: HttpBrokerOptions) {
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY
  }

  async get(
    url: string,
    headers: Record<string, string>,
    params: Record<string, string>,
    call: CallOptions = {},
  ): Promise<Extract<HostReply, { method: 'http.get' }>> {
    const target = buildUrl(url, params)
    const deadline = this.deadline(call.timeoutMs ?? this.options.deadlineMs)
    return this.retrying('GET', target, call, call.retry ?? true, async () => {
      const watch = this.watch(call, deadline)
      try {
        const response = await this.open('GET', target, headers, null, watch)
        if (!response.ok) {
          const text = await this.errorBody(response, watch)
          const failure = new HttpError(statusMessage(response, text), response.status)
          return this.retryOrFail(response, text, () => {
            throw failure
          })
        }
        const body = (await this.readBytes(response, watch)).toString('utf8')
        const contentType = response.headers.get('content-type') ?? ''
        return { done: { method: 'http.get', contentType, body } }
      } finally {
        watch.stop()
      }
    })
  }

  /** Any verb; answers every status (only a failure to get a response throws). */
  async request(
    verb: string,
    url: string,
    headers: Record<string, string>,
    params: Record<string, string>,
    body: Uint8Array | null,
    call: CallOptions = {},
  ): Promise<Extract<HostReply, { method: 'http.request' }>> {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(verb)) {
      throw new HttpError(`not a valid HTTP method: ${JSON.stringify(verb)}`)
    }
    if (/^(CONNECT|TRACE|TRACK)$/i.test(verb)) {
      throw new HttpError(`the HTTP method ${verb.toUpperCase()} is not allowed`)
    }
    if (body !== null && /^(GET|HEAD)$/i.test(verb)) {
      throw new HttpError(`a ${verb.toUpperCase()} request cannot have a body`)
    }
    const target = buildUrl(url, params)
    const deadline = this.deadline(call.timeoutMs ?? this.options.deadlineMs)
    // A POST done twice may do its work twice: retried only when the provider says so.
    const enabled = call.retry ?? isIdempotent(verb)
    return this.retrying(verb.toUpperCase(), target, call, enabled, async () => {
      const watch = this.watch(call, deadline)
      try {
        const response = await this.open(verb, target, headers, body, watch)
        const bytes = await this.readBytes(response, watch)
        const answered: Record<string, string> = {}
        response.headers.forEach((value, name) => (answered[name.toLowerCase()] = value))
        // A copy of its own: a pooled Buffer would carry its whole pool across to the runner.
        const reply: Extract<HostReply, { method: 'http.request' }> = {
          method: 'http.request',
          status: response.status,
          headers: answered,
          body: new Uint8Array(bytes),
        }
        if (response.ok) return { done: reply }
        return this.retryOrFail(response, bytes.toString('utf8'), () => reply)
      } finally {
        watch.stop()
      }
    })
  }

  /**
   * Streams the body into `sink` (the destination's temporary file) or, without one, discards it;
   * counts the bytes and checks them against the metadata. The MD5 is computed as the bytes
   * stream: checked when the metadata's checksum is one, and always answered with a sink (the
   * destination's manifest keeps it). A body longer than the metadata promised is stopped as soon
   * as it is. A download that breaks is asked again from the byte it reached (Range): the MD5 and
   * the sink go on when the server answers 206 from there, and start over (the sink emptied) when
   * it sends the whole file instead.
   */
  async download(
    url: string,
    headers: Record<string, string>,
    expected: ExpectedDownload | null,
    call: CallOptions = {},
    sink?: DownloadSink,
  ): Promise<DownloadOutcome> {
    const target = buildUrl(url, {})
    const promised = expected?.size ? expected.size : null
    const deadline = this.deadline(
      call.timeoutMs ?? this.options.deadlineMs + ((promised ?? 0) / 1048576) * DOWNLOAD_MS_PER_MIB,
    )
    const checked = expected?.checksum ? /^[0-9a-f]{32}$/i.test(expected.checksum) : false
    const hashed = checked || sink !== undefined
    const progress: DownloadProgress = {
      bytes: 0,
      hash: hashed ? createHash('md5') : null,
      validator: null,
      sink: sink ?? null,
      promised,
    }
    const startOver = async (): Promise<void> => {
      progress.bytes = 0
      progress.hash = hashed ? createHash('md5') : null
      await sink?.restart()
    }
    await this.retrying('GET', target, call, call.retry ?? true, async () => {
      const resuming = progress.bytes > 0
      const sent = resuming ? resumeHeaders(headers, progress) : headers
      const watch = this.watch(call, deadline)
      try {
        const response = await this.open('GET', target, sent, null, watch)
        if (!response.ok) {
          const text = await this.errorBody(response, watch)
          const failure = new HttpError(statusMessage(response, text), response.status)
          return this.retryOrFail(response, text, () => {
            throw failure
          })
        }
        if (!resuming) {
          progress.validator = strongValidator(response)
        } else if (response.status !== 206) {
          // The server sent the whole file again (no ranges, or it changed): start over.
          await startOver()
        } else if (rangeStart(response) !== progress.bytes) {
          const from = rangeStart(response)
          await startOver()
          await response.body?.cancel().catch(() => undefined)
          throw new HttpError(
            `the server resumed the download at byte ${from ?? '?'} instead; starting over`,
            null,
            { transient: true },
          )
        }
        const announced = Number(response.headers.get('content-length') ?? NaN)
        if (promised !== null && progress.bytes + announced > promised) {
          await response.body?.cancel().catch(() => undefined)
          throw new HttpError(
            `the server announced ${progress.bytes + announced} bytes but the metadata says ${promised}; not downloaded`,
          )
        }
        await this.drain(response, watch, progress)
        return { done: undefined }
      } finally {
        watch.stop()
      }
    })
    const bytes = progress.bytes
    if (promised !== null && bytes !== promised) {
      throw new HttpError(`download ended after ${bytes} bytes but the metadata says ${promised}`)
    }
    const actual = progress.hash ? progress.hash.digest('hex') : null
    if (checked && actual !== expected?.checksum?.toLowerCase()) {
      throw new HttpError(
        `checksum mismatch: the bytes hash to md5 ${actual}, the metadata says ${expected?.checksum}`,
      )
    }
    return { bytes, md5: actual, verified: checked }
  }

  /** Runs one call's attempts under the run's retry policy and the provider's pace. */
  private retrying<T>(
    method: string,
    target: URL,
    call: CallOptions,
    enabled: boolean,
    attempt: () => Promise<AttemptResult<T>>,
  ): Promise<T> {
    return withRetries(
      {
        policy: this.policy(),
        enabled,
        pacer: this.options.pacer ?? undefined,
        signal: call.signal,
        random: this.options.random,
        wait: this.options.wait,
        onRetry: (notice) => call.onRetry?.({ ...notice, method, url: describeUrl(target) }),
      },
      attempt,
    )
  }

  private policy(): RetryPolicy {
    return this.options.retryPolicy?.() ?? DEFAULT_RETRY_POLICY
  }

  /** A failed answer: another try when its status says one may help, else `giveUp`. */
  private retryOrFail<T>(response: Response, body: string, giveUp: () => T): AttemptResult<T> {
    const policy = this.policy()
    if (!isRetryableStatus(policy, response.status, body)) return { done: giveUp() }
    return {
      retry: {
        cause: statusMessage(response, body),
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()),
        rateLimited: isRateLimit(policy, response.status, body),
        giveUp,
      },
    }
  }

  /** When a call that starts now must be over: its attempts and their waits share it. */
  private deadline(ms: number): CallDeadline {
    return { at: performance.now() + ms, ms }
  }

  /** One attempt's watch: its own silence timer, the call's deadline (what is left of it). */
  private watch(call: CallOptions, deadline: CallDeadline): CallWatch {
    return new CallWatch(this.options.silenceMs, deadline, call.signal)
  }

  /**
   * Sends the request and follows redirects itself: a hop to another origin (or from https to
   * http) drops every credential-bearing header, and 303 (or 301/302 after a POST) turns into a
   * GET without the body, as browsers do.
   */
  private async open(
    verb: string,
    target: URL,
    headers: Record<string, string>,
    body: Uint8Array | null,
    watch: CallWatch,
  ): Promise<Response> {
    let method = verb.toUpperCase()
    // The user info is taken out of a copy (a retry opens the target again); without any, the
    // target is only read.
    let url = target.username === '' && target.password === '' ? target : new URL(target)
    let sent = withUserinfoAsBasic(url, headers)
    let payload = body
    for (let hop = 0; ; hop++) {
      let response: Response
      try {
        response = await fetch(url, {
          method,
          headers: sent,
          body: payload,
          signal: watch.signal,
          redirect: 'manual',
        })
      } catch (error) {
        throw watch.explain(error, `${method} ${describeUrl(url)} failed`)
      }
      watch.poke()
      this.options.onResponse?.(response.status)
      const location = response.headers.get('location')
      if (!REDIRECT_STATUSES.has(response.status) || location === null) return response
      await response.body?.cancel().catch(() => undefined)
      if (hop >= MAX_REDIRECTS) {
        throw new HttpError(
          `${method} ${describeUrl(target)} failed: more than ${MAX_REDIRECTS} redirects`,
        )
      }
      const next = URL.parse(location, url.href)
      if (!next || (next.protocol !== 'http:' && next.protocol !== 'https:')) {
        throw new HttpError(
          `${method} ${describeUrl(url)} was redirected to a URL that is not http or https`,
        )
      }
      // Credentials a server puts in a Location are not ours to send.
      next.username = ''
      next.password = ''
      if (next.origin !== url.origin) sent = withoutCredentials(sent)
      if (
        (response.status === 303 && method !== 'HEAD') ||
        ((response.status === 301 || response.status === 302) && method === 'POST')
      ) {
        method = 'GET'
        payload = null
        sent = withoutBodyHeaders(sent)
      }
      url = next
    }
  }

  /** At most TEXT_LIMITS.errorBodyBytes of an error's body (its message, its 403 reason). */
  private async errorBody(response: Response, watch: CallWatch): Promise<string> {
    return (await this.readBytes(response, watch, TEXT_LIMITS.errorBodyBytes)).toString('utf8')
  }

  /** The body; beyond `truncateAt` bytes it is cut there (error bodies) instead of refused. */
  private async readBytes(
    response: Response,
    watch: CallWatch,
    truncateAt: number | null = null,
  ): Promise<Buffer> {
    const reader = response.body?.getReader()
    if (!reader) return Buffer.alloc(0)
    const chunks: Uint8Array[] = []
    let size = 0
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        watch.poke()
        size += value.byteLength
        if (truncateAt !== null && size >= truncateAt) {
          chunks.push(value)
          await reader.cancel()
          return Buffer.concat(chunks).subarray(0, truncateAt)
        }
        if (size > this.maxBodyBytes) {
          await reader.cancel()
          throw new HttpError(
            `the response is larger than ${formatLimit(this.maxBodyBytes)}; fetch file contents with skwirl.download_url`,
          )
        }
        chunks.push(value)
      }
    } catch (error) {
      if (error instanceof HttpError) throw error
      throw watch.explain(
        error,
        `reading the response of ${describeUrl(response.url)} failed after ${size} bytes`,
      )
    }
    return Buffer.concat(chunks)
  }

  private async drain(
    response: Response,
    watch: CallWatch,
    progress: DownloadProgress,
  ): Promise<void> {
    const reader = response.body?.getReader()
    if (!reader) return
    for (;;) {
      let chunk: Uint8Array | undefined
      try {
        chunk = (await reader.read()).value
      } catch (error) {
        throw watch.explain(error, `the download broke after ${progress.bytes} bytes`)
      }
      if (chunk === undefined) return
      watch.poke()
      progress.bytes += chunk.byteLength
      if (progress.promised !== null && progress.bytes > progress.promised) {
        await reader.cancel().catch(() => undefined)
        throw new HttpError(
          `the server sent more than the ${progress.promised} bytes the metadata promised; the download was stopped`,
        )
      }
      progress.hash?.update(chunk)
      if (progress.sink) {
        // The sink's own errors (a full disk) pass unchanged: they are not the network's.
        try {
          await progress.sink.write(chunk)
        } catch (error) {
          await reader.cancel().catch(() => undefined)
          throw error
        }
        watch.poke()
      }
    }
  }
}

/** When a call must be over (performance.now() time), and how long it was given. */
interface CallDeadline {
  at: number
  ms: number
}

/** How far a download got: what a resumed request goes on from. */
interface DownloadProgress {
  bytes: number
  hash: Hash | null
  /** The first answer's strong ETag or Last-Modified, sent as If-Range when resuming. */
  validator: string | null
  sink: DownloadSink | null
  /** The size the metadata promised (null: none). */
  promised: number | null
}

function resumeHeaders(
  headers: Record<string, string>,
  progress: DownloadProgress,
): Record<string, string> {
  const sent = Object.fromEntries(
    Object.entries(headers).filter(([name]) => !/^(range|if-range)$/i.test(name)),
  )
  sent.Range = `bytes=${progress.bytes}-`
  // The file changed since? Then the server sends all of it (200), not the rest of another one.
  if (progress.validator) sent['If-Range'] = progress.validator
  return sent
}

function strongValidator(response: Response): string | null {
  const etag = response.headers.get('etag')
  if (etag && !etag.startsWith('W/')) return etag
  return response.headers.get('last-modified')
}

/** The first byte a 206 answer carries (Content-Range: bytes START-END/TOTAL). */
function rangeStart(response: Response): number | null {
  const match = /^bytes\s+(\d+)-\d+\/(\d+|\*)$/i.exec(response.headers.get('content-range') ?? '')
  return match ? Number(match[1]) : null
}

/** "HTTP 404: <the server's message>", cut at TEXT_LIMITS.message. */
function statusMessage(response: Response, body: string): string {
  return capText(
    `HTTP ${response.status}: ${errorMessageOf(body) ?? (response.statusText || 'request failed')}`,
    TEXT_LIMITS.message,
  )
}

/**
 * Google-style error bodies: {"error": {"message": "..."}} (also OAuth's {"error": "...",
 * "error_description"} and Dropbox's {"error_summary": "..."}).
 */
function errorMessageOf(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as {
      error?: unknown
      error_description?: unknown
      error_summary?: unknown
      message?: unknown
    }
    if (typeof parsed.error_summary === 'string' && parsed.error_summary) {
      return parsed.error_summary
    }
    if (parsed.error && typeof parsed.error === 'object') {
      const message = (parsed.error as { message?: unknown }).message
      if (typeof message === 'string' && message) return message
    }
    if (typeof parsed.error_description === 'string') return parsed.error_description
    if (typeof parsed.error === 'string') return parsed.error
    if (typeof parsed.message === 'string') return parsed.message
  } catch {
    // not JSON: the status text says enough
  }
  return null
}

/** A Basic Authorization header from a URL's user info (as curl does), which fetch refuses. */
function withUserinfoAsBasic(url: URL, headers: Record<string, string>): Record<string, string> {
  if (url.username === '' && url.password === '') return headers
  const user = decodeURIComponent(url.username)
  const password = decodeURIComponent(url.password)
  url.username = ''
  url.password = ''
  if (Object.keys(headers).some((name) => /^authorization$/i.test(name))) return headers
  const basic = Buffer.from(`${user}:${password}`, 'utf8').toString('base64')
  return { ...headers, Authorization: `Basic ${basic}` }
}

function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !isCredentialHeader(name)))
}

function withoutBodyHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(
      ([name]) => !/^content-(type|length|encoding|language|location)$/i.test(name),
    ),
  )
}

/**
 * The watches under way for each outer signal (a run's): one abort listener per signal aborts
 * them all, instead of a listener added and removed for every request (AbortSignal.any would
 * leave a dependant on the long-lived run signal for every request).
 */
const watchesOf = new WeakMap<AbortSignal, Set<CallWatch>>()

function follow(outer: AbortSignal, watch: CallWatch): void {
  let watches = watchesOf.get(outer)
  if (!watches) {
    const all = new Set<CallWatch>()
    watches = all
    watchesOf.set(outer, all)
    outer.addEventListener(
      'abort',
      () => {
        for (const each of [...all]) each.abortWith(outer.reason)
      },
      { once: true },
    )
  }
  watches.add(watch)
}

/**
 * Aborts the call when nothing arrives for silenceMs, or when it has not finished after
 * deadlineMs however steadily data trickles, and says which. One timer serves both: a chunk only
 * notes the time (poke), and the timer, when it fires, aborts for whichever limit has passed or
 * waits again for the nearer one. The outer signal (the run's) is followed through `follow`.
 */
class CallWatch {
  private readonly controller = new AbortController()
  private timer: NodeJS.Timeout | undefined
  private tripped: 'silence' | 'deadline' | null = null
  private stopped = false
  /** performance.now() of the request's start or its last chunk. */
  private lastActivity: number
  private readonly deadlineAt: number
  readonly signal: AbortSignal

  private readonly deadlineMs: number

  constructor(
    private readonly silenceMs: number,
    deadline: CallDeadline,
    private readonly outer: AbortSignal | undefined,
  ) {
    this.deadlineMs = deadline.ms
    this.deadlineAt = deadline.at
    this.signal = this.controller.signal
    this.lastActivity = performance.now()
    if (outer?.aborted) {
      this.controller.abort(outer.reason)
    } else if (outer) {
      follow(outer, this)
    }
    this.arm(this.lastActivity)
  }

  /** The outer signal fired: this call stops too. */
  abortWith(reason: unknown): void {
    if (!this.stopped) this.controller.abort(reason)
  }

  /** Waits until the nearer of the silence's end and the deadline. */
  private arm(now: number): void {
    const at = Math.min(this.lastActivity + this.silenceMs, this.deadlineAt)
    // setTimeout holds at most 2^31-1 ms (24.8 days); a later limit is looked at again then.
    const wait = Math.min(Math.max(0, at - now), 2 ** 31 - 1)
    this.timer = setTimeout(() => this.check(), wait)
  }

  private check(): void {
    if (this.stopped) return
    const now = performance.now()
    const silentAt = this.lastActivity + this.silenceMs
    // A timer may fire a little early (libuv measures from the start of a busy loop turn).
    if (now < silentAt && now < this.deadlineAt) return this.arm(now)
    this.trip(silentAt <= this.deadlineAt && now >= silentAt ? 'silence' : 'deadline')
  }

  private trip(why: 'silence' | 'deadline'): void {
    this.tripped ??= why
    this.controller.abort()
  }

  /** Data arrived: the silence starts again from now. */
  poke(): void {
    this.lastActivity = performance.now()
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
    if (this.outer) watchesOf.get(this.outer)?.delete(this)
  }

  explain(error: unknown, what: string): HttpError {
    if (this.tripped === 'silence') {
      return new HttpError(`${what}: no data for ${formatSeconds(this.silenceMs)}`, null, {
        transient: true,
      })
    }
    if (this.tripped === 'deadline') {
      return new HttpError(
        `${what}: not finished after ${formatSeconds(this.deadlineMs)} (the call's deadline; a provider can give a call more with timeout = seconds)`,
      )
    }
    const cause =
      error instanceof Error
        ? ((error.cause as Error | undefined)?.message ?? error.message)
        : String(error)
    // Cancelled runs stop; broken connections may go through on another try. The deadline is
    // the whole call's: it is not tried again.
    const transient = !this.outer?.aborted && isTransientNetworkError(error)
    return new HttpError(`${what}: ${cause}`, null, { transient })
  }
}

/** 64 MiB, or an exact byte count for a limit that is not a whole number of MiB. */
function formatLimit(bytes: number): string {
  return bytes % 1048576 === 0 ? `${bytes / 1048576} MiB` : `${bytes} bytes`
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`
}
