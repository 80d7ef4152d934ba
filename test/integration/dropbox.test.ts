// The shipped Dropbox provider (resources/providers/dropbox.lua), run through the real core and
// runner against the local Dropbox double: Skwirl's own sign-in (the app key and secret as
// settings, OAuth with PKCE, the access token added and renewed by main), cursor paging, downloads
// by id with "HTTP header safe" JSON, and Dropbox's failures.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunOutcome } from '../../src/main/core/run-manager'
import type { Provider } from '../../src/shared/api'
import {
  contentOf,
  DEFAULT_APP,
  makeFiles,
  startDropboxDouble,
  type DropboxDouble,
  type DropboxFaults,
  type DropboxFile,
} from '../dropbox-double/server'
import { completeInBrowser } from '../oauth-double/server'
import { RESOURCES_DIR, startTestCore, type TestCore } from '../support/fixtures'

const PAGE_SIZE = 4

let core: TestCore
const doubles: DropboxDouble[] = []

beforeAll(() => {
  core = startTestCore({ cpuMs: 5000, watchdogMs: 10_000 })
})

afterEach(async () => {
  await Promise.all(doubles.splice(0).map((d) => d.close()))
})

afterAll(async () => {
  await core.dispose()
})

/**
 * The shipped provider pointed at the double (its fixed redirect port left out: tests run side
 * by side, so the listener takes a free port).
 */
function dropboxCodeFor(double: DropboxDouble): string {
  const code = readFileSync(join(RESOURCES_DIR, 'providers', 'dropbox.lua'), 'utf8')
  const replaced = code
    .replaceAll('https://www.dropbox.com/oauth2/authorize', `${double.url}/oauth2/authorize`)
    .replaceAll('https://api.dropboxapi.com', double.url)
    .replaceAll('https://content.dropboxapi.com', double.url)
    .replace(/\n\s*redirect_port = \d+,/, '')
    .replace('local PAGE_SIZE = 2000', `local PAGE_SIZE = ${PAGE_SIZE}`)
  expect(replaced).not.toContain('dropboxapi.com')
  expect(replaced).not.toContain('dropbox.com/oauth2')
  expect(replaced).not.toContain('redirect_port')
  expect(replaced).toContain(`local PAGE_SIZE = ${PAGE_SIZE}`)
  return replaced
}

async function double(files: DropboxFile[], faults: DropboxFaults = {}): Promise<DropboxDouble> {
  const started = await startDropboxDouble({ files, faults })
  doubles.push(started)
  return started
}

let providerNumber = 0

/** A stored Dropbox provider with the double's app key and secret, signed in as a person would. */
async function signedIn(target: DropboxDouble): Promise<Provider> {
  const provider = core.providers.create({
    name: `Dropbox ${++providerNumber}`,
    code: dropboxCodeFor(target),
  })
  const declaration = await core.providerSettings.declared(provider)
  await core.providerSettings.update(provider.id, declaration, {
    app_key: target.app.appKey,
    app_secret: target.app.appSecret,
  })
  const { url, done } = await core.signIns.start(provider, declaration)
  const page = await completeInBrowser(url)
  expect(page.status).toBe(200)
  await done
  target.requests.length = 0
  return provider
}

/** Runs a signed-in provider (a new one unless one is given to continue with). */
async function runDropbox(
  target: DropboxDouble,
  given?: Provider,
): Promise<{ provider: Provider; done: Promise<RunOutcome> }> {
  const provider = given ?? (await signedIn(target))
  return { provider, done: core.runs.start(provider).done }
}

function logOf(runId: string): string[] {
  return core
    .readLog()
    .split('\n')
    .filter((line) => line.includes(`[run=${runId} `))
}

const paths = (target: DropboxDouble): string[] => target.requests.map((r) => r.path)
const sizeOf = (files: DropboxFile[]): number => files.reduce((sum, f) => sum + f.size, 0)

describe('the Dropbox provider', () => {
  it('lists every file page by page, takes metadata from the listing and downloads each by id', async () => {
    const files = makeFiles(13)
    const target = await double(files)
    const { provider, done } = await runDropbox(target)
    const outcome = await done

    expect(outcome.errors).toEqual([])
    expect(outcome).toMatchObject({
      status: 'completed',
      listed: 13,
      downloaded: 13,
      failed: 0,
      bytes: sizeOf(files),
    })
    // Folders are listed too: 13 files and 4 folders make 17 entries, 5 pages of 4.
    // The sign-in's access token serves the whole run: no token request.
    expect(paths(target)).toEqual([
      '/2/files/list_folder',
      ...Array(4).fill('/2/files/list_folder/continue'),
      ...Array(13).fill('/2/files/download'),
    ])
    const token = target.tokens[0]
    expect(target.requests.every((r) => r.authorization === `Bearer ${token}`)).toBe(true)
    expect(target.requests[0]?.args).toEqual({ path: '', recursive: true, limit: PAGE_SIZE })
    const downloaded = target.requests.slice(-13).map((r) => (r.args as { path: string }).path)
    expect(downloaded.sort()).toEqual(files.map((f) => f.id).sort())

    // The listing's facts are kept in skwirl.storage; the token is not (main keeps it encrypted).
    const last = JSON.parse(core.storage.get(provider.id, 'last_listing') ?? 'null') as {
      files: number
    }
    expect(last.files).toBe(13)
    expect(core.storage.get(provider.id, 'access_token')).toBeNull()
  })

  it('hands Skwirl the size from the listing, which the download is checked against', async () => {
    const files = makeFiles(4)
    const changed = files[3] as DropboxFile
    const listedSize = changed.size
    // The file changed on Dropbox after the listing: its bytes no longer match the metadata.
    const target = await double(files, { grewAfterListing: { [changed.id]: 10 } })
    const outcome = await (await runDropbox(target)).done
    expect(outcome).toMatchObject({ status: 'completed', downloaded: 3, failed: 1 })
    expect(outcome.errors).toEqual([
      {
        fileId: changed.id,
        stage: 'download',
        message: expect.stringMatching(
          new RegExp(
            `the server announced ${listedSize + 10} bytes but the metadata says ${listedSize}; not downloaded$`,
          ),
        ),
      },
    ])
  })

  it('uses the stored token on the next run, and main renews it when Dropbox says it expired', async () => {
    const files = makeFiles(5)
    const target = await double(files)
    const first = await runDropbox(target)
    expect((await first.done).status).toBe('completed')
    expect(target.tokens).toHaveLength(1)

    const second = await runDropbox(target, first.provider)
    const secondOutcome = await second.done
    expect(secondOutcome.status).toBe('completed')
    expect(target.tokens).toHaveLength(1)
    expect(
      logOf(secondOutcome.runId).some((l) => /listed 5 files \(the run of \S+Z listed 5\)/.test(l)),
    ).toBe(true)

    target.expireTokens()
    target.requests.length = 0
    const third = await runDropbox(target, first.provider)
    const thirdOutcome = await third.done
    expect(thirdOutcome).toMatchObject({ status: 'completed', downloaded: 5 })
    expect(target.tokens).toHaveLength(2)
    // The 401 renews the token in main, and the same call goes again.
    expect(paths(target).slice(0, 3)).toEqual([
      '/2/files/list_folder',
      '/oauth2/token',
      '/2/files/list_folder',
    ])
    expect(target.requests[0]?.status).toBe(401)
    expect(logOf(thirdOutcome.runId).some((l) => l.includes('renewed the access token'))).toBe(
      false,
    )
    expect(core.readLog()).toContain('renewed the access token; it expires at')
    // The log never shows a token or the app secret.
    for (const token of target.tokens) expect(core.readLog()).not.toContain(token)
    expect(core.readLog()).not.toContain(DEFAULT_APP.appSecret)
    expect(core.readLog()).not.toContain(DEFAULT_APP.refreshToken)
  })

  it('renews a token that is about to expire before using it', async () => {
    const target = await double(makeFiles(2))
    // The sign-in's token lives 1 s, so Skwirl renews it once less than half of that is left.
    target.tokenLifetime = 1
    const provider = await signedIn(target)
    const signedInAt = Date.now()
    target.tokenLifetime = 14_400
    // The clock is what this is about: let the token come within its renewal margin.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, signedInAt + 600 - Date.now())))
    const outcome = await core.runs.start(provider).done
    expect(outcome.status).toBe('completed')
    expect(paths(target)[0]).toBe('/oauth2/token')
    expect(target.requests.some((r) => r.status === 401)).toBe(false)
  })

  it('a refused refresh token fails the run with "sign in again" and Dropbox’s reason', async () => {
    const target = await double(makeFiles(2))
    const first = await runDropbox(target)
    expect((await first.done).status).toBe('completed')
    const { provider } = first
    target.expireTokens()
    target.app = { ...target.app, refreshToken: 'rotated' }
    const outcome = await core.runs.start(provider).done
    expect(outcome).toMatchObject({ status: 'failed', reason: 'sign-in' })
    expect(outcome.errors).toEqual([
      {
        fileId: null,
        stage: 'list',
        message: expect.stringMatching(
          /^Dropbox \d+ refused the sign-in \(the token URL \(http:\/\/127\.0\.0\.1:\d+\/oauth2\/token\) answered HTTP 400: invalid_grant \(refresh token is invalid or revoked\)\): sign in again/,
        ),
      },
    ])
    expect(core.signIns.status(provider.id, true)).toBe('needed')
  })

  it('starts the listing over once when Dropbox resets the cursor', async () => {
    const files = makeFiles(9)
    const target = await double(files, { resetCursorsBefore: 2 })
    const outcome = await (await runDropbox(target)).done
    expect(outcome.errors).toEqual([])
    expect(outcome).toMatchObject({ status: 'completed', listed: 9, downloaded: 9 })
    const listing = paths(target).filter((p) => p.startsWith('/2/files/list_folder'))
    expect(listing.slice(0, 3)).toEqual([
      '/2/files/list_folder',
      '/2/files/list_folder/continue',
      '/2/files/list_folder',
    ])
    expect(target.requests.find((r) => r.status === 409)?.path).toBe(
      '/2/files/list_folder/continue',
    )
    const lines = logOf(outcome.runId)
    expect(lines.some((l) => l.includes('Dropbox reset the listing cursor'))).toBe(true)
    expect(lines.some((l) => l.includes('duplicate id(s)'))).toBe(true)
  })

  it('a rate limit fails the run with how long Dropbox asks to wait', async () => {
    const target = await double(makeFiles(9), {
      status: { '/2/files/list_folder/continue': { status: 429, times: 1, retryAfter: 30 } },
    })
    const outcome = await (await runDropbox(target)).done
    expect(outcome.status).toBe('failed')
    expect(outcome.errors[0]?.message).toMatch(
      /^Dropbox \d+:\d+: in list_file_ids \(line \d+\): Dropbox is limiting requests; it asks to wait 30 s \(files\/list_folder\/continue\)$/,
    )
  })

  it('skips files Dropbox cannot export, and a file gone before its download fails alone', async () => {
    const files = makeFiles(6)
    ;(files[2] as DropboxFile).is_downloadable = false
    const gone = files[4] as DropboxFile
    const target = await double(files, { deletedAfterListing: [gone.id] })
    const outcome = await (await runDropbox(target)).done
    expect(outcome).toMatchObject({ status: 'completed', listed: 5, downloaded: 4, failed: 1 })
    expect(outcome.errors).toEqual([
      {
        fileId: gone.id,
        stage: 'download',
        message: expect.stringMatching(
          /^Dropbox \d+:\d+: in download_file: HTTP 409: path\/not_found\/\.\.$/,
        ),
      },
    ])
  })
})

describe('the Dropbox provider into a destination', () => {
  it('keeps each file at its Dropbox path, and a second run downloads nothing', async () => {
    const files = makeFiles(10)
    const target = await double(files)
    const dir = mkdtempSync(join(tmpdir(), 'skwirl-dropbox-dest-'))
    try {
      const provider = await signedIn(target)
      const first = await core.runs.start(provider, { destination: dir }).done
      expect(first).toMatchObject({ status: 'completed', downloaded: 10, failed: 0 })
      for (const file of files) {
        // path_display ("/Photos/Été 2024/Résumé 0003.bin") is the place in the folder.
        const path = join(dir, ...file.path.split('/').filter(Boolean))
        expect(readFileSync(path).equals(contentOf(file)), file.path).toBe(true)
        expect(statSync(path).mtime.toISOString()).toBe(
          new Date(file.client_modified).toISOString(),
        )
      }
      // Dropbox's content_hash is not an MD5: the size is checked, the hash compared as text.
      const downloads = () => target.requests.filter((r) => r.path.endsWith('/files/download'))
      const before = downloads().length
      const second = await core.runs.start(provider, { destination: dir }).done
      expect(second).toMatchObject({ status: 'completed', downloaded: 0, unchanged: 10 })
      expect(downloads()).toHaveLength(before)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
