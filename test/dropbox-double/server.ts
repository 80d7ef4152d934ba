// A local HTTP double of the Dropbox API v2 endpoints the shipped Dropbox provider uses: OAuth 2.0
// (oauth2/authorize with PKCE, and the token endpoint's authorization_code and refresh_token
// grants), files/list_folder and list_folder/continue with cursor
// paging, files/get_metadata, and the content endpoint files/download (GET or POST, arguments in
// the Dropbox-API-Arg header or the arg parameter). It answers as Dropbox does, including its
// error bodies (error_summary, plain-text 400s), short-lived access tokens and content_hash.
import { createHash, randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export const BLOCK_SIZE = 4 * 1024 * 1024

export interface DropboxFile {
  /** "id:" and 22 characters, as Dropbox writes them. */
  id: string
  /** The display path, e.g. "/Photos/Trip/IMG 001.jpg"; folders are implied by it. */
  path: string
  size: number
  client_modified: string
  server_modified: string
  rev: string
  /** Which bytes the file holds (see contentOf). */
  seed: number
  /** False for files Dropbox cannot export (it answers 409 unsupported_file). */
  is_downloadable?: boolean
}

export interface DropboxApp {
  appKey: string
  appSecret: string
  refreshToken: string
}

export const DEFAULT_APP: DropboxApp = {
  appKey: 'test-app-key',
  appSecret: 'test-app-secret',
  refreshToken: 'test-refresh-token',
}

/** Injected misbehaviour, read on every request. */
export interface DropboxFaults {
  /** The next `times` requests to this path (e.g. "/2/files/list_folder/continue") get `status`. */
  status?: Record<string, { status: 429 | 500 | 503; times: number; retryAfter?: number }>
  /** list_folder/continue answers 409 reset for cursors issued before this many list_folder calls. */
  resetCursorsBefore?: number
  /** Files deleted since they were listed: download and get_metadata answer 409 not_found. */
  deletedAfterListing?: string[]
  /** Files that grew by this many bytes since they were listed (the download serves more). */
  grewAfterListing?: Record<string, number>
}

export interface RecordedRequest {
  method: string
  path: string
  authorization: string | undefined
  /** The parsed JSON arguments (body for RPC, Dropbox-API-Arg or arg for content). */
  args: unknown
  status: number
}

export interface DropboxDouble {
  /** Stands in for both https://api.dropboxapi.com and https://content.dropboxapi.com. */
  url: string
  files: DropboxFile[]
  app: DropboxApp
  faults: DropboxFaults
  requests: RecordedRequest[]
  /** Access tokens issued so far, oldest first. */
  tokens: string[]
  /** Seconds a new access token lives (Dropbox gives 14400). */
  tokenLifetime: number
  /** Makes every access token issued so far expire now. */
  expireTokens(): void
  close(): Promise<void>
}

/** The bytes of a file: a fixed pseudo-random stream per seed, so a test can hash them too. */
export function contentOf(file: Pick<DropboxFile, 'seed' | 'size'>): Buffer {
  const out = Buffer.alloc(file.size)
  let x = (file.seed * 2654435761 + 1) >>> 0 || 1
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    out[i] = x & 0xff
  }
  return out
}

/** Dropbox's content_hash: SHA-256 over the SHA-256 of each 4 MiB block, in hex. */
export function contentHash(bytes: Uint8Array): string {
  const blocks = createHash('sha256')
  for (let at = 0; at < bytes.length; at += BLOCK_SIZE) {
    blocks.update(
      createHash('sha256')
        .update(bytes.subarray(at, at + BLOCK_SIZE))
        .digest(),
    )
  }
  return blocks.digest('hex')
}

/** n files spread over a few folders, some with non-ASCII names, sizes up to maxSize. */
export function makeFiles(n: number, maxSize = 20_000): DropboxFile[] {
  const folders = ['', '/Photos', '/Photos/Été 2024', '/Documents', '/Documents/Taxes']
  return Array.from({ length: n }, (_, i) => {
    const folder = folders[i % folders.length] as string
    const seconds = 1_700_000_000 + i * 3600
    const stamp = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
    return {
      id: `id:${Buffer.from(`file-${i}`).toString('base64url').padEnd(22, 'A').slice(0, 22)}`,
      path: `${folder}/${i % 3 === 0 ? 'Résumé' : 'file'} ${String(i + 1).padStart(4, '0')}.bin`,
      size: i === 0 ? 0 : ((i * 7919) % maxSize) + 1,
      client_modified: stamp,
      server_modified: stamp,
      rev: (0x15a0000000 + i).toString(16),
      seed: i + 1,
    }
  })
}

interface Cursor {
  path: string
  recursive: boolean
  limit: number
  offset: number
  generation: number
}

class Reply extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`)
  }
}

function apiError(status: number, summary: string, error: unknown): Reply {
  return new Reply(status, { error_summary: `${summary}/..`, error })
}

/** Dropbox's plain-text 400: "Error in call to API function "files/…": …". */
function badRequest(endpoint: string, detail: string): Reply {
  return new Reply(400, `Error in call to API function "${endpoint}": ${detail}`)
}

function notFound(): Reply {
  return apiError(409, 'path/not_found', { '.tag': 'path', path: { '.tag': 'not_found' } })
}

function lower(path: string): string {
  return path.toLowerCase()
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/'))
}

export async function startDropboxDouble(
  options: { files?: DropboxFile[]; app?: DropboxApp; faults?: DropboxFaults } = {},
): Promise<DropboxDouble> {
  const files = options.files ?? makeFiles(10)
  const app = options.app ?? DEFAULT_APP
  const faults: DropboxFaults = options.faults ?? {}
  const requests: RecordedRequest[] = []
  const tokens: string[] = []
  const expiry = new Map<string, number>()
  let listCalls = 0

  const state: DropboxDouble = {
    url: '',
    files,
    app,
    faults,
    requests,
    tokens,
    tokenLifetime: 14_400,
    expireTokens: () => {
      for (const token of expiry.keys()) expiry.set(token, 0)
    },
    close: async () => undefined,
  }

  const folderIds = new Map<string, string>()
  const folderEntry = (path: string): Record<string, unknown> => {
    let id = folderIds.get(lower(path))
    if (!id) {
      id = `id:${createHash('sha1').update(lower(path)).digest('base64url').slice(0, 22)}`
      folderIds.set(lower(path), id)
    }
    return {
      '.tag': 'folder',
      name: path.slice(path.lastIndexOf('/') + 1),
      path_lower: lower(path),
      path_display: path,
      id,
    }
  }
  const fileEntry = (file: DropboxFile): Record<string, unknown> => ({
    '.tag': 'file',
    name: file.path.slice(file.path.lastIndexOf('/') + 1),
    path_lower: lower(file.path),
    path_display: file.path,
    id: file.id,
    client_modified: file.client_modified,
    server_modified: file.server_modified,
    rev: file.rev,
    size: file.size,
    is_downloadable: file.is_downloadable ?? true,
    content_hash: contentHash(contentOf(file)),
  })

  /** Folders (each before what is in it) and files under path, as Dropbox lists them. */
  const entriesUnder = (path: string, recursive: boolean): Array<Record<string, unknown>> => {
    const base = lower(path)
    const folders = new Set<string>()
    for (const file of state.files) {
      for (let p = parentOf(file.path); p !== ''; p = parentOf(p)) folders.add(p)
    }
    const inside = (p: string): boolean =>
      lower(p).startsWith(`${base}/`) && (recursive || lower(parentOf(p)) === base)
    const out: Array<{ path: string; entry: Record<string, unknown> }> = []
    for (const folder of folders) {
      if (inside(folder)) out.push({ path: lower(folder), entry: folderEntry(folder) })
    }
    for (const file of state.files) {
      if (inside(file.path)) out.push({ path: lower(file.path), entry: fileEntry(file) })
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((e) => e.entry)
  }

  const folderExists = (path: string): boolean =>
    path === '' || state.files.some((f) => lower(f.path).startsWith(`${lower(path)}/`))

  const findFile = (path: string): DropboxFile | undefined =>
    path.startsWith('id:')
      ? state.files.find((f) => f.id === path)
      : state.files.find((f) => lower(f.path) === lower(path))

  const page = (cursor: Cursor): unknown => {
    const all = entriesUnder(cursor.path, cursor.recursive)
    const entries = all.slice(cursor.offset, cursor.offset + cursor.limit)
    const next: Cursor = { ...cursor, offset: cursor.offset + entries.length }
    return {
      entries,
      cursor: `AAE${Buffer.from(JSON.stringify(next)).toString('base64url')}`,
      has_more: next.offset < all.length,
    }
  }

  const authorize = (req: http.IncomingMessage, endpoint: string): string => {
    const header = req.headers.authorization
    if (!header) {
      throw badRequest(
        endpoint,
        'Must provide HTTP header "Authorization" or URL parameter "authorization".',
      )
    }
    const token = /^Bearer (\S+)$/.exec(header)?.[1]
    const expires = token ? expiry.get(token) : undefined
    if (!token || expires === undefined) {
      throw apiError(401, 'invalid_access_token', { '.tag': 'invalid_access_token' })
    }
    if (expires <= Date.now()) {
      throw apiError(401, 'expired_access_token', { '.tag': 'expired_access_token' })
    }
    return token
  }

  const rpcArgs = (req: http.IncomingMessage, body: Buffer, endpoint: string): unknown => {
    const type = (req.headers['content-type'] ?? '').toLowerCase()
    if (type !== 'application/json' && type !== 'application/json; charset=utf-8') {
      throw badRequest(
        endpoint,
        `Bad HTTP "Content-Type" header: "${req.headers['content-type'] ?? ''}".  Expecting one of "application/json", "application/json; charset=utf-8", "text/plain; charset=dropbox-cors-hack".`,
      )
    }
    try {
      return JSON.parse(body.toString('utf8'))
    } catch {
      throw badRequest(endpoint, 'request body: could not decode input as JSON')
    }
  }

  // Codes the authorization endpoint handed out: their redirect URI and PKCE challenge.
  const codes = new Map<string, { redirectUri: string; challenge: string }>()

  /** oauth2/authorize: the person is taken to have allowed the app; back with a code. */
  const authorizePage = (url: URL): Reply => {
    const q = url.searchParams
    if (q.get('client_id') !== state.app.appKey) {
      return new Reply(400, 'Invalid client_id')
    }
    const redirect = q.get('redirect_uri') ?? ''
    if (!/^http:\/\/127\.0\.0\.1:\d+\/callback$/.test(redirect)) {
      return new Reply(
        400,
        "Invalid redirect_uri. It must exactly match one of the redirect URIs you've pre-configured for your app.",
      )
    }
    if (q.get('token_access_type') !== 'offline' || q.get('code_challenge_method') !== 'S256') {
      return new Reply(400, 'expected token_access_type=offline and code_challenge_method=S256')
    }
    const code = randomBytes(18).toString('base64url')
    codes.set(code, { redirectUri: redirect, challenge: q.get('code_challenge') ?? '' })
    const back = new URL(redirect)
    back.searchParams.set('code', code)
    back.searchParams.set('state', q.get('state') ?? '')
    return new Reply(302, '', { location: back.toString() })
  }

  const token = (req: http.IncomingMessage, body: Buffer): unknown => {
    if (req.method !== 'POST') throw new Reply(405, 'Method Not Allowed')
    const form = new URLSearchParams(body.toString('utf8'))
    if (form.get('grant_type') === 'authorization_code') {
      const code = codes.get(form.get('code') ?? '')
      codes.delete(form.get('code') ?? '')
      const verifier = form.get('code_verifier') ?? ''
      if (
        !code ||
        code.redirectUri !== form.get('redirect_uri') ||
        createHash('sha256').update(verifier).digest('base64url') !== code.challenge ||
        form.get('client_id') !== state.app.appKey
      ) {
        throw new Reply(400, {
          error: 'invalid_grant',
          error_description: "code doesn't exist or has expired",
        })
      }
      const access = `sl.${randomBytes(24).toString('base64url')}`
      tokens.push(access)
      expiry.set(access, Date.now() + state.tokenLifetime * 1000)
      return {
        access_token: access,
        token_type: 'bearer',
        expires_in: state.tokenLifetime,
        refresh_token: state.app.refreshToken,
        scope: 'files.content.read files.metadata.read',
      }
    }
    let clientId = form.get('client_id')
    let clientSecret = form.get('client_secret')
    const basic = /^Basic (\S+)$/.exec(req.headers.authorization ?? '')?.[1]
    if (basic) {
      const decoded = Buffer.from(basic, 'base64').toString('utf8')
      clientId = decoded.slice(0, decoded.indexOf(':'))
      clientSecret = decoded.slice(decoded.indexOf(':') + 1)
    }
    if (form.get('grant_type') !== 'refresh_token') {
      throw new Reply(400, { error: 'unsupported_grant_type' })
    }
    if (clientId !== state.app.appKey || clientSecret !== state.app.appSecret) {
      throw new Reply(400, {
        error: 'invalid_client',
        error_description: 'Invalid client_id or client_secret',
      })
    }
    if (form.get('refresh_token') !== state.app.refreshToken) {
      throw new Reply(400, {
        error: 'invalid_grant',
        error_description: 'refresh token is invalid or revoked',
      })
    }
    const access = `sl.${randomBytes(24).toString('base64url')}`
    tokens.push(access)
    expiry.set(access, Date.now() + state.tokenLifetime * 1000)
    return { access_token: access, token_type: 'bearer', expires_in: state.tokenLifetime }
  }

  const listFolder = (args: Record<string, unknown>): unknown => {
    const endpoint = 'files/list_folder'
    const path = typeof args.path === 'string' ? args.path : null
    if (path === null) throw badRequest(endpoint, 'request body: missing required field "path"')
    if (path === '/')
      throw badRequest(
        endpoint,
        'request body: path: Specify the root folder as an empty string rather than as "/".',
      )
    const limit = args.limit === undefined ? 500 : args.limit
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 2000) {
      throw badRequest(
        endpoint,
        `request body: limit: ${String(limit)} is not within range [1, 2000]`,
      )
    }
    if (!folderExists(path)) throw notFound()
    listCalls++
    return page({
      path,
      recursive: args.recursive === true,
      limit,
      offset: 0,
      generation: listCalls,
    })
  }

  const listFolderContinue = (args: Record<string, unknown>): unknown => {
    const endpoint = 'files/list_folder/continue'
    const text = typeof args.cursor === 'string' ? args.cursor : ''
    let cursor: Cursor
    try {
      cursor = JSON.parse(
        Buffer.from(text.replace(/^AAE/, ''), 'base64url').toString('utf8'),
      ) as Cursor
      if (typeof cursor.offset !== 'number') throw new Error('no offset')
    } catch {
      throw badRequest(endpoint, 'Invalid "cursor" parameter: ' + JSON.stringify(text.slice(0, 20)))
    }
    if (cursor.generation < (state.faults.resetCursorsBefore ?? 0)) {
      throw apiError(409, 'reset', { '.tag': 'reset' })
    }
    return page(cursor)
  }

  const getMetadata = (args: Record<string, unknown>): unknown => {
    const path = typeof args.path === 'string' ? args.path : ''
    const file = findFile(path)
    if (file && state.faults.deletedAfterListing?.includes(file.id)) throw notFound()
    if (file) return fileEntry(file)
    if (!path.startsWith('id:') && path !== '' && folderExists(path)) {
      const folder = [...new Set(state.files.map((f) => parentOf(f.path)))].find(
        (p) => lower(p) === lower(path),
      )
      if (folder) return folderEntry(folder)
    }
    throw notFound()
  }

  const download = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    query: URLSearchParams,
  ): { args: unknown; status: number } => {
    const endpoint = 'files/download'
    authorize(req, endpoint)
    const header = req.headers['dropbox-api-arg']
    const raw = typeof header === 'string' ? header : query.get('arg')
    if (raw === null || raw === undefined) {
      throw badRequest(
        endpoint,
        'Must provide HTTP header "Dropbox-API-Arg" or URL parameter "arg".',
      )
    }
    // Node reads header bytes as latin1: anything past 0x7e arrived unescaped.
    if (typeof header === 'string' && /[^\x20-\x7e]/.test(header)) {
      throw badRequest(
        endpoint,
        'HTTP header "Dropbox-API-Arg": could not decode input as JSON (non-ASCII characters must be escaped as \\uXXXX)',
      )
    }
    let args: { path?: unknown }
    try {
      args = JSON.parse(raw) as { path?: unknown }
    } catch {
      throw badRequest(endpoint, 'HTTP header "Dropbox-API-Arg": could not decode input as JSON')
    }
    const file = findFile(typeof args.path === 'string' ? args.path : '')
    if (!file || state.faults.deletedAfterListing?.includes(file.id)) throw notFound()
    if (file.is_downloadable === false) {
      throw apiError(409, 'unsupported_file', { '.tag': 'unsupported_file' })
    }
    const bytes = contentOf({
      ...file,
      size: file.size + (state.faults.grewAfterListing?.[file.id] ?? 0),
    })
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': String(bytes.length),
      'dropbox-api-result': JSON.stringify(fileEntry(file)).replace(
        /[\u007f-\uffff]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
      ),
    })
    res.end(req.method === 'HEAD' ? undefined : bytes)
    return { args, status: 200 }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://dropbox.invalid')
      const path = url.pathname
      const body = Buffer.concat(chunks)
      const record: RecordedRequest = {
        method: req.method ?? '',
        path,
        authorization: req.headers.authorization,
        args: null,
        status: 0,
      }
      requests.push(record)
      const send = (
        status: number,
        answer: unknown,
        headers: Record<string, string> = {},
      ): void => {
        record.status = status
        const text = typeof answer === 'string' ? answer : JSON.stringify(answer)
        res.writeHead(status, {
          'content-type':
            typeof answer === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
          ...headers,
        })
        res.end(text)
      }
      try {
        const fault = state.faults.status?.[path]
        if (fault && fault.times > 0) {
          fault.times--
          if (fault.status === 429) {
            const retry = fault.retryAfter ?? 1
            throw new Reply(
              429,
              {
                error_summary: 'too_many_requests/..',
                error: { reason: { '.tag': 'too_many_requests' }, retry_after: retry },
              },
              { 'retry-after': String(retry) },
            )
          }
          throw new Reply(fault.status, 'Internal Server Error')
        }
        if (path === '/oauth2/token') return send(200, token(req, body))
        if (path === '/oauth2/authorize') {
          const answer = authorizePage(url)
          return send(answer.status, answer.body, answer.headers)
        }
        if (path === '/2/files/download') {
          if (req.method !== 'GET' && req.method !== 'POST')
            throw new Reply(405, 'Method Not Allowed')
          const done = download(req, res, url.searchParams)
          record.args = done.args
          record.status = done.status
          return
        }
        const rpc: Record<string, (args: Record<string, unknown>) => unknown> = {
          '/2/files/list_folder': listFolder,
          '/2/files/list_folder/continue': listFolderContinue,
          '/2/files/get_metadata': getMetadata,
        }
        const handler = rpc[path]
        if (!handler) throw new Reply(404, 'Unknown API function')
        const endpoint = path.slice(3)
        if (req.method !== 'POST') throw badRequest(endpoint, 'expected POST')
        authorize(req, endpoint)
        const args = rpcArgs(req, body, endpoint)
        record.args = args
        if (!args || typeof args !== 'object')
          throw badRequest(endpoint, 'request body: expected an object')
        return send(200, handler(args as Record<string, unknown>))
      } catch (error) {
        if (error instanceof Reply) return send(error.status, error.body, error.headers)
        return send(500, `double failed: ${error instanceof Error ? error.message : String(error)}`)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  state.url = `http://127.0.0.1:${port}`
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return state
}
