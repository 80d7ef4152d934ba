// The one HTTP path: every http.get and download_url a provider makes is done here, in main,
// with Node's fetch.
import { createHash, type Hash } from 'node:crypto'
import type { HostReply } from '../../shared/runner-protocol'

export interface HttpBrokerOptions {
  /** A response or stream silent for this long fails. */
  silenceMs: number
  /** http.get answers bigger than this fail (file contents belong to download_url). */
  maxBodyBytes?: number
}

export class HttpError extends Error {
  override name = 'HttpError'
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
    const { response, watch } = await this.open(target, headers, signal)
    try {
      const body = await this.readText(response, watch)
      if (!response.ok) throw new HttpError(statusMessage(response, body))
      return { method: 'http.get', contentType: response.headers.get('content-type') ?? '', body }
    } finally {
      watch.stop()
    }
  }

  /** Streams the body and discards it, counting bytes and checking them against the metadata. */
  async download(
    url: string,
    headers: Record<string, string>,
    expected: { size: number; checksum: string } | null,
    signal?: AbortSignal,
  ): Promise<Extract<HostReply, { method: 'download_url' }>> {
    const target = buildUrl(url, {})
    const { response, watch } = await this.open(target, headers, signal)
    try {
      if (!response.ok) {
        throw new HttpError(statusMessage(response, await this.readText(response, watch)))
      }
      const md5 = expected && /^[0-9a-f]{32}$/i.test(expected.checksum) ? createHash('md5') : null
      const bytes = await this.drain(response, watch, md5)
      if (expected && expected.size > 0 && bytes !== expected.size) {
        throw new HttpError(
          `download ended after ${bytes} bytes but the metadata says ${expected.size}`,
        )
      }
      if (md5 && expected) {
        const actual = md5.digest('hex')
        if (actual !== expected.checksum.toLowerCase()) {
          throw new HttpError(
            `checksum mismatch: the bytes hash to md5 ${actual}, the metadata says ${expected.checksum}`,
          )
        }
      }
      return { method: 'download_url', bytes }
    } finally {
      watch.stop()
    }
  }

  private async open(
    target: URL,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<{ response: Response; watch: SilenceWatch }> {
    const watch = new SilenceWatch(this.options.silenceMs, signal)
    try {
      const response = await fetch(target, { headers, signal: watch.signal, redirect: 'follow' })
      watch.poke()
      return { response, watch }
    } catch (error) {
      watch.stop()
      throw watch.explain(error, `GET ${describeUrl(target)} failed`)
    }
  }

  private async readText(response: Response, watch: SilenceWatch): Promise<string> {
    const reader = response.body?.getReader()
    if (!reader) return ''
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
    return Buffer.concat(chunks).toString('utf8')
  }

  private async drain(response: Response, watch: SilenceWatch, hash: Hash | null): Promise<number> {
    const reader = response.body?.getReader()
    if (!reader) return 0
    let bytes = 0
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) return bytes
        watch.poke()
        bytes += value.byteLength
        hash?.update(value)
      }
    } catch (error) {
      throw watch.explain(error, `the download broke after ${bytes} bytes`)
    }
  }
}

function statusMessage(response: Response, body: string): string {
  return `HTTP ${response.status}: ${errorMessageOf(body) ?? (response.statusText || 'request failed')}`
}

/** Google-style error bodies: {"error": {"message": "..."}} (also {"error": "...", "error_description"}). */
function errorMessageOf(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as {
      error?: unknown
      error_description?: unknown
      message?: unknown
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

/** Aborts the request when nothing arrives for silenceMs, and says so. */
class SilenceWatch {
  private readonly controller = new AbortController()
  private timer: NodeJS.Timeout | undefined
  private silent = false
  readonly signal: AbortSignal

  constructor(
    private readonly silenceMs: number,
    outer: AbortSignal | undefined,
  ) {
    this.signal = outer ? AbortSignal.any([this.controller.signal, outer]) : this.controller.signal
    this.poke()
  }

  poke(): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.silent = true
      this.controller.abort()
    }, this.silenceMs)
  }

  stop(): void {
    clearTimeout(this.timer)
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
