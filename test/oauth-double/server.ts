// A local OAuth 2.0 authorization server that answers as Google's does: an authorization
// endpoint that checks the request (client, loopback redirect, PKCE) and redirects back with a
// code, a token endpoint (authorization_code with the PKCE verifier, refresh_token) whose access
// tokens expire, and RFC 7009 revocation. Errors carry Google's bodies and statuses.
import { createHash, randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface OAuthClient {
  clientId: string
  /** null: a public client (PKCE alone, no secret). */
  clientSecret: string | null
}

/** One answer to inject at the token endpoint (`times` answers, then it is gone). */
export interface TokenFault {
  status: number
  body: unknown
  times?: number
}

export interface OAuthDoubleOptions {
  clients?: OAuthClient[]
  /** expires_in of every access token (3599 s, as Google, by default). */
  accessTokenSeconds?: number
  /** An access token stops working after this many uses (the Drive double asks); unlimited by default. */
  accessTokenUses?: number
  /** The authorization endpoint answers access_denied instead of a code. */
  deny?: boolean
}

export interface AuthorizationSeen {
  query: Record<string, string>
}

export interface OAuthDouble {
  url: string
  authorizationUrl: string
  tokenUrl: string
  revocationUrl: string
  clients: OAuthClient[]
  options: OAuthDoubleOptions
  /** Every authorization request, as received. */
  authorizations: AuthorizationSeen[]
  /** Token endpoint grants answered with tokens, by grant type. */
  grants: { authorization_code: number; refresh_token: number }
  /** Token endpoint requests that were refused, with their error code. */
  refusals: string[]
  /** Injected answers for the token endpoint, used in order. */
  tokenFaults: TokenFault[]
  /** True when an access token is good now (counts one use); the Drive double's acceptToken. */
  useAccessToken(token: string): boolean
  /** Every access token issued so far stops working (they have expired). */
  expireAccessTokens(): void
  /** The refresh tokens (and their access tokens) stop working, as a user's revocation does. */
  revokeAll(): void
  /** The refresh tokens issued, for tests that look for them where they must not be. */
  refreshTokens(): string[]
  accessTokens(): string[]
  close(): Promise<void>
}

interface PendingCode {
  clientId: string
  redirectUri: string
  challenge: string
  scope: string
  used: boolean
}

interface AccessToken {
  refreshToken: string
  expired: boolean
  uses: number
}

export const TEST_CLIENT: OAuthClient = {
  clientId: '1234567890-double.apps.googleusercontent.com',
  clientSecret: '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789',
}

export async function startOAuthDouble(options: OAuthDoubleOptions = {}): Promise<OAuthDouble> {
  const codes = new Map<string, PendingCode>()
  const refresh = new Map<string, { clientId: string; scope: string; revoked: boolean }>()
  const access = new Map<string, AccessToken>()

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      const body = Buffer.concat(chunks).toString('utf8')
      if (req.method === 'GET' && url.pathname === '/o/oauth2/v2/auth') return authorize(url, res)
      if (req.method === 'POST' && url.pathname === '/token') return token(req, body, res)
      if (req.method === 'POST' && url.pathname === '/revoke') return revoke(body, url, res)
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const double: OAuthDouble = {
    url: base,
    authorizationUrl: `${base}/o/oauth2/v2/auth`,
    tokenUrl: `${base}/token`,
    revocationUrl: `${base}/revoke`,
    clients: options.clients ?? [TEST_CLIENT],
    options,
    authorizations: [],
    grants: { authorization_code: 0, refresh_token: 0 },
    refusals: [],
    tokenFaults: [],
    useAccessToken(value) {
      const found = access.get(value)
      if (!found || found.expired || refresh.get(found.refreshToken)?.revoked) return false
      found.uses++
      const limit = double.options.accessTokenUses
      if (limit !== undefined && found.uses > limit) {
        found.expired = true
        return false
      }
      return true
    },
    expireAccessTokens() {
      for (const token of access.values()) token.expired = true
    },
    revokeAll() {
      for (const token of refresh.values()) token.revoked = true
    },
    refreshTokens: () => [...refresh.keys()],
    accessTokens: () => [...access.keys()],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }

  function page(res: http.ServerResponse, status: number, text: string): void {
    res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' })
    res.end(`<!doctype html><title>Error ${status}</title><p>${text}</p>`)
  }

  function authorize(url: URL, res: http.ServerResponse): void {
    const q = Object.fromEntries(url.searchParams)
    double.authorizations.push({ query: q })
    const client = double.clients.find((c) => c.clientId === q.client_id)
    // Google shows its own error page (no redirect) for a bad client or redirect URI.
    if (!client) return page(res, 401, 'Error 401: invalid_client. The OAuth client was not found.')
    const redirect = q.redirect_uri ?? ''
    if (!/^http:\/\/(127\.0\.0\.1|\[::1\]|localhost):\d+(\/.*)?$/.test(redirect)) {
      return page(res, 400, 'Error 400: redirect_uri_mismatch')
    }
    const back = new URL(redirect)
    if (q.state !== undefined) back.searchParams.set('state', q.state)
    if (q.response_type !== 'code') {
      back.searchParams.set('error', 'unsupported_response_type')
    } else if (q.code_challenge_method !== 'S256' || !q.code_challenge) {
      back.searchParams.set('error', 'invalid_request')
      back.searchParams.set('error_description', 'code_challenge_method must be S256')
    } else if (double.options.deny) {
      back.searchParams.set('error', 'access_denied')
    } else {
      const code = `4/0A${randomBytes(24).toString('base64url')}`
      codes.set(code, {
        clientId: client.clientId,
        redirectUri: redirect,
        challenge: q.code_challenge,
        scope: q.scope ?? '',
        used: false,
      })
      back.searchParams.set('code', code)
      back.searchParams.set('scope', q.scope ?? '')
    }
    res.writeHead(302, { Location: back.toString() }).end()
  }

  function refuse(
    res: http.ServerResponse,
    status: number,
    error: string,
    description: string,
  ): void {
    double.refusals.push(error)
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' })
    res.end(JSON.stringify({ error, error_description: description }, null, 2))
  }

  function issue(
    res: http.ServerResponse,
    refreshToken: string,
    scope: string,
    withRefresh: boolean,
  ): void {
    const accessToken = `ya29.${randomBytes(30).toString('base64url')}`
    access.set(accessToken, { refreshToken, expired: false, uses: 0 })
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' })
    res.end(
      JSON.stringify({
        access_token: accessToken,
        expires_in: double.options.accessTokenSeconds ?? 3599,
        ...(withRefresh ? { refresh_token: refreshToken } : {}),
        scope,
        token_type: 'Bearer',
      }),
    )
  }

  function clientOf(req: http.IncomingMessage, form: URLSearchParams): OAuthClient | null {
    let id = form.get('client_id')
    let secret = form.get('client_secret')
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')
    if (basic?.[1]) {
      const [user, pass] = Buffer.from(basic[1], 'base64').toString('utf8').split(':')
      id = decodeURIComponent(user ?? '')
      secret = decodeURIComponent(pass ?? '')
    }
    const client = double.clients.find((c) => c.clientId === id)
    if (!client) return null
    if (client.clientSecret !== null && client.clientSecret !== secret) return null
    return client
  }

  function token(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const fault = double.tokenFaults[0]
    if (fault) {
      if (fault.times !== undefined && --fault.times <= 0) double.tokenFaults.shift()
      res.writeHead(fault.status, { 'Content-Type': 'application/json; charset=utf-8' })
      res.end(typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body))
      return
    }
    if (!/application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')) {
      return refuse(res, 400, 'invalid_request', 'Invalid content type.')
    }
    const form = new URLSearchParams(body)
    const client = clientOf(req, form)
    if (!client) return refuse(res, 401, 'invalid_client', 'Unauthorized')
    const grant = form.get('grant_type')
    if (grant === 'authorization_code') {
      const code = codes.get(form.get('code') ?? '')
      if (!code || code.used || code.clientId !== client.clientId) {
        return refuse(res, 400, 'invalid_grant', 'Malformed auth code.')
      }
      code.used = true
      if (code.redirectUri !== form.get('redirect_uri')) {
        return refuse(res, 400, 'redirect_uri_mismatch', 'Bad Request')
      }
      const verifier = form.get('code_verifier') ?? ''
      if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge) {
        return refuse(res, 400, 'invalid_grant', 'Invalid code verifier.')
      }
      const refreshToken = `1//0g${randomBytes(40).toString('base64url')}`
      refresh.set(refreshToken, { clientId: client.clientId, scope: code.scope, revoked: false })
      double.grants.authorization_code++
      return issue(res, refreshToken, code.scope, true)
    }
    if (grant === 'refresh_token') {
      const value = form.get('refresh_token') ?? ''
      const found = refresh.get(value)
      if (!found || found.revoked || found.clientId !== client.clientId) {
        return refuse(res, 400, 'invalid_grant', 'Token has been expired or revoked.')
      }
      double.grants.refresh_token++
      // Google keeps the refresh token: no new one in the answer.
      return issue(res, value, found.scope, false)
    }
    return refuse(res, 400, 'unsupported_grant_type', `Invalid grant_type: ${grant ?? ''}`)
  }

  function revoke(body: string, url: URL, res: http.ServerResponse): void {
    const value = new URLSearchParams(body).get('token') ?? url.searchParams.get('token') ?? ''
    const asRefresh = refresh.get(value)
    const asAccess = access.get(value)
    if (asRefresh) asRefresh.revoked = true
    else if (asAccess) {
      const parent = refresh.get(asAccess.refreshToken)
      if (parent) parent.revoked = true
    } else return refuse(res, 400, 'invalid_token', 'Token expired or revoked')
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end('{}')
  }

  return double
}

/**
 * Plays the browser: follows the authorization URL to the double, then the redirect to Skwirl's
 * loopback listener. Answers the page the listener showed.
 */
export async function completeInBrowser(
  authorizationUrl: string,
  edit: (redirect: URL) => void = () => undefined,
): Promise<{ status: number; text: string; redirect: string }> {
  const answer = await fetch(authorizationUrl, { redirect: 'manual' })
  const location = answer.headers.get('location')
  if (answer.status !== 302 || !location) {
    throw new Error(`the authorization endpoint answered ${answer.status}: ${await answer.text()}`)
  }
  const redirect = new URL(location)
  edit(redirect)
  const back = await fetch(redirect)
  return { status: back.status, text: await back.text(), redirect: redirect.toString() }
}
