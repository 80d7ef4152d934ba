// The authorization-code flow with PKCE (RFC 7636) and a loopback redirect (RFC 8252 §7.3):
// a listener on http://127.0.0.1:<random port>/callback waits for the browser, accepts one
// redirect with the right state, trades its code at the token endpoint and closes.
import { createHash, randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import {
  exchangeCode,
  TokenEndpointError,
  type ClientCredentials,
  type TokenSet,
} from './token-endpoint'

export interface AuthorizationRequest {
  providerName: string
  authorizationUrl: string
  tokenUrl: string
  scopes: string[]
  params: Record<string, string>
  client: ClientCredentials
  /** The listener's port; a free one when absent. */
  port?: number | null
  /** How long the listener waits for the browser (10 minutes by default). */
  timeoutMs?: number
  /** A redirect the listener refused (wrong state, a stray request): for the CLI's stderr. */
  onRefused?: (message: string) => void
  now?: () => number
}

export interface PendingAuthorization {
  /** Where the browser goes. */
  url: string
  redirectUri: string
  /** The tokens, once the browser came back and the code was traded; rejects with the reason. */
  done: Promise<TokenSet>
  cancel(): void
}

/** The sign-in did not complete; the message says why and what to do. */
export class SignInError extends Error {
  override name = 'SignInError'
}

const CALLBACK_PATH = '/callback'
const DEFAULT_TIMEOUT_MS = 10 * 60_000

export async function startAuthorization(
  request: AuthorizationRequest,
): Promise<PendingAuthorization> {
  const state = randomBytes(32).toString('base64url')
  const verifier = randomBytes(48).toString('base64url')
  const challenge = createHash('sha256').update(verifier).digest('base64url')
  const sockets = new Set<Socket>()
  let accepted = false
  let finished = false
  let resolveDone!: (tokens: TokenSet) => void
  let rejectDone!: (error: Error) => void
  const done = new Promise<TokenSet>((resolve, reject) => {
    resolveDone = resolve
    rejectDone = reject
  })
  // The caller may attach its handler later; an early cancel must not be an unhandled rejection.
  done.catch(() => undefined)

  const server = http.createServer((req, res) => {
    void handle(req, res)
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new SignInError(
              `port ${request.port} on 127.0.0.1, where the sign-in comes back, is in use (another sign-in, or another program); close it and sign in again`,
            )
          : error,
      ),
    )
    server.listen(request.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const redirectUri = `http://127.0.0.1:${port}${CALLBACK_PATH}`

  const url = new URL(request.authorizationUrl)
  for (const [name, value] of Object.entries(request.params)) url.searchParams.set(name, value)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('client_id', request.client.clientId)
  url.searchParams.set('redirect_uri', redirectUri)
  if (request.scopes.length > 0) url.searchParams.set('scope', request.scopes.join(' '))
  url.searchParams.set('state', state)
  url.searchParams.set('code_challenge', challenge)
  url.searchParams.set('code_challenge_method', 'S256')

  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const timer = setTimeout(
    () =>
      end(
        new SignInError(
          `no answer came back from the browser within ${Math.round(timeoutMs / 60_000) || 1} minute(s); start the sign-in again`,
        ),
      ),
    timeoutMs,
  )

  function end(outcome: TokenSet | Error): void {
    if (finished) return
    finished = true
    clearTimeout(timer)
    // No new connections; the browser's open one is closed once its page is sent.
    server.close()
    setImmediate(() => {
      for (const socket of sockets) socket.destroySoon()
    })
    if (outcome instanceof Error) rejectDone(outcome)
    else resolveDone(outcome)
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const target = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (req.method !== 'GET' || target.pathname !== CALLBACK_PATH) {
      page(res, 404, 'Not found', 'This is where Skwirl waits for a sign-in; nothing else is here.')
      return
    }
    if (accepted || finished) {
      page(
        res,
        409,
        'Already used',
        'Skwirl has already received this sign-in (a second redirect is refused). You can close this tab.',
      )
      return
    }
    const params = target.searchParams
    if (params.get('state') !== state) {
      const message = params.has('state')
        ? 'a redirect came with the wrong state (not the sign-in Skwirl started); it was refused'
        : 'a redirect came without a state; it was refused'
      request.onRefused?.(message)
      page(
        res,
        400,
        'Sign-in refused',
        'This answer does not belong to the sign-in Skwirl is waiting for (its state does not match). Start the sign-in again from Skwirl.',
      )
      return
    }
    accepted = true
    const error = params.get('error')
    if (error !== null) {
      const description = params.get('error_description')
      const reason = `${clean(error)}${description ? ` (${clean(description)})` : ''}`
      page(res, 400, 'Not signed in', `The sign-in was not completed: ${reason}.`)
      end(
        new SignInError(
          error === 'access_denied'
            ? `the sign-in was declined at ${url.host} (${reason})`
            : `the sign-in was refused at ${url.host}: ${reason}`,
        ),
      )
      return
    }
    const code = params.get('code')
    if (!code) {
      page(res, 400, 'Not signed in', 'The answer carried no authorization code.')
      end(new SignInError(`the redirect from ${url.host} carried no authorization code`))
      return
    }
    try {
      const tokens = await exchangeCode(
        request.tokenUrl,
        request.client,
        code,
        redirectUri,
        verifier,
        request.now,
      )
      page(
        res,
        200,
        'Signed in',
        `Skwirl is signed in to ${request.providerName}. You can close this tab and go back to Skwirl.`,
      )
      end(tokens)
    } catch (caught) {
      const message =
        caught instanceof TokenEndpointError
          ? `the code could not be traded for tokens: ${caught.message}`
          : `the code could not be traded for tokens: ${caught instanceof Error ? caught.message : String(caught)}`
      page(res, 502, 'Not signed in', `The sign-in did not complete: ${message}.`)
      end(new SignInError(message))
    }
  }

  return {
    url: url.toString(),
    redirectUri,
    done,
    cancel: () => end(new SignInError('the sign-in was cancelled')),
  }
}

function clean(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters from a server are not shown
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 300)
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  )
}

/** A small page the browser shows: what happened, in words. */
function page(res: http.ServerResponse, status: number, title: string, text: string): void {
  const ok = status === 200
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Skwirl: ${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;background:#f6f7f9;color:#1c1f24}
main{max-width:32rem;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 1px 3px #0002}
h1{font-size:1.25rem;margin:0 0 .5rem;color:${ok ? '#1a7f37' : '#b42318'}}
@media (prefers-color-scheme:dark){body{background:#16181d;color:#e6e8eb}main{background:#1f2228}}
</style></head>
<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></main></body></html>`
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
  })
  res.end(body)
}
