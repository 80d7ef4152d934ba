// A local HTTP double of the Google Drive v3 API as a backup client meets it: files.list with
// `q`, corpora and shared drives, files.get, alt=media with ranges and abuse flags, files.export
// with its size limit, drives.list; tokens that expire, page tokens that expire, short pages,
// a per-minute quota and transient faults, each answered with Drive's own error bodies.
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { Catalog, driveFolder, ROOT_FOLDER, type Corpus } from './catalog'
import { contentChunks, contentMd5, contentSize, type FileContent } from './content'
import {
  abusiveFile,
  badRequest,
  conversionNotSupported,
  downloadForbidden,
  errorForStatus,
  exportTooLarge,
  fileNotDownloadable,
  fileNotFound,
  invalidCredentials,
  invalidFields,
  invalidParameter,
  missingCredentials,
  notExportable,
  rangeNotSatisfiable,
  rateLimited,
  requiredParameter,
  sharedDriveNotFound,
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
  DEFAULT_DRIVE_LIST_FIELDS,
  DEFAULT_FILE_FIELDS,
  DEFAULT_LIST_FIELDS,
  downloadableContent,
  DRIVE_LIST_SCHEMA,
  exportFormats,
  exportSizeOf,
  FILE_LIST_SCHEMA,
  FILE_SCHEMA,
  fileResource,
  idHash,
  isGoogleAppsType,
  ownedByMe,
  ROOT_FOLDER_ID,
  type DriveFile,
  type SharedDrive,
} from './files'
import { matches, namedParents, parentLimit, parseQuery, QueryError, type Query } from './query'
import {
  mulberry32,
  QuotaWindow,
  TransientDraw,
  type Quota,
  type TransientFaults,
  type TransientKind,
} from './quota'

export type { DriveFile, MakeFilesOptions, SharedDrive } from './files'
export {
  exportFormats,
  FOLDER_MIME,
  GOOGLE_DOC_MIME,
  GOOGLE_DRAWING_MIME,
  GOOGLE_FORM_MIME,
  GOOGLE_MAP_MIME,
  GOOGLE_SHEET_MIME,
  GOOGLE_SITE_MIME,
  GOOGLE_SLIDES_MIME,
  ROOT_FOLDER_ID,
  SHORTCUT_MIME,
  isGoogleAppsType,
  makeFiles,
} from './files'
export type { FileContent, GeneratedContent } from './content'
export { contentBytes, contentMd5, contentSize } from './content'
export type { GoogleErrorBody, GoogleErrorItem } from './errors'
export { parseFields, applyFields, FieldSelectionError } from './fields'
export type { FieldTree } from './fields'
export type { Quota, TransientFaults, TransientKind } from './quota'

/** The token the shipped Google Drive provider sends. */
export const DEFAULT_TOKEN = 'hardcoded_token_for_now'

/** Drive's cap on files.export: "the exported content is limited to 10 MB". */
export const EXPORT_LIMIT_BYTES = 10 * 1024 * 1024

export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string>
  authorization: string | undefined
  /** Date.now() on arrival. */
  at: number
  /** Status sent, or 0 while no headers have gone out (silent and reset requests stay 0). */
  status: number
  /** The injected fault that answered it, if any ('quota' for a request over the quota). */
  fault?: TransientKind | 'quota'
}

/**
 * A status to inject. A bare number is permanent; the object form with `times` answers that many
 * requests and then deletes itself from the faults object. `retryAfter` (seconds) sets
 * Retry-After; 429 sends `Retry-After: 1` unless told otherwise. `reason` picks a 403's Google
 * reason (`rateLimitExceeded`, `userRateLimitExceeded`); 'reset' drops the connection unanswered.
 */
export type StatusFault =
  | number
  | 'reset'
  | { status: number | 'reset'; times?: number; retryAfter?: number; reason?: string }

interface InjectedStatus {
  status: number | 'reset'
  retryAfter?: number
  reason?: string
}

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
  /** files.export answers this status with a Google error body. */
  exportStatus?: Record<string, StatusFault>
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
  listStatus?: {
    page: number
    status: number
    times?: number
    retryAfter?: number
    reason?: string
  }
  /** The page token for page N (≥ 1) is refused as expired, `times` times (default always). */
  expirePageToken?: { page: number; times?: number }
  /** A share of all requests fails as a busy Drive fails (see quota.ts). */
  transient?: TransientFaults
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
  /** The token that never expires (the shipped provider's, unless told otherwise). */
  token: string
  /**
   * Decides whether a bearer token is good (an OAuth double's tokens); without it, only `token`
   * is. Read on every request, so a test may set it at any time.
   */
  acceptToken: ((token: string) => boolean) | null
  /** Served in this order; may be mutated or replaced between requests. */
  files: DriveFile[]
  /** The shared drives the user is a member of (drives.list), in this order. */
  sharedDrives: SharedDrive[]
  requests: RecordedRequest[]
  faults: Faults
  /** files.export refuses exports bigger than this (default EXPORT_LIMIT_BYTES). */
  exportLimitBytes: number
  /** A page token stops working this long after it was handed out (default: never). */
  pageTokenTtlMs: number | undefined
  /** Pages carry fewer files than pageSize (some none at all), as Drive's often do. */
  shortPages: boolean
  /** Requests admitted per window; the rest are refused as Drive refuses them. */
  quota: Quota | undefined
  /** How many requests each injected fault (and the quota) answered. */
  injected: Record<string, number>
  /** Accepts `token` as a bearer token for ttlMs (then 401 Invalid Credentials, as Drive). */
  grantToken(token: string, ttlMs: number): void
  inFlight(): number
  /** Highest number of requests seen at once; writable so a test can reset it. */
  maxInFlight: number
  close(): Promise<void>
  md5Of(id: string): Promise<string>
}

export interface DriveDoubleOptions {
  files?: DriveFile[]
  sharedDrives?: SharedDrive[]
  token?: string
  /** See DriveDouble.acceptToken. */
  acceptToken?: (token: string) => boolean
  /** 0 (default) picks a free port. */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  faults?: Faults
  exportLimitBytes?: number
  pageTokenTtlMs?: number
  shortPages?: boolean
  quota?: Quota
}

interface PageCursor {
  /** Which listing the token belongs to (its parameters); another listing refuses it. */
  key: string
  index: number
  page: number
  issuedAt: number
  emptyBefore: boolean
}

const JSON_TYPE = 'application/json; charset=UTF-8'
const FILES = '/drive/v3/files'
const DRIVES = '/drive/v3/drives'

function takeStatus(
  map: Record<string, StatusFault> | undefined,
  key: string,
): InjectedStatus | undefined {
  if (map === undefined || !Object.hasOwn(map, key)) return undefined
  const fault = map[key]
  if (fault === undefined) return undefined
  if (typeof fault === 'number' || fault === 'reset') return { status: fault }
  if (fault.times !== undefined) {
    if (fault.times <= 0) {
      delete map[key]
      return undefined
    }
    fault.times -= 1
    if (fault.times === 0) delete map[key]
  }
  const injected: InjectedStatus = { status: fault.status }
  if (fault.retryAfter !== undefined) injected.retryAfter = fault.retryAfter
  if (fault.reason !== undefined) injected.reason = fault.reason
  return injected
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

/** Drive's boolean query parameters: "true" or "false" (any case); anything else is refused. */
function flag(params: URLSearchParams, name: string): boolean | 'invalid' {
  const raw = params.get(name)
  if (raw === null) return false
  if (/^true$/i.test(raw)) return true
  if (/^false$/i.test(raw)) return false
  return 'invalid'
}

/** 'root' is My Drive's root folder wherever a query names a parent. */
function resolveRoot(query: Query): Query {
  switch (query.kind) {
    case 'in':
      return query.value === 'root' ? { ...query, value: ROOT_FOLDER_ID } : query
    case 'and':
    case 'or':
      return { kind: query.kind, parts: query.parts.map(resolveRoot) }
    case 'not':
      return { kind: 'not', part: resolveRoot(query.part) }
    default:
      return query
  }
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

function pageSizeOf(raw: string | null, fallback: number, max: number): number | GoogleErrorBody {
  if (raw === null) return fallback
  const n = /^\s*[+-]?\d+\s*$/.test(raw) ? Number(raw) : NaN
  if (!(n >= 1)) {
    const message = `Invalid value '${raw}'. Values must be within the range: [1, ${max}]`
    return invalidParameter('pageSize', message)
  }
  return Math.min(n, max)
}

export async function startDriveDouble(opts: DriveDoubleOptions = {}): Promise<DriveDouble> {
  const host = opts.host ?? '127.0.0.1'
  const controllers = new Set<AbortController>()
  const open = new Set<Promise<void>>()
  const cursors = new Map<string, PageCursor>()
  const tokens = new Map<string, number>()
  const quotaWindow = new QuotaWindow()
  const transient = new TransientDraw()
  let active = 0
  const catalog = new Catalog(() => double.files)
  const findFile = (id: string): DriveFile | undefined => catalog.find(id)
  const resourceContext = {
    targetMimeType: (id: string): string | undefined => findFile(id)?.mimeType,
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

  function authorized(auth: string | undefined): 'missing' | 'invalid' | 'ok' {
    if (auth === undefined || auth.trim() === '') return 'missing'
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1]
    if (bearer === undefined) return 'invalid'
    // An OAuth double's tokens, when a test plugs one in.
    if (double.acceptToken) return double.acceptToken(bearer) ? 'ok' : 'invalid'
    if (bearer === double.token) return 'ok'
    const expires = tokens.get(bearer)
    return expires !== undefined && Date.now() < expires ? 'ok' : 'invalid'
  }

  async function handle(reply: Reply, url: URL, signal: AbortSignal): Promise<void> {
    const latency = double.faults.latencyMs ?? 0
    if (latency > 0) await sleep(latency, undefined, { signal })
    const params = url.searchParams
    const path = url.pathname
    let route: 'list' | 'file' | 'export' | 'drives' | 'drive'
    let id: string | undefined
    if (path === FILES) route = 'list'
    else if (path === DRIVES) route = 'drives'
    else {
      const match = /^\/drive\/v3\/(files|drives)\/([^/]+)(\/export)?$/.exec(path)
      if (!match?.[2] || (match[1] === 'drives' && match[3])) return reply.notFoundPage()
      try {
        id = decodeURIComponent(match[2])
      } catch {
        return reply.notFoundPage()
      }
      route = match[1] === 'drives' ? 'drive' : match[3] ? 'export' : 'file'
    }
    if (reply.req.method !== 'GET' && reply.req.method !== 'HEAD') {
      return reply.json(405, errorForStatus(405, id), { allow: 'GET, HEAD' })
    }

    const auth = authorized(reply.req.headers.authorization)
    if (auth === 'missing') {
      return reply.json(401, missingCredentials(), {
        'www-authenticate': 'Bearer realm="https://accounts.google.com/"',
      })
    }
    if (auth === 'invalid') {
      return reply.json(401, invalidCredentials(), {
        'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"',
      })
    }

    if (double.quota && !quotaWindow.admit(double.quota, Date.now())) {
      count('quota')
      reply.record.fault = 'quota'
      const answer = double.quota.answer ?? 'userRateLimitExceeded'
      return answer === 429
        ? reply.json(429, rateLimited(429, 'rateLimitExceeded'))
        : reply.json(403, rateLimited(403, answer))
    }
    const drawn = transient.next(double.faults.transient)
    if (drawn !== undefined) {
      count(String(drawn))
      reply.record.fault = drawn
      // A download breaks in the middle of its body; anything else before its answer.
      const midBody = drawn === 'reset' && (route === 'export' || params.get('alt') === 'media')
      if (!midBody) return reply.transientFault(drawn, double.faults.transient?.retryAfter ?? 1)
    }
    const breakBody = drawn === 'reset'

    switch (route) {
      case 'list':
        return list(reply, params, signal)
      case 'drives':
        return drives(reply, params)
      case 'drive':
        return drive(reply, id as string, params)
      case 'export':
        return exportFile(reply, id as string, params, signal, breakBody)
      case 'file': {
        const alt = params.get('alt')
        if (alt === 'media') return media(reply, id as string, params, signal, breakBody)
        if (alt !== null && alt !== 'json') return reply.json(400, invalidParameter('alt'))
        return get(reply, id as string, params)
      }
    }
  }

  function count(kind: string): void {
    double.injected[kind] = (double.injected[kind] ?? 0) + 1
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

  /** The file as a client that may or may not handle shared drives can reach it by id. */
  function reachable(id: string, params: URLSearchParams): DriveFile | undefined {
    if (id === 'root' || id === ROOT_FOLDER_ID) return ROOT_FOLDER
    const allDrives = flag(params, 'supportsAllDrives') === true
    const sharedDrive = double.sharedDrives.find((d) => d.id === id)
    if (sharedDrive) return allDrives ? driveFolder(sharedDrive) : undefined
    const file = findFile(id)
    // Without supportsAllDrives, Drive answers a shared drive's file as if it did not exist.
    if (file?.driveId && !allDrives) return undefined
    return file
  }

  function listingCorpus(params: URLSearchParams): Corpus | GoogleErrorBody {
    const raw = params.get('corpora') ?? 'user'
    if (!['user', 'domain', 'drive', 'allDrives'].includes(raw)) {
      return invalidParameter('corpora')
    }
    const corpora = raw as Corpus['corpora']
    const include = flag(params, 'includeItemsFromAllDrives')
    const supports = flag(params, 'supportsAllDrives')
    if (include === 'invalid') return invalidParameter('includeItemsFromAllDrives')
    if (supports === 'invalid') return invalidParameter('supportsAllDrives')
    const driveId = params.get('driveId')
    if ((corpora === 'drive') !== (driveId !== null && driveId !== '')) {
      return badRequest(
        'The driveId parameter must be specified if and only if corpora is set to drive.',
        'driveId',
      )
    }
    if ((corpora === 'drive' || corpora === 'allDrives') && !include) {
      return badRequest(
        `The includeItemsFromAllDrives parameter must be set to true when corpora is set to ${corpora}.`,
        'includeItemsFromAllDrives',
      )
    }
    if (corpora === 'drive' && !double.sharedDrives.some((d) => d.id === driveId)) {
      return sharedDriveNotFound(driveId ?? '')
    }
    return {
      corpora,
      driveId: corpora === 'drive' ? driveId : null,
      includeSharedDrives: include && supports,
    }
  }

  /** Hands out a token for the next page, or reads one; null when it is refused. */
  function cursorFor(token: string | null, key: string): PageCursor | null {
    const fresh: PageCursor = { key, index: 0, page: 0, issuedAt: Date.now(), emptyBefore: false }
    if (token === null || token === '') return fresh
    const found = cursors.get(token)
    if (!found || found.key !== key) return null
    const ttl = double.pageTokenTtlMs
    if (ttl !== undefined && Date.now() - found.issuedAt > ttl) return null
    const expire = double.faults.expirePageToken
    if (expire && expire.page === found.page) {
      if (expire.times === undefined) return null
      if (expire.times > 0) {
        expire.times -= 1
        if (expire.times === 0) delete double.faults.expirePageToken
        return null
      }
    }
    return found
  }

  function issueToken(cursor: Omit<PageCursor, 'issuedAt'>): string {
    const token = randomBytes(33).toString('base64url')
    cursors.set(token, { ...cursor, issuedAt: Date.now() })
    return token
  }

  /** How many results this page carries: pageSize, or fewer when pages come short. */
  function pageTake(pageSize: number, cursor: PageCursor, token: string | null): number {
    if (!double.shortPages) return pageSize
    const random = mulberry32(idHash(`${token ?? ''}/${cursor.page}`))
    if (!cursor.emptyBefore && cursor.page > 0 && random() < 0.1) return 0
    return 1 + Math.floor(random() * pageSize)
  }

  async function list(reply: Reply, params: URLSearchParams, signal: AbortSignal): Promise<void> {
    const delay = double.faults.listDelayMs ?? 0
    if (delay > 0) await sleep(delay, undefined, { signal })
    if (metadataFault(reply, 'list')) return

    const pageSize = pageSizeOf(params.get('pageSize'), 100, 1000)
    if (typeof pageSize !== 'number') return reply.json(400, pageSize)
    const corpus = listingCorpus(params)
    if ('error' in corpus) return reply.json(corpus.error.code, corpus)
    let query: Query | undefined
    const q = params.get('q')
    if (q !== null && q.trim() !== '') {
      try {
        query = resolveRoot(parseQuery(q))
      } catch (error) {
        if (error instanceof QueryError) return reply.json(400, invalidParameter('q'))
        throw error
      }
    }
    const tree = parseSelection(params.get('fields'), DEFAULT_LIST_FIELDS, FILE_LIST_SCHEMA)
    if (!(tree instanceof Map)) return reply.json(400, tree)
    const key = JSON.stringify([q, corpus, params.get('orderBy'), params.get('spaces')])
    const token = params.get('pageToken')
    const cursor = cursorFor(token, key)
    if (cursor === null) return reply.json(400, invalidParameter('pageToken'))

    const listFault = double.faults.listStatus
    if (listFault && listFault.page === cursor.page) {
      if (listFault.times === undefined || listFault.times > 0) {
        if (listFault.times !== undefined) {
          listFault.times -= 1
          if (listFault.times === 0) delete double.faults.listStatus
        }
        const injected: InjectedStatus = { status: listFault.status }
        if (listFault.retryAfter !== undefined) injected.retryAfter = listFault.retryAfter
        if (listFault.reason !== undefined) injected.reason = listFault.reason
        return reply.fault(injected, undefined)
      }
      delete double.faults.listStatus
    }

    const files = catalog.all()
    const limit = query ? parentLimit(query) : undefined
    // A listing limited to some folders only looks at their children, as Drive's index does.
    const candidates = limit ? catalog.childrenOf(limit) : undefined
    const total = candidates ? candidates.length : files.length
    const named = query ? namedParents(query) : new Set<string>()
    const fileAt = (n: number): DriveFile | undefined =>
      candidates ? files[candidates[n] as number] : files[n]
    const wanted = (file: DriveFile): boolean =>
      catalog.visible(file, corpus, named) &&
      (query === undefined || matches(query, catalog.queryable(file)))

    const take = pageTake(pageSize, cursor, token)
    const page: DriveFile[] = []
    let at = cursor.index
    for (; at < total && page.length < take; at++) {
      const file = fileAt(at)
      if (file && wanted(file)) page.push(file)
    }
    let more = false
    for (let ahead = at; ahead < total && !more; ahead++) {
      const file = fileAt(ahead)
      more = file !== undefined && wanted(file)
    }

    const withMd5 = selects(tree, ['files', 'md5Checksum'])
    const resources: Record<string, unknown>[] = []
    for (const file of page) resources.push(await fileResource(file, withMd5, resourceContext))
    const body: Record<string, unknown> = { kind: 'drive#fileList' }
    if (more) {
      body.nextPageToken = issueToken({
        key,
        index: at,
        page: cursor.page + 1,
        emptyBefore: page.length === 0,
      })
    }
    body.incompleteSearch = false
    body.files = resources
    return reply.json(200, applyFields(body, tree))
  }

  async function get(reply: Reply, fileId: string, params: URLSearchParams): Promise<void> {
    if (metadataFault(reply, fileId)) return
    const tree = parseSelection(params.get('fields'), DEFAULT_FILE_FIELDS, FILE_SCHEMA)
    if (!(tree instanceof Map)) return reply.json(400, tree)
    const file = reachable(fileId, params)
    if (!file) return reply.json(404, fileNotFound(fileId))
    const resource = await fileResource(file, selects(tree, ['md5Checksum']), resourceContext)
    return reply.json(200, applyFields(resource, tree))
  }

  async function media(
    reply: Reply,
    fileId: string,
    params: URLSearchParams,
    signal: AbortSignal,
    breakBody: boolean,
  ): Promise<void> {
    const faults = double.faults
    const injected = takeStatus(faults.mediaStatus, fileId)
    if (injected) return reply.fault(injected, fileId)
    const file = reachable(fileId, params)
    if (!file) return reply.json(404, fileNotFound(fileId))
    const content = downloadableContent(file)
    if (content === undefined) return reply.json(403, fileNotDownloadable())
    if (file.downloadDisabled) return reply.json(403, downloadForbidden())
    if (file.abusive) {
      // Only the owner (or a shared drive's organizer) may acknowledge the risk.
      const acknowledged = flag(params, 'acknowledgeAbuse') === true
      if (!acknowledged || !(ownedByMe(file) || file.driveId)) {
        return reply.json(403, abusiveFile())
      }
    }

    const size = contentSize(content)
    const range = parseRange(reply.req.headers.range, size)
    if (range === 'invalid') {
      return reply.json(416, rangeNotSatisfiable(), { 'content-range': `bytes */${size}` })
    }
    const start = range?.start ?? 0
    const end = range?.end ?? size
    const length = end - start
    const headers: http.OutgoingHttpHeaders = {
      'content-type': file.mimeType,
      'content-length': String(length),
    }
    if (range) headers['content-range'] = `bytes ${start}-${end - 1}/${size}`
    reply.head(range ? 206 : 200, headers)
    if (reply.req.method === 'HEAD') return void reply.res.end()

    const reset = breakBody || (faults.resetMidDownload?.includes(fileId) ?? false)
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

  async function exportFile(
    reply: Reply,
    fileId: string,
    params: URLSearchParams,
    signal: AbortSignal,
    breakBody: boolean,
  ): Promise<void> {
    const injected = takeStatus(double.faults.exportStatus, fileId)
    if (injected) return reply.fault(injected, fileId)
    const mimeType = params.get('mimeType')
    if (mimeType === null || mimeType === '') return reply.json(400, requiredParameter('mimeType'))
    // files.export takes no supportsAllDrives: it reaches shared drives' files as it is.
    const file = findFile(fileId)
    if (!file) return reply.json(404, fileNotFound(fileId))
    if (!isGoogleAppsType(file.mimeType)) return reply.json(403, notExportable())
    if (!exportFormats(file.mimeType).some(([mime]) => mime === mimeType)) {
      return reply.json(400, conversionNotSupported())
    }
    const size = exportSizeOf(file)
    if (size > double.exportLimitBytes) return reply.json(403, exportTooLarge())
    const content = exportContent(file, mimeType)
    // Exports are generated on the fly: no length up front and no ranges, as Drive sends them.
    reply.head(200, { 'content-type': mimeType })
    if (reply.req.method === 'HEAD') return void reply.res.end()
    const limit = breakBody ? Math.floor(size / 2) : size
    await streamBody(reply.res, content, 0, limit, signal, breakBody)
    if (breakBody) reply.res.socket?.destroy()
    else reply.res.end()
  }

  function drives(reply: Reply, params: URLSearchParams): void {
    const pageSize = pageSizeOf(params.get('pageSize'), 10, 100)
    if (typeof pageSize !== 'number') return reply.json(400, pageSize)
    const q = params.get('q')
    if (q !== null && q.trim() !== '') return reply.json(400, invalidParameter('q'))
    const tree = parseSelection(params.get('fields'), DEFAULT_DRIVE_LIST_FIELDS, DRIVE_LIST_SCHEMA)
    if (!(tree instanceof Map)) return reply.json(400, tree)
    const token = params.get('pageToken')
    const cursor = cursorFor(token, 'drives')
    if (cursor === null) return reply.json(400, invalidParameter('pageToken'))
    const all = double.sharedDrives
    const page = all.slice(cursor.index, cursor.index + pageSize)
    const body: Record<string, unknown> = { kind: 'drive#driveList' }
    const next = cursor.index + page.length
    if (next < all.length) {
      body.nextPageToken = issueToken({
        key: 'drives',
        index: next,
        page: cursor.page + 1,
        emptyBefore: false,
      })
    }
    body.drives = page.map(driveResource)
    return reply.json(200, applyFields(body, tree))
  }

  function drive(reply: Reply, driveId: string, params: URLSearchParams): void {
    const found = double.sharedDrives.find((d) => d.id === driveId)
    if (!found) return reply.json(404, sharedDriveNotFound(driveId))
    const tree = parseSelection(
      params.get('fields'),
      'kind,id,name',
      DRIVE_LIST_SCHEMA.drives as FieldSchema,
    )
    if (!(tree instanceof Map)) return reply.json(400, tree)
    return reply.json(200, applyFields(driveResource(found), tree))
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
    sharedDrives: opts.sharedDrives ?? [],
    requests: [],
    faults: opts.faults ?? {},
    exportLimitBytes: opts.exportLimitBytes ?? EXPORT_LIMIT_BYTES,
    pageTokenTtlMs: opts.pageTokenTtlMs,
    shortPages: opts.shortPages ?? false,
    quota: opts.quota,
    injected: {},
    grantToken: (token, ttlMs) => {
      tokens.set(token, Date.now() + ttlMs)
    },
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

/** The bytes files.export serves for a file in a format: generated, `exportSizeOf` long. */
export function exportContent(file: DriveFile, mimeType: string): FileContent {
  return { size: exportSizeOf(file), seed: idHash(`${file.id}\u0000${mimeType}`) }
}

function driveResource(drive: SharedDrive): Record<string, unknown> {
  return {
    kind: 'drive#drive',
    id: drive.id,
    name: drive.name,
    createdTime: '2026-01-01T00:00:00.000Z',
    hidden: false,
    capabilities: { canDownload: true, canListChildren: true },
  }
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
  readonly record: RecordedRequest
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

  fault(injected: InjectedStatus, fileId: string | undefined): void {
    if (injected.status === 'reset') return void this.res.socket?.destroy()
    const retryAfter = injected.retryAfter ?? (injected.status === 429 ? 1 : undefined)
    const headers: http.OutgoingHttpHeaders = {}
    if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter)
    this.json(injected.status, errorForStatus(injected.status, fileId, injected.reason), headers)
  }

  /** A transient failure as a busy Google front end answers it. */
  transientFault(kind: TransientKind, retryAfter: number): void {
    if (kind === 'reset') return void this.res.socket?.destroy()
    if (kind === 429) {
      return this.json(429, rateLimited(429, 'rateLimitExceeded'), {
        'retry-after': String(retryAfter),
      })
    }
    if (typeof kind === 'string') return this.json(403, rateLimited(403, kind))
    this.json(kind, errorForStatus(kind, undefined))
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
