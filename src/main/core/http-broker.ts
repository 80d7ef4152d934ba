// The one HTTP path: every http.get, http.request and download_url a provider makes is done
// here, in main, with Node's fetch.
import { createHash, type Hash } from 'node:crypto'
import type { HostReply } from '../../shared/runner-protocol'

export interface HttpBrokerOptions {
  /** A response or stream silent for this long fails. */
  silenceMs: number
  /** http.get answers bigger than this fail (file contents belong to download_url). */
  maxBodyBytes?: number
}

/** Where a download's bytes go as they arrive (the destination's temporary file). */
export interface DownloadSink {
  write(chunk: Uint8Array): Promise<void>
}

/** A download that streamed to its end and passed its checks. */
export interface DownloadOutcome {
  bytes: number
  /** MD5 of the bytes, hex; null when nothing asked for it (check only, no MD5 to check). */
  md5: string | null
}

export class HttpError extends Error {
  override name = 'HttpError'
  /** The response's status, when there was one. */
  constructor(
    message: string,
    readonly status: number | null = null,
  ) {
    super(message)
  }
}

const DEFAULT_MAX_BODY = 64 * 1024 * 1024

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
    signal?: AbortSignal,
  ): Promise<Extract<HostReply, { method: 'http.get' }>> {
    const target = buildUrl(url, params)
    const { response, watch } = await this.open('GET', target, headers, null, signal)
    try {
      const body = await this.readText(response, watch)
      if (!response.ok) throw new HttpError(statusMessage(response, body), response.status)
      return { method: 'http.get', contentType: response.headers.get('content-type') ?? '', body }
    } finally {
      watch.stop()
    }
  }

  /** Any verb; answers every status (only a failure to get a response throws). */
  async request(
    verb: string,
    url: string,
    headers: Record<string, string>,
    params: Record<string, string>,
    body: Uint8Array | null,
    signal?: AbortSignal,
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
    const { response, watch } = await this.open(verb, target, headers, body, signal)
    try {
      const bytes = await this.readBytes(response, watch)
      const answered: Record<string, string> = {}
      response.headers.forEach((value, name) => (answered[name.toLowerCase()] = value))
      // A copy of its own: a pooled Buffer would carry its whole pool across to the runner.
      const body = new Uint8Array(bytes)
      return { method: 'http.request', status: response.status, headers: answered, body }
    } finally {
      watch.stop()
    }
  }

  /**
   * Streams the body into `sink` (the destination's temporary file) or, without one, discards it;
   * counts the bytes and checks them against the metadata. The MD5 is computed as the bytes
   * stream: checked when the metadata's checksum is one, and always answered with a sink (the
   * destination's manifest keeps it).
   */
  async download(
    url: string,
    headers: Record<string, string>,
    expected: { size: number; checksum: string } | null,
    signal?: AbortSignal,
    sink?: DownloadSink,
  ): Promise<DownloadOutcome> {
    const target = buildUrl(url, {})
    const { response, watch } = await this.open('GET', target, headers, null, signal)
    try {
      if (!response.ok) {
        throw new HttpError(
          statusMessage(response, await this.readText(response, watch)),
          response.status,
        )
      }
      const checked = expected !== null && /^[0-9a-f]{32}$/i.test(expected.checksum)
      const md5 = checked || sink ? createHash('md5') : null
      const bytes = await this.drain(response, watch, md5, sink ?? null)
      if (expected && expected.size > 0 && bytes !== expected.size) {
        throw new HttpError(
          `download ended after ${bytes} bytes but the metadata says ${expected.size}`,
        )
      }
      const actual = md5 ? md5.digest('hex') : null
      if (checked && actual !== expected.checksum.toLowerCase()) {
        throw new HttpError(
          `checksum mismatch: the bytes hash to md5 ${actual}, the metadata says ${expected.checksum}`,
        )
      }
      return { bytes, md5: actual }
    } finally {
      watch.stop()
    }
  }

  private async open(
    verb: string,
    target: URL,
    headers: Record<string, string>,
    body: Uint8Array | null,
    signal: AbortSignal | undefined,
  ): Promise<{ response: Response; watch: SilenceWatch }> {
    const watch = new SilenceWatch(this.options.silenceMs, signal)
    const method = verb.toUpperCase()
    try {
      const response = await fetch(target, {
        method,
        headers,
        body,
        signal: watch.signal,
        redirect: 'follow',
      })
      watch.poke()
      return { response, watch }
    } catch (error) {
      watch.stop()
      throw watch.explain(error, `${method} ${describeUrl(target)} failed`)
    }
  }

  private async readText(response: Response, watch: SilenceWatch): Promise<string> {
    return (await this.readBytes(response, watch)).toString('utf8')
  }

  private async readBytes(response: Response, watch: SilenceWatch): Promise<Buffer> {
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
    watch: SilenceWatch,
    hash: Hash | null,
    sink: DownloadSink | null,
  ): Promise<number> {
    const reader = response.body?.getReader()
    if (!reader) return 0
    let bytes = 0
    for (;;) {
      let chunk: Uint8Array | undefined
      try {
        chunk = (await reader.read()).value
      } catch (error) {
        throw watch.explain(error, `the download broke after ${bytes} bytes`)
      }
      if (chunk === undefined) return bytes
      watch.poke()
      bytes += chunk.byteLength
      hash?.update(chunk)
      if (sink) {
        // The sink's own errors (a full disk) pass unchanged: they are not the network's.
        try {
          await sink.write(chunk)
        } catch (error) {
          await reader.cancel().catch(() => undefined)
          throw error
        }
        watch.poke()
      }
    }
  }
}

function statusMessage(response: Response, body: string): string {
  return `HTTP ${response.status}: ${errorMessageOf(body) ?? (response.statusText || 'request failed')}`
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

/**
 * Aborts the request when nothing arrives for silenceMs, and says so. One timer per request,
 * refreshed on each chunk; the run's signal is followed by a listener that stop() removes
 * (AbortSignal.any would leave a dependant on the long-lived run signal for every request).
 */
class SilenceWatch {
  private readonly controller = new AbortController()
  private readonly timer: NodeJS.Timeout
  private silent = false
  private readonly forward: (() => void) | null = null
  readonly signal: AbortSignal

  constructor(
    private readonly silenceMs: number,
    private readonly outer: AbortSignal | undefined,
  ) {
    this.signal = this.controller.signal
    if (outer?.aborted) {
      this.controller.abort(outer.reason)
    } else if (outer) {
      this.forward = () => this.controller.abort(outer.reason)
      outer.addEventListener('abort', this.forward, { once: true })
    }
    this.timer = setTimeout(() => {
      this.silent = true
      this.controller.abort()
    }, silenceMs)
  }

  poke(): void {
    this.timer.refresh()
  }

  stop(): void {
    clearTimeout(this.timer)
    if (this.forward) this.outer?.removeEventListener('abort', this.forward)
  }

  explain(error: unknown, what: string): HttpError {
    if (this.silent) {
      return new HttpError(`${what}: no data for ${formatSeconds(this.silenceMs)}`)
    }
    const cause =
      error instanceof Error
        ? ((error.cause as Error | undefined)?.message ?? error.message)
        : String(error)
    return new HttpError(`${what}: ${cause}`)
  }
}

/** 64 MiB, or an exact byte count for a limit that is not a whole number of MiB. */
function formatLimit(bytes: number): string {
  return bytes % 1048576 === 0 ? `${bytes / 1048576} MiB` : `${bytes} bytes`
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`
}
