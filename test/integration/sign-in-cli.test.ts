// Sign-in as a user does it from a terminal: the shipped Google Drive provider (pointed at the
// Drive double and the OAuth double), `skwirl provider set`, `skwirl auth` (the test plays the
// browser), `skwirl run`. Real CLI processes, real loopback listener, real token endpoint.
import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { makeFiles, startDriveDouble, type DriveDouble } from '../drive-double/server'
import {
  completeInBrowser,
  startOAuthDouble,
  TEST_CLIENT,
  type OAuthDouble,
} from '../oauth-double/server'
import {
  FAST_HTTP_ENV,
  makeDataDir,
  REPO_ROOT,
  shippedGoogleDriveCodeFor,
  TEST_ENV,
} from '../support/fixtures'

const BIN = join(REPO_ROOT, 'bin', 'skwirl.cjs')
const FILES = 6

interface Finished {
  code: number | null
  stdout: string
  stderr: string
}

let data: { dir: string; remove: () => void }
let oauth: OAuthDouble
let drive: DriveDouble
const children = new Set<ChildProcess>()

beforeAll(async () => {
  data = makeDataDir()
  oauth = await startOAuthDouble()
  drive = await startDriveDouble({
    files: makeFiles(FILES),
    acceptToken: (token) => oauth.useAccessToken(token),
  })
})

afterEach(() => {
  for (const child of children) child.kill('SIGKILL')
  children.clear()
})

afterAll(async () => {
  await Promise.all([oauth.close(), drive.close()])
  data.remove()
})

/** `skwirl …` in its own process; onStdoutLine sees each line as it comes. */
function skwirl(
  args: string[],
  options: { input?: string; onStdoutLine?: (line: string) => void } = {},
): Promise<Finished> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('SKWIRL_')),
  )
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...base, ...TEST_ENV, ...FAST_HTTP_ENV, SKWIRL_DATA_DIR: data.dir },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  children.add(child)
  let stdout = ''
  let stderr = ''
  let pending = ''
  child.stdout.setEncoding('utf8')
  child.stderr.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk
    pending += chunk
    let end: number
    while ((end = pending.indexOf('\n')) >= 0) {
      options.onStdoutLine?.(pending.slice(0, end))
      pending = pending.slice(end + 1)
    }
  })
  child.stderr.on('data', (chunk: string) => (stderr += chunk))
  child.stdin.end(options.input ?? '')
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      children.delete(child)
      resolve({ code, stdout, stderr })
    })
  })
}

/** `skwirl auth`, with the test as the browser: `browse` gets the URL the CLI printed. */
async function signIn(
  browse: (url: string) => Promise<unknown> = (url) => completeInBrowser(url),
): Promise<Finished> {
  let browsing: Promise<unknown> = Promise.resolve()
  const finished = await skwirl(['auth', 'Google Drive'], {
    onStdoutLine: (line) => {
      if (line.startsWith('http')) browsing = browse(line)
    },
  })
  await browsing
  return finished
}

interface Report {
  status: string
  listed: number
  downloaded: number
  failed: number
  errors: Array<{ fileId: string | null; stage: string; message: string }>
}

async function runDrive(): Promise<{ finished: Finished; report: Report }> {
  const finished = await skwirl(['run', 'Google Drive', '--json'])
  return { finished, report: JSON.parse(finished.stdout) as Report }
}

/** Every file under the data directory, as bytes (the database, its WAL, the log, the key). */
function everyFileUnder(dir: string): Buffer[] {
  const out: Buffer[] = []
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name)
    if (statSync(path).isFile()) out.push(readFileSync(path))
  }
  return out
}

describe('signing the shipped Google Drive provider in from the CLI', () => {
  it('sets its settings, signs in, backs up, refreshes an expired token mid-run, and fails with "sign in again" once revoked', async () => {
    const lua = join(data.dir, 'google-drive.lua')
    writeFileSync(lua, shippedGoogleDriveCodeFor(drive.url, oauth))
    // The seeded Google Drive is replaced by the one pointed at the doubles.
    expect((await skwirl(['provider', 'remove', 'Google Drive'])).code).toBe(0)
    expect((await skwirl(['provider', 'add', 'Google Drive', lua])).code).toBe(0)

    const before = await skwirl(['auth', 'Google Drive'])
    expect(before.code).toBe(1)
    expect(before.stderr).toBe(
      'skwirl: Set “OAuth client ID” and “OAuth client secret” before signing in.\n',
    )

    const set = await skwirl(
      [
        'provider',
        'set',
        'Google Drive',
        '--setting',
        `client_id=${TEST_CLIENT.clientId}`,
        '--setting-stdin',
        'client_secret',
      ],
      { input: `${TEST_CLIENT.clientSecret}\n` },
    )
    expect(set).toMatchObject({ code: 0, stdout: 'Google Drive: set client_id, client_secret.\n' })
    expect(set.stderr).toMatch(
      /^Secrets are encrypted \(AES-256-GCM\) with a key kept by a key file only you can read \(.*secret\.key\)\.\n$/,
    )

    const shown = await skwirl(['provider', 'settings', 'Google Drive', '--json'])
    const settings = JSON.parse(shown.stdout) as {
      settings: Array<{ key: string; isSet: boolean; value: string | null }>
      signIn: { status: string; reason: string | null }
      protection: { level: string }
    }
    expect(settings.settings.map((s) => [s.key, s.isSet, s.value])).toEqual([
      ['client_id', true, TEST_CLIENT.clientId],
      ['client_secret', true, null],
      // What to back up and how: their defaults until set.
      ['scope', false, null],
      ['export_format', false, null],
      ['abuse', false, null],
    ])
    expect(settings.signIn).toMatchObject({ status: 'needed', reason: 'not-signed-in' })
    expect(settings.protection.level).toBe('key-file')

    const auth = await signIn()
    expect(auth.code).toBe(0)
    const [url, done] = auth.stdout.split('\n')
    expect(done).toBe('Google Drive: signed in.')
    const asked = new URL(url as string)
    expect(Object.fromEntries(asked.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: TEST_CLIENT.clientId,
      scope: 'https://www.googleapis.com/auth/drive.readonly',
      access_type: 'offline',
      prompt: 'consent',
      code_challenge_method: 'S256',
    })
    expect(asked.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/)
    expect(oauth.grants.authorization_code).toBe(1)

    // Each access token works for 2 requests, then the double says it has expired: the run
    // lists and backs up 6 files (9 requests: My Drive's root, the shared drives, one listing, 6
    // downloads), so main must renew it on the 401s, mid-run.
    oauth.options.accessTokenUses = 2
    const refreshesBefore = oauth.grants.refresh_token
    const first = await runDrive()
    expect(first.report).toMatchObject({
      status: 'completed',
      listed: FILES,
      downloaded: FILES,
      failed: 0,
    })
    expect(first.finished.code).toBe(0)
    expect(oauth.grants.refresh_token - refreshesBefore).toBeGreaterThanOrEqual(3)
    // Every call carried a token the double issued; none was the seed's.
    expect(drive.requests.every((r) => /^Bearer ya29\./.test(r.authorization ?? ''))).toBe(true)

    oauth.revokeAll()
    oauth.expireAccessTokens()
    const refused = await runDrive()
    expect(refused.finished.code).toBe(1)
    expect(refused.report.status).toBe('failed')
    expect(refused.report.errors).toHaveLength(1)
    expect(refused.report.errors[0]?.message).toMatch(
      /^Google Drive refused the sign-in \(the token URL \(http:\/\/127\.0\.0\.1:\d+\/token\) answered HTTP 400: invalid_grant \(Token has been expired or revoked\.\)\): sign in again/,
    )
    const runs = JSON.parse((await skwirl(['runs', '--json', '--limit', '1'])).stdout) as Array<{
      status: string
      reason: string
    }>
    expect(runs[0]).toMatchObject({ status: 'failed', reason: 'sign-in' })
    const after = await skwirl(['provider', 'settings', 'Google Drive'])
    expect(after.stdout).toMatch(
      /^Sign-in: needed \(127\.0\.0\.1:\d+ refused the last sign-in\): skwirl auth "Google Drive"$/m,
    )

    // Signing in again brings it back.
    expect((await signIn()).code).toBe(0)
    const again = await runDrive()
    expect(again.report).toMatchObject({ status: 'completed', downloaded: FILES })

    // No secret anywhere: not in --json, not in any file under the data directory (the
    // database and its WAL, the log), not in an exported .lua.
    const secrets = [
      TEST_CLIENT.clientSecret as string,
      ...oauth.refreshTokens(),
      ...oauth.accessTokens(),
    ]
    const exported = await skwirl(['provider', 'export', 'Google Drive'])
    const texts = [first, refused, again].map((r) => r.finished.stdout + r.finished.stderr)
    for (const secret of secrets) {
      for (const text of [...texts, exported.stdout, after.stdout])
        expect(text).not.toContain(secret)
      for (const file of everyFileUnder(data.dir)) expect(file.includes(secret)).toBe(false)
    }
  })
})

describe('what the loopback listener refuses', () => {
  it('refuses a redirect with the wrong state (and keeps waiting), then a second redirect', async () => {
    let refusedPage = ''
    let secondPage: { status: number; text: string } | null = null
    const finished = await signIn(async (url) => {
      const forged = await completeInBrowser(url, (redirect) =>
        redirect.searchParams.set('state', 'forged'),
      )
      refusedPage = `${forged.status} ${forged.text}`
      const real = await completeInBrowser(url)
      expect(real.status).toBe(200)
      // The same redirect again, on the browser's open connection: already used.
      const again = await fetch(real.redirect).catch((error: Error) => error)
      secondPage =
        again instanceof Error
          ? { status: 0, text: again.message }
          : { status: again.status, text: await again.text() }
    })
    expect(finished.code).toBe(0)
    expect(refusedPage).toMatch(/^400 .*does not belong to the sign-in Skwirl is waiting for/s)
    expect(finished.stderr).toContain(
      'skwirl: a redirect came with the wrong state (not the sign-in Skwirl started); it was refused\n',
    )
    // Either the listener is gone (a new connection is refused) or it says the sign-in is done.
    expect(secondPage).not.toBeNull()
    const second = secondPage as unknown as { status: number; text: string }
    if (second.status !== 0) expect(second.text).toContain('a second redirect is refused')
    else expect(second.text).toMatch(/fetch failed/)
  })

  it('fails with the reason when the token endpoint refuses the code, or the person declines', async () => {
    oauth.tokenFaults.push({
      status: 401,
      body: { error: 'invalid_client', error_description: 'The OAuth client was not found.' },
      times: 1,
    })
    let page = ''
    const refused = await signIn(async (url) => {
      page = (await completeInBrowser(url)).text
    })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(
      /skwirl: Google Drive is not signed in: the code could not be traded for tokens: the token URL \(http:\/\/127\.0\.0\.1:\d+\/token\) answered HTTP 401: invalid_client \(The OAuth client was not found\.\)\n$/,
    )
    expect(page).toContain('The sign-in did not complete')

    oauth.options.deny = true
    try {
      const declined = await signIn()
      expect(declined.code).toBe(1)
      expect(declined.stderr).toMatch(
        /skwirl: Google Drive is not signed in: the sign-in was declined at 127\.0\.0\.1:\d+ \(access_denied\)\n$/,
      )
    } finally {
      oauth.options.deny = false
    }
  })
})
