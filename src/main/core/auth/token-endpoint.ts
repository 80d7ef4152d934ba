// The OAuth 2.0 token endpoint (RFC 6749 §4.1.3, §6) and revocation (RFC 7009), with Node's
// fetch. Errors say what the service answered, never what was sent.
import { describeUrl } from '../http-broker'

export interface ClientCredentials {
  clientId: string
  /** null for a public client (PKCE alone). Sent in the body (client_secret_post). */
  clientSecret: string | null
}

export interface TokenSet {
  accessToken: string
  tokenType: string
  /** When the access token expires (ms since 1970), or null when the service does not say. */
  expiresAt: number | null
  /** When it was obtained (ms): the lifetime is expiresAt - obtainedAt. */
  obtainedAt: number
  refreshToken: string | null
  scope: string | null
}

/**
 * The service answered, and refused: RFC 6749 §5.2 errors. `refused` is true when the grant or
 * the client is no good (invalid_grant, invalid_client, unauthorized_client): only signing in
 * again helps. Anything else (the network, a 5xx) is a failure that may pass.
 */
export class TokenEndpointError extends Error {
  override name = 'TokenEndpointError'
  constructor(
    message: string,
    readonly refused: boolean,
    readonly code: string | null = null,
  ) {
    super(message)
  }
}

const REFUSALS = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client'])
const TIMEOUT_MS = 30_000
const MAX_BODY = 256 * 1024

export async function exchangeCode(
  tokenUrl: string,
  client: ClientCredentials,
  code: string,
  redirectUri: string,
  codeVerifier: string,
  now: () => number = Date.now,
): Promise<TokenSet> {
  return postForTokens(
    tokenUrl,
    client,
    {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: codeVerifier,
    },
    null,
    now,
  )
}

/** Renews the access token; the refresh token stays unless the service sends a new one. */
export async function refreshTokens(
  tokenUrl: string,
  client: ClientCredentials,
  refreshToken: string,
  now: () => number = Date.now,
): Promise<TokenSet> {
  return postForTokens(
    tokenUrl,
    client,
    { grant_type: 'refresh_token', refresh_token: refreshToken },
    refreshToken,
    now,
  )
}

/** RFC 7009: asks the service to forget a token. Throws TokenEndpointError when it does not. */
export async function revokeToken(
  revocationUrl: string,
  client: ClientCredentials,
  token: string,
  hint: 'refresh_token' | 'access_token',
): Promise<void> {
  const response = await post(revocationUrl, formBody(client, { token, token_type_hint: hint }))
  if (!response.ok) {
    const { text } = await readBody(response)
    throw new TokenEndpointError(
      `the revocation endpoint answered ${describeRefusal(response.status, text)}`,
      false,
    )
  }
}

async function postForTokens(
  tokenUrl: string,
  client: ClientCredentials,
  grant: Record<string, string>,
  previousRefreshToken: string | null,
  now: () => number,
): Promise<TokenSet> {
  const response = await post(tokenUrl, formBody(client, grant))
  const { text, json } = await readBody(response)
  if (!response.ok) {
    const code = typeof json?.error === 'string' ? json.error : null
    throw new TokenEndpointError(
      `the token URL (${describeUrl(tokenUrl)}) answered ${describeRefusal(response.status, text)}`,
      code !== null && REFUSALS.has(code),
      code,
    )
  }
  if (!json) {
    throw new TokenEndpointError(
      `the token URL (${describeUrl(tokenUrl)}) did not answer JSON (HTTP ${response.status}, ${response.headers.get('content-type') ?? 'no content type'})`,
      false,
    )
  }
  const accessToken = json.access_token
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new TokenEndpointError(
      `the token URL (${describeUrl(tokenUrl)}) answered without an access_token`,
      false,
    )
  }
  const tokenType = typeof json.token_type === 'string' ? json.token_type : 'Bearer'
  if (tokenType.toLowerCase() !== 'bearer') {
    throw new TokenEndpointError(
      `the token URL gave a token of type "${tokenType}"; Skwirl uses Bearer tokens`,
      false,
    )
  }
  const obtainedAt = now()
  const expiresIn = Number(json.expires_in)
  return {
    accessToken,
    tokenType: 'Bearer',
    expiresAt:
      json.expires_in !== undefined && Number.isFinite(expiresIn) && expiresIn >= 0
        ? obtainedAt + expiresIn * 1000
        : null,
    obtainedAt,
    refreshToken:
      typeof json.refresh_token === 'string' && json.refresh_token !== ''
        ? json.refresh_token
        : previousRefreshToken,
    scope: typeof json.scope === 'string' ? json.scope : null,
  }
}

function formBody(client: ClientCredentials, fields: Record<string, string>): URLSearchParams {
  const body = new URLSearchParams(fields)
  body.set('client_id', client.clientId)
  if (client.clientSecret !== null) body.set('client_secret', client.clientSecret)
  return body
}

async function post(url: string, body: URLSearchParams): Promise<Response> {
  try {
    return await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
  } catch (error) {
    const cause =
      error instanceof Error
        ? ((error.cause as Error | undefined)?.message ?? error.message)
        : String(error)
    throw new TokenEndpointError(`could not reach ${describeUrl(url)}: ${cause}`, false)
  }
}

async function readBody(
  response: Response,
): Promise<{ text: string; json: Record<string, unknown> | null }> {
  let text = ''
  try {
    const bytes = new Uint8Array(await response.arrayBuffer())
    text = Buffer.from(bytes.subarray(0, MAX_BODY)).toString('utf8')
  } catch {
    return { text: '', json: null }
  }
  try {
    const parsed: unknown = JSON.parse(text)
    return {
      text,
      json:
        typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
          ? (parsed as Record<string, unknown>)
          : null,
    }
  } catch {
    return { text, json: null }
  }
}

/** "HTTP 400: invalid_grant (Token has been expired or revoked.)", cut to a sane length. */
function describeRefusal(status: number, text: string): string {
  let detail = ''
  try {
    const body = JSON.parse(text) as { error?: unknown; error_description?: unknown }
    if (typeof body.error === 'string') {
      detail = body.error
      if (typeof body.error_description === 'string' && body.error_description) {
        detail += ` (${body.error_description})`
      }
    } else if (body.error && typeof body.error === 'object') {
      const message = (body.error as { message?: unknown }).message
      if (typeof message === 'string') detail = message
    }
  } catch {
    detail = ''
  }
  // eslint-disable-next-line no-control-regex -- control characters from a server are not shown
  const shown = detail.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 300)
  return shown ? `HTTP ${status}: ${shown}` : `HTTP ${status}`
}
