// Browser mode: the renderer build over HTTP and the same SkwirlApi over a WebSocket, on
// loopback by default, for a browser that presents the random token.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream, type Stats } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, normalize, sep } from 'node:path'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import type { EventName, SkwirlEvents } from '../../shared/api'
import {
  SOCKET_PATH,
  TOKEN_COOKIE,
  TOKEN_PARAM,
  type SocketServerMessage,
} from '../../shared/socket-protocol'
import { dispatch, type ApiHandlers } from './handlers'
import type { Logger } from './logger'
import {
  cacheControl,
  contentTypeOf,
  entityTag,
  pickVariant,
  RENDERER_CSP,
  stillFresh,
} from './static-assets'

export interface BrowserServerOptions {
  handlers: ApiHandlers
  logger: Logger
  rendererDir: string
  host?: string
  port?: number
  token?: string
}

export interface BrowserServer {
  url: string
  origin: string
  port: number
  token: string
  broadcast<E extends EventName>(event: E, payload: SkwirlEvents[E]): void
  close(): Promise<void>
}

const MAX_SOCKET_MESSAGE = 16 * 1024 * 1024

export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const { handlers, logger } = options
  const host = options.host ?? '127.0.0.1'
  const token = options.token ?? randomBytes(24).toString('base64url')
  const rendererDir = normalize(options.rendererDir)
  const sockets = new Set<WebSocket>()
  let allowedHosts = new Set<string>()

  // Nothing a client sends may end the server: every handler answers or drops its connection,
  // and a failure of Skwirl's own is logged as the bug it is.
  const bug = (what: string, error: unknown): void =>
    logger.error(`browser mode: ${what} failed: ${describeError(error)}`)

  const server = createServer((req, res) => {
    try {
      const url = requestUrl(req.url)
      if (!url) return badRequest(res)
      const verdict = checkAccess(req, url, allowedHosts, token)
      if (verdict !== 'ok') return refuse(res, verdict)
      if (url.searchParams.get(TOKEN_PARAM) === token) {
        res.setHeader('Set-Cookie', `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`)
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end()
        return
      }
      serveFile(rendererDir, url.pathname, req, res).catch((error: unknown) => {
        bug(`serving ${url.pathname}`, error)
        if (!res.headersSent) res.writeHead(500).end()
        else res.destroy()
      })
    } catch (error) {
      bug('a request', error)
      if (!res.headersSent) res.writeHead(500).end()
      else res.destroy()
    }
  })
  // A client that resets its connection mid-answer is not an error worth more than a drop.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    else socket.destroy()
  })

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_SOCKET_MESSAGE })
  server.on('upgrade', (req, socket: Duplex, head) => {
    // Node takes its own error listener off an upgraded socket: without one, a reset would throw.
    socket.on('error', () => socket.destroy())
    try {
      const url = requestUrl(req.url)
      const verdict = url ? checkAccess(req, url, allowedHosts, token) : 'bad-request'
      if (verdict !== 'ok' || url?.pathname !== SOCKET_PATH) {
        const status =
          verdict === 'bad-request'
            ? '400 Bad Request'
            : verdict === 'ok'
              ? '404 Not Found'
              : verdict === 'no-token'
                ? '401 Unauthorized'
                : '403 Forbidden'
        socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
        return
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        sockets.add(ws)
        ws.on('close', () => sockets.delete(ws))
        ws.on('error', () => sockets.delete(ws))
        ws.on('message', (data) => {
          onSocketMessage(ws, data.toString()).catch((error: unknown) =>
            bug('a socket message', error),
          )
        })
      })
    } catch (error) {
      bug('a socket upgrade', error)
      socket.destroy()
    }
  })

  async function onSocketMessage(ws: WebSocket, text: string): Promise<void> {
    let message: unknown
    try {
      message = JSON.parse(text)
    } catch {
      logger.warn('browser mode: a socket message was not JSON; ignored')
      return
    }
    const call = message as { type?: unknown; id?: unknown; method?: unknown; args?: unknown }
    if (call?.type !== 'call' || typeof call.id !== 'number') {
      logger.warn('browser mode: a socket message was not a call; ignored')
      return
    }
    const result = await dispatch(handlers, call.method, call.args, logger)
    send(ws, { type: 'result', id: call.id, ...result })
  }

  function send(ws: WebSocket, message: SocketServerMessage): void {
    if (ws.readyState !== ws.OPEN) return
    let text: string
    try {
      text = JSON.stringify(message)
    } catch (error) {
      // An answer too large for one string (or otherwise unsendable) becomes an error answer.
      bug(`sending ${message.type === 'result' ? 'an answer' : message.event}`, error)
      if (message.type !== 'result') return
      text = JSON.stringify({
        type: 'result',
        id: message.id,
        ok: false,
        error: {
          code: 'internal',
          message: 'The answer was too large to send; the log has the details.',
        },
      } satisfies SocketServerMessage)
    }
    ws.send(text, (error) => {
      if (error) sockets.delete(ws)
    })
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const hostForUrl = host.includes(':') ? `[${host}]` : host
  allowedHosts = new Set([
    `${hostForUrl}:${port}`,
    `127.0.0.1:${port}`,
    `localhost:${port}`,
    `[::1]:${port}`,
  ])
  const origin = `http://${hostForUrl}:${port}`

  return {
    url: `${origin}/?${TOKEN_PARAM}=${token}`,
    origin,
    port,
    token,
    broadcast: (event, payload) => {
      for (const ws of sockets) send(ws, { type: 'event', event, payload } as SocketServerMessage)
    },
    close: async () => {
      for (const ws of sockets) ws.terminate()
      wss.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

type Verdict = 'ok' | 'no-token' | 'bad-origin'

/**
 * The request target as a URL, or null when it is not one this server answers: only the
 * origin form ("/path?query") is, and "//", "//@" or "//[" are paths here, never authorities.
 */
export function requestUrl(target: string | undefined): URL | null {
  if (!target?.startsWith('/')) return null
  return URL.parse(`http://localhost${target}`)
}

function badRequest(res: ServerResponse): void {
  res
    .writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' })
    .end('Skwirl: that request could not be read.\n')
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error)
}

/** Host and Origin must name this server (DNS rebinding, cross-site pages); the token must match. */
function checkAccess(
  req: IncomingMessage,
  url: URL,
  allowedHosts: Set<string>,
  token: string,
): Verdict {
  const hostHeader = (req.headers.host ?? '').toLowerCase()
  if (!allowedHosts.has(hostHeader)) return 'bad-origin'
  const origin = req.headers.origin
  if (origin !== undefined) {
    let originHost: string
    try {
      const parsed = new URL(origin)
      originHost = parsed.protocol === 'http:' ? parsed.host.toLowerCase() : ''
    } catch {
      originHost = ''
    }
    if (!allowedHosts.has(originHost)) return 'bad-origin'
  }
  const presented =
    url.searchParams.get(TOKEN_PARAM) ?? cookieValue(req.headers.cookie, TOKEN_COOKIE)
  return presented !== null && sameSecret(presented, token) ? 'ok' : 'no-token'
}

function refuse(res: ServerResponse, verdict: Exclude<Verdict, 'ok'>): void {
  const [status, text] =
    verdict === 'no-token'
      ? [
          401,
          'Skwirl: open the address that `skwirl serve` printed; it carries the access token.\n',
        ]
      : [403, 'Skwirl: requests from other sites or host names are refused.\n']
  res
    .writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' })
    .end(text)
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return rest.join('=')
  }
  return null
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

async function serveFile(
  root: string,
  pathname: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    res.writeHead(400).end()
    return
  }
  const candidate = normalize(join(root, decoded))
  const inside = candidate === root || candidate.startsWith(root.endsWith(sep) ? root : root + sep)
  let file = inside ? candidate : join(root, 'index.html')
  try {
    if (!(await stat(file)).isFile()) file = join(root, 'index.html')
  } catch {
    // Unknown paths get the app itself, which shows its own page.
    file = join(root, 'index.html')
  }
  const headers: Record<string, string> = {
    'Content-Type': contentTypeOf(file),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': cacheControl(root, file),
    Vary: 'Accept-Encoding',
  }
  if (file.endsWith('.html')) {
    headers['Content-Security-Policy'] = RENDERER_CSP
    headers['X-Frame-Options'] = 'DENY'
  }
  let fileStats: Stats
  try {
    fileStats = await stat(file)
  } catch {
    res
      .writeHead(500, { 'Content-Type': 'text/plain' })
      .end('Skwirl: the app is not built; run npm run build.\n')
    return
  }
  const variant = await pickVariant(file, fileStats, req.headers['accept-encoding'])
  headers.ETag = entityTag(fileStats, variant.encoding)
  if (stillFresh(req.headers['if-none-match'], headers.ETag)) {
    res.writeHead(304, headers).end()
    return
  }
  if (variant.encoding) headers['Content-Encoding'] = variant.encoding
  headers['Content-Length'] = String(variant.size)
  res.writeHead(200, headers)
  const stream = createReadStream(variant.path)
  // A file gone between stat and read, or a client gone mid-answer: drop the answer, not the server.
  stream.on('error', () => res.destroy())
  stream.pipe(res)
}
