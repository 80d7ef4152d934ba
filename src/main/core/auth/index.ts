// Sign-in for providers that declare OAuth 2.0: the browser flow (loopback.ts), the tokens kept
// as secrets, and the access token main adds to a provider's calls: refreshed before it expires
// and once on a 401, one refresh at a time per provider. The runner never sees a token.
import type { Database } from 'better-sqlite3'
import type { SignInState } from '../../../shared/api'
import { ApiError } from '../../../shared/errors'
import type { OAuthDeclaration, ProviderDeclaration } from '../../../shared/provider-declaration'
import type { Logger } from '../logger'
import type { SecretStore } from '../secrets'
import { settingSecretName, type ProviderSettings } from '../settings'
import { SignInError, startAuthorization, type PendingAuthorization } from './loopback'
import {
  refreshTokens,
  revokeToken,
  TokenEndpointError,
  type ClientCredentials,
  type TokenSet,
} from './token-endpoint'

export { SignInError } from './loopback'
export { TokenEndpointError } from './token-endpoint'
export type { TokenSet } from './token-endpoint'

/** The service refused the sign-in (or there is none): the run fails with 'sign in again'. */
export class SignInNeededError extends Error {
  override name = 'SignInNeededError'
}

/** A refresh within this much of the expiry (or half the token's life, if shorter) happens first. */
const REFRESH_LEEWAY_MS = 60_000

export function tokenSecretName(providerId: string): string {
  return `oauth/${providerId}`
}

export interface SignInProvider {
  id: string
  name: string
}

export interface SignInsOptions {
  db: Database
  secrets: SecretStore
  settings: ProviderSettings
  logger: Logger
  /** A provider's settings or sign-in state changed. */
  onChange?: (providerId: string) => void
  /** A sign-in ended. */
  onFinished?: (providerId: string, ok: boolean, message: string | null) => void
  now?: () => number
  /** How long a sign-in waits for the browser. */
  timeoutMs?: number
}

interface SignInRow {
  status: 'signed-in' | 'refused'
  signed_in_at: string
}

export class SignIns {
  private readonly pending = new Map<string, PendingAuthorization>()
  private readonly refreshing = new Map<string, Promise<string>>()
  private readonly now: () => number

  constructor(private readonly options: SignInsOptions) {
    this.now = options.now ?? Date.now
  }

  /** The summary a card shows: null when the provider declares no sign-in. */
  status(providerId: string, declaresOAuth: boolean): 'signed-in' | 'needed' | null {
    if (!declaresOAuth) return null
    return this.row(providerId)?.status === 'signed-in' ? 'signed-in' : 'needed'
  }

  /** What the settings form shows about the sign-in. */
  async state(
    provider: SignInProvider,
    declaration: ProviderDeclaration,
  ): Promise<SignInState | null> {
    const oauth = declaration.oauth
    if (!oauth) return null
    const row = this.row(provider.id)
    const blocker = await this.blocker(provider.id, declaration, oauth)
    return {
      status: row?.status === 'signed-in' ? 'signed-in' : 'needed',
      reason: row?.status === 'refused' ? 'refused' : row ? null : 'not-signed-in',
      signedInAt: row?.signed_in_at ?? null,
      host: new URL(oauth.authorizationUrl).host,
      scopes: oauth.scopes,
      pending: this.pending.has(provider.id),
      blocker,
    }
  }

  /**
   * Starts the browser flow; answers the URL at once. The tokens are stored when the browser
   * comes back; onFinished says how it ended.
   */
  async start(
    provider: SignInProvider,
    declaration: ProviderDeclaration,
    hooks: { onRefused?: (message: string) => void } = {},
  ): Promise<{ url: string; done: Promise<void> }> {
    const oauth = declaration.oauth
    if (!oauth) {
      throw new ApiError('invalid-argument', `“${provider.name}” declares no sign-in.`)
    }
    const blocker = await this.blocker(provider.id, declaration, oauth)
    if (blocker) throw new ApiError('invalid-argument', blocker)
    const client = await this.client(provider.id, declaration, oauth)
    this.pending.get(provider.id)?.cancel()
    const flow = await startAuthorization({
      providerName: provider.name,
      authorizationUrl: oauth.authorizationUrl,
      tokenUrl: oauth.tokenUrl,
      scopes: oauth.scopes,
      params: oauth.params,
      client,
      port: oauth.redirectPort,
      timeoutMs: this.options.timeoutMs,
      now: this.now,
      onRefused: (message) => {
        this.options.logger.warn(`sign-in: ${message}`, { provider: provider.name })
        hooks.onRefused?.(message)
      },
    })
    this.pending.set(provider.id, flow)
    this.options.logger.info(
      `sign-in started: waiting for the browser at ${flow.redirectUri} (authorization at ${new URL(oauth.authorizationUrl).host})`,
      { provider: provider.name },
    )
    this.options.onChange?.(provider.id)
    const done = flow.done.then(
      async (tokens) => {
        if (!tokens.refreshToken) {
          this.options.logger.warn(
            'sign-in: the service gave no refresh token; runs work until the access token expires, then need a new sign-in',
            { provider: provider.name },
          )
        }
        await this.store(provider.id, tokens)
        this.markSignedIn(provider.id)
        this.options.logger.info('signed in', { provider: provider.name })
        this.settle(provider, flow, true, null)
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error)
        this.options.logger.warn(`sign-in did not complete: ${message}`, {
          provider: provider.name,
        })
        this.settle(provider, flow, false, message)
        throw error instanceof SignInError ? error : new SignInError(message)
      },
    )
    done.catch(() => undefined)
    return { url: flow.url, done }
  }

  cancel(providerId: string): void {
    this.pending.get(providerId)?.cancel()
  }

  /** Forgets the tokens; revokes the refresh token first where the provider says how. */
  async signOut(provider: SignInProvider, declaration: ProviderDeclaration | null): Promise<void> {
    this.cancel(provider.id)
    const tokens = await this.tokens(provider.id).catch(() => null)
    const oauth = declaration?.oauth
    if (tokens && declaration && oauth?.revocationUrl) {
      try {
        const client = await this.client(provider.id, declaration, oauth)
        const [token, hint] = tokens.refreshToken
          ? [tokens.refreshToken, 'refresh_token' as const]
          : [tokens.accessToken, 'access_token' as const]
        await revokeToken(oauth.revocationUrl, client, token, hint)
      } catch (error) {
        // Signing out here does not wait on the service: the tokens are forgotten all the same.
        this.options.logger.warn(
          `sign-out: the service did not confirm the revocation (${error instanceof Error ? error.message : String(error)}); the tokens are forgotten here`,
          { provider: provider.name },
        )
      }
    }
    await this.options.secrets.delete(tokenSecretName(provider.id))
    this.options.db.prepare('DELETE FROM sign_ins WHERE provider_id = ?').run(provider.id)
    this.options.logger.info('signed out', { provider: provider.name })
    this.options.onChange?.(provider.id)
  }

  /**
   * The access token for a provider's call: the stored one while it is fresh, otherwise a
   * refreshed one. `rejected`: the token the service just answered 401 to (refresh unless another
   * call already has). Concurrent refreshes of one provider share one request.
   */
  async accessToken(
    provider: SignInProvider,
    declaration: ProviderDeclaration,
    rejected: string | null = null,
  ): Promise<string> {
    const inFlight = this.refreshing.get(provider.id)
    if (inFlight) return inFlight
    const tokens = await this.tokens(provider.id)
    const row = this.row(provider.id)
    if (!tokens || !row) {
      throw new SignInNeededError(
        `${provider.name} is not signed in: sign in again (Sign in in the provider's settings, or skwirl auth "${provider.name}")`,
      )
    }
    if (row.status === 'refused') {
      throw new SignInNeededError(
        `${provider.name} refused its sign-in earlier: sign in again (Sign in in the provider's settings, or skwirl auth "${provider.name}")`,
      )
    }
    if (
      rejected === null ? !this.due(tokens) : tokens.accessToken !== rejected && !this.due(tokens)
    ) {
      return tokens.accessToken
    }
    // Checked again: another call may have started a refresh while the tokens were read.
    const again = this.refreshing.get(provider.id)
    if (again) return again
    const refresh = this.refresh(provider, declaration, tokens).finally(() =>
      this.refreshing.delete(provider.id),
    )
    this.refreshing.set(provider.id, refresh)
    return refresh
  }

  /** Values the log must mask for this provider: its tokens and client secret. */
  async secretsOf(provider: SignInProvider, declaration: ProviderDeclaration): Promise<string[]> {
    const out: string[] = []
    const tokens = await this.tokens(provider.id).catch(() => null)
    if (tokens?.refreshToken) out.push(tokens.refreshToken)
    if (tokens?.accessToken) out.push(tokens.accessToken)
    if (declaration.oauth?.clientSecret) {
      const secret = await this.options.settings
        .resolve(provider.id, declaration, declaration.oauth.clientSecret)
        .catch(() => null)
      if (secret) out.push(secret)
    }
    return out
  }

  private due(tokens: TokenSet): boolean {
    if (tokens.expiresAt === null) return false
    const lifetime = tokens.expiresAt - tokens.obtainedAt
    const leeway = Math.min(REFRESH_LEEWAY_MS, Math.max(0, lifetime / 2))
    return this.now() >= tokens.expiresAt - leeway
  }

  private async refresh(
    provider: SignInProvider,
    declaration: ProviderDeclaration,
    tokens: TokenSet,
  ): Promise<string> {
    const oauth = declaration.oauth
    if (!oauth) throw new SignInNeededError(`${provider.name} declares no sign-in`)
    if (!tokens.refreshToken) {
      this.markRefused(provider.id)
      throw new SignInNeededError(
        `${provider.name}'s access token has expired and the service gave no refresh token: sign in again`,
      )
    }
    const client = await this.client(provider.id, declaration, oauth)
    let fresh: TokenSet
    try {
      fresh = await refreshTokens(oauth.tokenUrl, client, tokens.refreshToken, this.now)
    } catch (error) {
      if (error instanceof TokenEndpointError && error.refused) {
        this.markRefused(provider.id)
        this.options.logger.warn(`the service refused the sign-in: ${error.message}`, {
          provider: provider.name,
        })
        throw new SignInNeededError(
          `${provider.name} refused the sign-in (${error.message}): sign in again (Sign in in the provider's settings, or skwirl auth "${provider.name}")`,
        )
      }
      throw error
    }
    await this.store(provider.id, fresh)
    this.options.logger.info(
      `renewed the access token${fresh.expiresAt ? `; it expires at ${new Date(fresh.expiresAt).toISOString()}` : ''}`,
      { provider: provider.name },
    )
    return fresh.accessToken
  }

  private async client(
    providerId: string,
    declaration: ProviderDeclaration,
    oauth: OAuthDeclaration,
  ): Promise<ClientCredentials> {
    const clientId = await this.options.settings.resolve(providerId, declaration, oauth.clientId)
    if (!clientId) throw new SignInNeededError(`the OAuth client ID is not set`)
    const clientSecret = oauth.clientSecret
      ? await this.options.settings.resolve(providerId, declaration, oauth.clientSecret)
      : null
    return { clientId, clientSecret: clientSecret || null }
  }

  /** A setting the sign-in needs that is not set yet, in words; null when it can start. */
  private async blocker(
    providerId: string,
    declaration: ProviderDeclaration,
    oauth: OAuthDeclaration,
  ): Promise<string | null> {
    const missing: string[] = []
    for (const value of [oauth.clientId, oauth.clientSecret]) {
      if (!value || 'value' in value) continue
      const setting = declaration.settings.find((s) => s.key === value.setting)
      // A client secret that is not required may stay empty: the sign-in then uses PKCE alone.
      if (value === oauth.clientSecret && !setting?.required) continue
      const isSet = setting?.secret
        ? this.options.secrets.has(settingSecretName(providerId, value.setting))
        : (await this.options.settings.resolve(providerId, declaration, value)) !== null
      if (!isSet) missing.push(setting?.label ?? value.setting)
    }
    return missing.length > 0
      ? `Set ${missing.map((m) => `“${m}”`).join(' and ')} before signing in.`
      : null
  }

  private async tokens(providerId: string): Promise<TokenSet | null> {
    const text = await this.options.secrets.get(tokenSecretName(providerId))
    if (text === null) return null
    try {
      return JSON.parse(text) as TokenSet
    } catch {
      return null
    }
  }

  private async store(providerId: string, tokens: TokenSet): Promise<void> {
    await this.options.secrets.set(tokenSecretName(providerId), JSON.stringify(tokens), providerId)
  }

  private row(providerId: string): SignInRow | undefined {
    return this.options.db
      .prepare('SELECT status, signed_in_at FROM sign_ins WHERE provider_id = ?')
      .get(providerId) as SignInRow | undefined
  }

  private markSignedIn(providerId: string): void {
    const now = new Date(this.now()).toISOString()
    this.options.db
      .prepare(
        `INSERT INTO sign_ins (provider_id, status, signed_in_at, updated_at)
         SELECT ?, 'signed-in', ?, ? WHERE EXISTS (SELECT 1 FROM providers WHERE id = ?)
         ON CONFLICT (provider_id) DO UPDATE SET status = 'signed-in', signed_in_at = excluded.signed_in_at, updated_at = excluded.updated_at`,
      )
      .run(providerId, now, now, providerId)
  }

  private markRefused(providerId: string): void {
    this.options.db
      .prepare("UPDATE sign_ins SET status = 'refused', updated_at = ? WHERE provider_id = ?")
      .run(new Date(this.now()).toISOString(), providerId)
    this.options.onChange?.(providerId)
  }

  private settle(
    provider: SignInProvider,
    flow: PendingAuthorization,
    ok: boolean,
    message: string | null,
  ): void {
    if (this.pending.get(provider.id) === flow) this.pending.delete(provider.id)
    this.options.onChange?.(provider.id)
    this.options.onFinished?.(provider.id, ok, message)
  }
}
