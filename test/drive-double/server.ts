// A local HTTP double of the Google Drive v3 files API (list, get, alt=media) with fault injection.
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { contentChunks, contentMd5, contentSize, type FileContent } from './content'
import {
  errorForStatus,
  fileNotDownloadable,
  fileNotFound,
  invalidCredentials,
  invalidFields,
  invalidParameter,
  missingCredentials,
  rangeNotSatisfiable,
  type GoogleErrorBody,
} from './errors'
import {
  applyFields,
  FieldSelectionError,
  parseFields,
  selects,
  validateFields,
  type FieldSchema,
  type FieldTree,
} from './fields'
import {
  DEFAULT_FILE_FIELDS,
  DEFAULT_LIST_FIELDS,
  downloadableContent,
  FILE_LIST_SCHEMA,
  FILE_SCHEMA,
  fileResource,
  type DriveFile,
} from './files'

export type { DriveFile, MakeFilesOptions } from './files'
export { GOOGLE_DOC_MIME, ROOT_FOLDER_ID, isGoogleAppsType, makeFiles } from './files'
export type { FileContent, GeneratedContent } from './content'
export { contentBytes, contentMd5, contentSize } from './content'
export type { GoogleErrorBody, GoogleErrorItem } from './errors'
export { parseFields, applyFields, FieldSelectionError } from './fields'
export type { FieldTree } from './fields'

/** The token the shipped Google Drive provider sends. */
export const DEFAULT_TOKEN = 'hardcoded_token_for_now'

export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string>
  authorization: string | undefined
  /** Date.now() on arrival. */
  at: number
  /** Status sent, or 0 while no headers have gone out (silent requests stay 0). */
  status: number
}

/**
 * A status to inject. A bare number is permanent; the object form with `times` answers that many
 * requests and then deletes itself from the faults object. `retryAfter` (seconds) sets Retry-After;
 * 429 sends `Retry-After: 1` unless told otherwise.
 */
export type StatusFault = number | { status: number; times?: number; retryAfter?: number }

/**
 * Injected misbehaviour, read afresh on every request so tests may change it at any time.
 * File-keyed faults also accept the key 'list' to hit the listing. All list faults are permanent
 * unless a `times` is given.
 */
export interface Faults {
  /** files.get (and with key 'list', files.list) answers this status with a Google error body. */
  metadataStatus?: Record<string, StatusFault>
  /** alt=media answers this status with a Google error body. */
  mediaStatus?: Record<string, StatusFault>
  /** Sends headers (full content-length) and about half the bytes, then destroys the socket. */
  resetMidDownload?: string[]
  /** Sends every byte, but the first one flipped: the MD5 no longer matches (a corrupt transfer). */
  corruptDownload?: string[]
  /** Sends headers and min(64 KiB, half) of the bytes, then says nothing until close(). */
  silentDownload?: string[]
  /** files.get (or 'list') never answers until close(). */
  silentMetadata?: string[]
  /** files.get (or 'list') answers 200 text/html `<html>oops</html>`. */
  nonJson?: string[]
  /** The list request for page N (0 = no pageToken, N = the Nth token in its chain) answers `status`. */
  listStatus?: { page: number; status: number; times?: number; retryAfter?: number }
  /** Pause before each alt=media chunk after the first. */
  downloadDelayMs?: number
  /** Pause before answering files.list. */
  listDelayMs?: number
  /** Pause before answering any request (a real API's latency; the bench's 20 ms). */
  latencyMs?: number
}

export interface DriveDouble {
  /** e.g. http://127.0.0.1:43210; replaces https://www.googleapis.com. */
  url: string
  port: number
  token: string
  /**
   * Decides whether a bearer token is good (an OAuth double's tokens); without it, only `token`
   * is. Read on every request, so a test may set it at any time.
   */
  acceptToken: ((token: string) => boolean) | null
  /** Served in this order; may be mutated or replaced between requests. */
  files: DriveFile[]
  requests: RecordedRequest[]
  faults: Faults
  inFlight(): number
  /** Highest number of requests seen at once; writable so a test can reset it. */
  maxInFlight: number
  close(): Promise<void>
  md5Of(id: string): Promise<string>
}

export interface DriveDoubleOptions {
  files?: DriveFile[]
  token?: string
  /** See DriveDouble.acceptToken. */
  acceptToken?: (token: string) => boolean
  /** 0 (default) picks a free port. */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  faults?: Faults
}

interface PageCursor {
  index: number
  page: number
}

const JSON_TYPE = 'application/json; charset=UTF-8'

function takeStatus(
  map: Record<string, StatusFault> | undefined,
  key: string,
): { status: number; retryAfter?: number } | undefined {
  if (map === undefined || !Object.hasOwn(map, key)) return undefined
  const fault = map[key]
  if (fault === undefined) return undefined
  if (typeof fault === 'number') return { status: fault }
  if (fault.times !== undefined) {
    if (fault.times <= 0) {
      delete map[key]
      return undefined
    }
    fault.times -= 1
    if (fault.times === 0) delete map[key]
  }
  return fault.retryAfter === undefined
    ? { status: fault.status }
    : { status: fault.status, retryAfter: fault.retryAfter }
}

function parseSelection(
  raw: string | null,
  fallback: string,
  schema: FieldSchema,
): FieldTree | GoogleErrorBody {
  const text = raw === null || raw.trim() === '' ? fallback : raw
  try {
    const tree = parseFields(text)
    validateFields(tree, schema)
    return tree
  } catch (err) {
    if (err instanceof FieldSelectionError) return invalidFields(err.message)
    throw err
  }
}

/** Understands Drive's `trashed = true|false` (and `!=`); anything else is rejected. */
function parseQuery(q: string | null): ((file: DriveFile) => boolean) | undefined | 'invalid' {
  if (q === null || q.trim() === '') return undefined
  const match = /^\s*trashed\s*(=|!=)\s*(true|false)\s*$/.exec(q)
  if (!match) return 'invalid'
  const wanted = (match[2] === 'true') === (match[1] === '=')
  return (file) => (file.trashed ?? false) === wanted
}

/** A single `bytes=` range; undefined for none, 'invalid' when unsatisfiable. */
function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | undefined | 'invalid' {
  if (header === undefined) return undefined
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  // Multi-range and malformed headers are ignored, as HTTP allows.
  if (!match || (match[1] === '' && match[2] === '')) return undefined
  const [, first = '', last = ''] = match
  if (first === '') {
    const suffix = Number(last)
    if (suffix === 0) return 'invalid'
    return { start: Math.max(0, size - suffix), end: size }
  }
  const start = Number(first)
  if (start >= size) return 'invalid'
  const end = last === '' ? size : Math.min(size, Number(last) + 1)
  if (end <= start) return undefined
  return { start, end }
}

export async function startDriveDouble(opts: DriveDoubleOptions = {}): Promise<DriveDouble> {
  const host = opts.host ?? '127.0.0.1'
  const controllers = new Set<AbortController>()
  const open = new Set<Promise<void>>()
  const cursors = new Map<string, PageCursor>()
  let active = 0
  let indexedFiles: DriveFile[] | undefined
  let indexedLength = -1
  const index = new Map<string, number>()

  const findFile = (id: string): DriveFile | undefined => {
    const files = double.files
    const hit = (): DriveFile | undefined => {
      const at = index.get(id)
      const file = at === undefined ? undefined : files[at]
      return file?.id === id ? file : undefined
    }
    if (files === indexedFiles && files.length === indexedLength) {
      const file = hit()
      if (file) return file
    }
    // The array may have been edited in place: rebuild and look once more.
    index.clear()
    files.forEach((file, at) => {
      if (!index.has(file.id)) index.set(file.id, at)
    })
    indexedFiles = files
    indexedLength = files.length
    return hit()
  }

  const server = http.createServer((req, res) => {
    active++
    double.maxInFlight = Math.max(double.maxInFlight, active)
    const controller = new AbortController()
    controllers.add(controller)
    const ended = new Promise<void>((resolve) => res.once('close', resolve))
    open.add(ended)
    res.once('close', () => {
      open.delete(ended)
      active--
      controllers.delete(controller)
      controller.abort()
    })
    const url = new URL(req.url ?? '/', 'http://double.invalid')
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
      at: Date.now(),
      status: 0,
    }
    double.requests.push(record)
    const reply = new Reply(req, res, record, url.searchParams.get('prettyPrint') !== 'false')
    handle(reply, url, controller.signal).catch((err: unknown) => {
      if (controller.signal.aborted) return
      if (!res.headersSent) {
        reply.json(500, errorForStatus(500, undefined))
        console.error('drive double: handler failed', err)
      } else {
        res.destroy()
      }
    })
  })

  async function handle(reply: Reply, url: URL, signal: AbortSignal): Promise<void> {
    const latency = double.faults.latencyMs ?? 0
    if (latency > 0) await sleep(latency, undefined, { signal })
    const params = url.searchParams
    let fileId: string | undefined
    if (url.pathname === '/drive/v3/files') {
      fileId = undefined
    } else {
      const match = /^\/drive\/v3\/files\/([^/]+)$/.exec(url.pathname)
      if (!match?.[1]) return reply.notFoundPage()
      try {
        fileId = decodeURIComponent(match[1])
      } catch {
        return reply.notFoundPage()
      }
    }
    if (reply.req.method !== 'GET' && reply.req.method !== 'HEAD') {
      return reply.json(405, errorForStatus(405, fileId), { allow: 'GET, HEAD' })
    }

    const auth = reply.req.headers.authorization
    if (auth === undefined || auth.trim() === '') {
      return reply.json(401, missingCredentials(), {
        'www-authenticate': 'Bearer realm="https://accounts.google.com/"',
      })
    }
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(auth)
    const good = double.acceptToken
      ? bearer?.[1] !== undefined && double.acceptToken(bearer[1])
      : bearer?.[1] === double.token
    if (!good) {
      return reply.json(401, invalidCredentials(), {
        'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"',
      })
    }

    if (fileId === undefined) return list(reply, params, signal)
    const alt = params.get('alt')
    if (alt === 'media') return media(reply, fileId, signal)
    if (alt !== null && alt !== 'json') return reply.json(400, invalidParameter('alt'))
    return get(reply, fileId, params)
  }

  /** Faults shared by files.get and files.list; true when the request has been dealt with. */
  function metadataFault(reply: Reply, key: string): boolean {
    const faults = double.faults
    if (faults.silentMetadata?.includes(key)) return true
    if (faults.nonJson?.includes(key)) {
      reply.send(200, { 'content-type': 'text/html; charset=UTF-8' }, '<html>oops</html>')
      return true
    }
    const injected = takeStatus(faults.metadataStatus, key)
    if (injected) {
      reply.fault(injected, key === 'list' ? undefined : key)
      return true
    }
    return false
  }

  async function list(reply: Reply, params: URLSearchParams, signal: AbortSignal): Promise<void> {
    const delay = double.faults.listDelayMs ?? 0
    if (delay > 0) await sleep(delay, undefined, { signal })
    if (metadataFault(reply, 'list')) return

    const rawSize = params.get('pageSize')
    let pageSize = 100
    if (rawSize !== null) {
      const n = /^\s*[+-]?\d+\s*$/.test(rawSize) ? Number(rawSize) : NaN
      if (!(n >= 1)) {
        const message = `Invalid value '${rawSize}'. Values must be within the range: [1, 1000]`
        return reply.json(400, invalidParameter('pageSize', message))
      }
      pageSize = Math.min(n, 1000)
    }
    const filter = parseQuery(params.get('q'))
    if (filter === 'invalid') return reply.json(400, invalidParameter('q'))
    const tree = parseSelection(params.get('fields'), DEFAULT_LIST_FIELDS, FILE_LIST_SCHEMA)
    if (!(tree instanceof Map)) return reply.json(400, tree)
    const token = params.get('pageToken')
    let cursor: PageCursor = { index: 0, page: 0 }
    if (token !== null && token !== '') {
      const found = cursors.get(token)
      if (!found) return reply.json(400, invalidParameter('pageToken'))
      cursor = found
    }

    const listFault = double.faults.listStatus
    if (listFault && listFault.page === cursor.page) {
      if (listFault.times === undefined || listFault.times > 0) {
        if (listFault.times !== undefined) {
          listFault.times -= 1
          if (listFault.times === 0) delete double.faults.listStatus
        }
        const injected =
          listFault.retryAfter === undefined
            ? { status: listFault.status }
            : { status: listFault.status, retryAfter: listFault.retryAfter }
        return reply.fault(injected, undefined)
      }
      delete double.faults.listStatus
    }

    const files = double.files
    const matches = (file: DriveFile): boolean => (filter ? filter(file) : true)
    const page: DriveFile[] = []
    let at = cursor.index
    for (; at < files.length && page.length < pageSize; at++) {
      const file = files[at]
      if (file && matches(file)) page.push(file)
    }
    let more = false
    for (let ahead = at; ahead < files.length && !more; ahead++) {
      const file = files[ahead]
      more = file !== undefined && matches(file)
    }

    const withMd5 = selects(tree, ['files', 'md5Checksum'])
    const resources: Record<string, unknown>[] = []
    for (const file of page) resources.push(await fileResource(file, withMd5))
    const body: Record<string, unknown> = { kind: 'drive#fileList' }
    if (more) {
      const next = randomBytes(33).toString('base64url')
      cursors.set(next, { index: at, page: cursor.page + 1 })
      body.nextPageToken = next
    }
    body.incompleteSearch = false
    body.files = resources
    return reply.json(200, applyFields(body, tree))
  }

  async function get(reply: Reply, fileId: string, params: URLSearchParams): Promise<void> {
    if (metadataFault(reply, fileId)) return
    const tree = parseSelection(params.get('fields'), DEFAULT_FILE_FIELDS, FILE_SCHEMA)
    if (!(tree instanceof Map)) return reply.json(400, tree)
    const file = findFile(fileId)
    if (!file) return reply.json(404, fileNotFound(fileId))
    const resource = await fileResource(file, selects(tree, ['md5Checksum']))
    return reply.json(200, applyFields(resource, tree))
  }

  async function media(reply: Reply, fileId: string, signal: AbortSignal): Promise<void> {
    const faults = double.faults
    const injected = takeStatus(faults.mediaStatus, fileId)
    if (injected) return reply.fault(injected, fileId)
    const file = findFile(fileId)
    if (!file) return reply.json(404, fileNotFound(fileId))
    const content = downloadableContent(file)
    if (content === undefined) return reply.json(403, fileNotDownloadable())

    const size = contentSize(content)
    const range = parseRange(reply.req.headers.range, size)
    if (range === 'invalid') {
      return reply.json(416, rangeNotSatisfiable(), { 'content-range': `bytes */${size}` })
    }
    const start = range?.start ?? 0
    const end = range?.end ?? size
    const length = end - start
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/octet-stream',
      'content-length': String(length),
    }
    if (range) headers['content-range'] = `bytes ${start}-${end - 1}/${size}`
    reply.head(range ? 206 : 200, headers)
    if (reply.req.method === 'HEAD') return void reply.res.end()

    const reset = faults.resetMidDownload?.includes(fileId) ?? false
    const silent = faults.silentDownload?.includes(fileId) ?? false
    let limit = length
    if (reset) limit = Math.floor(length / 2)
    else if (silent) limit = Math.min(64 * 1024, Math.floor(length / 2))

    const corrupt = faults.corruptDownload?.includes(fileId) ?? false
    await streamBody(reply.res, content, start, start + limit, signal, reset, corrupt)
    if (reset) {
      reply.res.socket?.destroy()
    } else if (silent) {
      reply.res.flushHeaders()
    } else {
      reply.res.end()
    }
  }

  async function streamBody(
    res: http.ServerResponse,
    content: FileContent,
    start: number,
    end: number,
    signal: AbortSignal,
    flushLast: boolean,
    corrupt = false,
  ): Promise<void> {
    let first = true
    let flushed: Promise<void> = Promise.resolve()
    for (let chunk of contentChunks(content, start, end)) {
      if (corrupt && first && chunk.byteLength > 0) {
        chunk = Buffer.from(chunk)
        chunk[0] = (chunk[0] as number) ^ 0xff
      }
      const delay = double.faults.downloadDelayMs ?? 0
      if (!first && delay > 0) await sleep(delay, undefined, { signal })
      first = false
      signal.throwIfAborted()
      let written: boolean
      if (flushLast) {
        let done: () => void = () => {}
        flushed = new Promise<void>((resolve) => (done = resolve))
        written = res.write(chunk, () => done())
      } else {
        written = res.write(chunk)
      }
      if (!written) await once(res, 'drain', { signal })
    }
    // A reset must follow bytes that really left, or the cut point would be arbitrary.
    if (flushLast) await untilAborted(flushed, signal)
  }

  const double: DriveDouble = {
    url: '',
    port: 0,
    token: opts.token ?? DEFAULT_TOKEN,
    acceptToken: opts.acceptToken ?? null,
    files: opts.files ?? [],
    requests: [],
    faults: opts.faults ?? {},
    inFlight: () => active,
    maxInFlight: 0,
    close: async () => {
      for (const controller of controllers) controller.abort()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      // Wait for every response's close too, so inFlight() reads 0 once this resolves.
      await Promise.all([closed, ...open])
    },
    md5Of: async (id) => {
      const file = findFile(id)
      if (!file) throw new Error(`drive double: no file ${id}`)
      const content = downloadableContent(file)
      if (content === undefined) throw new Error(`drive double: ${id} is a Google Apps file`)
      return contentMd5(content)
    },
  }

  server.listen(opts.port ?? 0, host)
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  double.port = port
  double.url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  return double
}

/** Resolves with `promise`, or rejects as soon as the request is aborted. */
function untilAborted(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const onAbort = (): void => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    void promise.then(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    })
  })
}

/** Writes responses and keeps the request record's status in step with what was sent. */
class Reply {
  readonly req: http.IncomingMessage
  readonly res: http.ServerResponse
  private readonly record: RecordedRequest
  private readonly pretty: boolean

  constructor(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    record: RecordedRequest,
    pretty: boolean,
  ) {
    this.req = req
    this.res = res
    this.record = record
    this.pretty = pretty
  }

  head(status: number, headers: http.OutgoingHttpHeaders): void {
    this.record.status = status
    this.res.writeHead(status, headers)
  }

  send(status: number, headers: http.OutgoingHttpHeaders, body: string): void {
    const bytes = Buffer.from(body, 'utf8')
    this.head(status, { ...headers, 'content-length': String(bytes.byteLength) })
    this.res.end(this.req.method === 'HEAD' ? undefined : bytes)
  }

  json(status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
    // Google pretty-prints unless prettyPrint=false.
    const text = this.pretty ? `${JSON.stringify(body, null, 2)}\n` : JSON.stringify(body)
    this.send(status, { 'content-type': JSON_TYPE, ...headers }, text)
  }

  fault(injected: { status: number; retryAfter?: number }, fileId: string | undefined): void {
    const retryAfter = injected.retryAfter ?? (injected.status === 429 ? 1 : undefined)
    const headers: http.OutgoingHttpHeaders = {}
    if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter)
    this.json(injected.status, errorForStatus(injected.status, fileId), headers)
  }

  notFoundPage(): void {
    // Google's front end answers unknown paths with an HTML page, not a JSON error.
    this.send(
      404,
      { 'content-type': 'text/html; charset=UTF-8' },
      '<!DOCTYPE html>\n<html lang=en><title>Error 404 (Not Found)!!1</title><p><b>404.</b> <ins>That’s an error.</ins>\n',
    )
  }
}
