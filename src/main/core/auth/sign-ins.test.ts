// SignIns against the OAuth double with a clock the test moves: refresh before expiry, once on
// a rejected token, one refresh for many concurrent callers, and a refused refresh.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  completeInBrowser,
  startOAuthDouble,
  TEST_CLIENT,
  type OAuthDouble,
} from '../../../../test/oauth-double/server'
import { startTestCore, type TestCore } from '../../../../test/support/fixtures'
import type { ProviderDeclaration } from '../../../shared/provider-declaration'
import { SignInNeededError, SignIns } from '.'

let oauth: OAuthDouble
let core: TestCore
let clock = Date.parse('2026-01-01T00:00:00Z')
let signIns: SignIns
let declaration: ProviderDeclaration
const provider = { id: '', name: 'Clocked' }

beforeAll(async () => {
  oauth = await startOAuthDouble({ accessTokenSeconds: 3600 })
  core = startTestCore()
  const created = core.providers.create({
    name: 'Clocked',
    code: `skwirl.declare {
  settings = { { key = "client_id", label = "Client ID" }, { key = "secret", label = "Secret", secret = true } },
  oauth = { authorization_url = "${oauth.authorizationUrl}", token_url = "${oauth.tokenUrl}",
    revocation_url = "${oauth.revocationUrl}", scopes = { "files.read" },
    client_id = { setting = "client_id" }, client_secret = { setting = "secret" } },
}`,
  })
  provider.id = created.id
  declaration = await core.providerSettings.declared(created)
  await core.providerSettings.update(created.id, declaration, {
    client_id: TEST_CLIENT.clientId,
    secret: TEST_CLIENT.clientSecret,
  })
  signIns = new SignIns({
    db: core.db,
    secrets: core.secrets,
    settings: core.providerSettings,
    logger: core.logger,
    now: () => clock,
  })
  const { url, done } = await signIns.start(provider, declaration)
  await completeInBrowser(url)
  await done
})

afterAll(async () => {
  await core.dispose()
  await oauth.close()
})

describe('the access token', () => {
  it('is reused while fresh and refreshed a minute before it expires', async () => {
    const first = await signIns.accessToken(provider, declaration)
    expect(await signIns.accessToken(provider, declaration)).toBe(first)
    expect(oauth.grants.refresh_token).toBe(0)
    clock += 3600_000 - 61_000
    expect(await signIns.accessToken(provider, declaration)).toBe(first)
    clock += 2_000
    const second = await signIns.accessToken(provider, declaration)
    expect(second).not.toBe(first)
    expect(oauth.grants.refresh_token).toBe(1)
    expect(oauth.useAccessToken(second)).toBe(true)
  })

  it('is refreshed once for many callers at the same moment, and once per rejected token', async () => {
    const before = oauth.grants.refresh_token
    const current = await signIns.accessToken(provider, declaration)
    const renewed = await Promise.all(
      Array.from({ length: 8 }, () => signIns.accessToken(provider, declaration, current)),
    )
    expect(new Set(renewed).size).toBe(1)
    expect(renewed[0]).not.toBe(current)
    expect(oauth.grants.refresh_token - before).toBe(1)
    // A caller that still holds the old, rejected token gets the new one without a refresh.
    expect(await signIns.accessToken(provider, declaration, current)).toBe(renewed[0])
    expect(oauth.grants.refresh_token - before).toBe(1)
  })

  it('fails with "sign in again" once the refresh token is refused, and the state says so', async () => {
    oauth.revokeAll()
    const current = await signIns.accessToken(provider, declaration)
    await expect(signIns.accessToken(provider, declaration, current)).rejects.toThrow(
      SignInNeededError,
    )
    await expect(signIns.accessToken(provider, declaration)).rejects.toThrow(/sign in again/)
    expect(signIns.status(provider.id, true)).toBe('needed')
    expect(await signIns.state(provider, declaration)).toMatchObject({
      status: 'needed',
      reason: 'refused',
    })
  })

  it('is forgotten on sign-out, which revokes the refresh token at the service', async () => {
    const { url, done } = await signIns.start(provider, declaration)
    await completeInBrowser(url)
    await done
    expect(signIns.status(provider.id, true)).toBe('signed-in')
    const refresh = oauth.refreshTokens().at(-1) as string
    await signIns.signOut(provider, declaration)
    expect(core.secrets.has(`oauth/${provider.id}`)).toBe(false)
    expect(await signIns.state(provider, declaration)).toMatchObject({
      status: 'needed',
      reason: 'not-signed-in',
    })
    // Revoked at the double: its refresh grant is refused now.
    const refused = await fetch(oauth.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refresh,
        client_id: TEST_CLIENT.clientId,
        client_secret: TEST_CLIENT.clientSecret as string,
      }),
    })
    expect(refused.status).toBe(400)
  })
})
