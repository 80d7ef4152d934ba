// The shipped Dropbox provider (resources/providers/dropbox.lua), run through the real core and
// runner against the local Dropbox double: OAuth refresh with the token kept in skwirl.storage,
// cursor paging, downloads by id with "HTTP header safe" JSON, and Dropbox's failures.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunOutcome } from '../../src/main/core/run-manager'
import {
  DEFAULT_APP,
  makeFiles,
  startDropboxDouble,
  type DropboxDouble,
  type DropboxFaults,
  type DropboxFile,
} from '../dropbox-double/server'
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

/** The shipped provider pointed at the double, with the double's app credentials. */
function dropboxCodeFor(double: DropboxDouble): string {
  const code = readFileSync(join(RESOURCES_DIR, 'providers', 'dropbox.lua'), 'utf8')
  const replaced = code
    .replaceAll('https://api.dropboxapi.com', double.url)
    .replaceAll('https://content.dropboxapi.com', double.url)
    .replace('"your_app_key"', JSON.stringify(double.app.appKey))
    .replace('"your_app_secret"', JSON.stringify(double.app.appSecret))
    .replace('"your_refresh_token"', JSON.stringify(double.app.refreshToken))
    .replace('local PAGE_SIZE = 2000', `local PAGE_SIZE = ${PAGE_SIZE}`)
  expect(replaced).not.toContain('dropboxapi.com')
  expect(replaced).toContain(`local PAGE_SIZE = ${PAGE_SIZE}`)
  return replaced
}

async function double(files: DropboxFile[], faults: DropboxFaults = {}): Promise<DropboxDouble> {
  const started = await startDropboxDouble({ files, faults })
  doubles.push(started)
  return started
}

let providerNumber = 0

/** A fresh provider id (its own storage) unless one is given to continue from. */
function runDropbox(
  target: DropboxDouble,
  id = `dropbox-${++providerNumber}`,
): {
  id: string
  done: Promise<RunOutcome>
} {
  const { done } = core.runs.start({ id, name: 'Dropbox', code: dropboxCodeFor(target) })
  return { id, done }
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
    const { id, done } = runDropbox(target)
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
    expect(paths(target)).toEqual([
      '/oauth2/token',
      '/2/files/list_folder',
      ...Array(4).fill('/2/files/list_folder/continue'),
      ...Array(13).fill('/2/files/download'),
    ])
    const token = target.tokens[0]
    expect(target.requests.slice(1).every((r) => r.authorization === `Bearer ${token}`)).toBe(true)
    expect(target.requests[1]?.args).toEqual({ path: '', recursive: true, limit: PAGE_SIZE })
    const downloaded = target.requests.slice(-13).map((r) => (r.args as { path: string }).path)
    expect(downloaded.sort()).toEqual(files.map((f) => f.id).sort())

    // The token and the listing's facts are kept in skwirl.storage, in main's database.
    const saved = JSON.parse(core.storage.get(id, 'access_token') ?? 'null') as {
      token: string
      expires_at: number
    }
    expect(saved.token).toBe(token)
    expect(saved.expires_at).toBeGreaterThan(Date.now() / 1000 + 14_000)
    const last = JSON.parse(core.storage.get(id, 'last_listing') ?? 'null') as { files: number }
    expect(last.files).toBe(13)
    expect(
      logOf(outcome.runId).some((l) => l.includes('renewed the access token; it expires at')),
    ).toBe(true)
  })

  it('hands Skwirl the size from the listing, which the download is checked against', async () => {
    const files = makeFiles(4)
    const changed = files[3] as DropboxFile
    const listedSize = changed.size
    // The file changed on Dropbox after the listing: its bytes no longer match the metadata.
    const target = await double(files, { grewAfterListing: { [changed.id]: 10 } })
    const outcome = await runDropbox(target).done
    expect(outcome).toMatchObject({ status: 'completed', downloaded: 3, failed: 1 })
    expect(outcome.errors).toEqual([
      {
        fileId: changed.id,
        stage: 'download',
        message: expect.stringMatching(
          new RegExp(
            `download ended after ${listedSize + 10} bytes but the metadata says ${listedSize}$`,
          ),
        ),
      },
    ])
  })

  it('uses the stored token on the next run, and renews it when Dropbox says it expired', async () => {
    const files = makeFiles(5)
    const target = await double(files)
    const first = runDropbox(target)
    expect((await first.done).status).toBe('completed')
    expect(target.tokens).toHaveLength(1)

    const second = runDropbox(target, first.id)
    const secondOutcome = await second.done
    expect(secondOutcome.status).toBe('completed')
    expect(target.tokens).toHaveLength(1)
    expect(
      logOf(secondOutcome.runId).some((l) => /listed 5 files \(the run of \S+Z listed 5\)/.test(l)),
    ).toBe(true)

    target.expireTokens()
    target.requests.length = 0
    const third = runDropbox(target, first.id)
    const thirdOutcome = await third.done
    expect(thirdOutcome).toMatchObject({ status: 'completed', downloaded: 5 })
    expect(target.tokens).toHaveLength(2)
    expect(paths(target).slice(0, 3)).toEqual([
      '/2/files/list_folder',
      '/oauth2/token',
      '/2/files/list_folder',
    ])
    expect(target.requests[0]?.status).toBe(401)
    const warned = logOf(thirdOutcome.runId).find((l) =>
      l.includes('Dropbox refused the access token'),
    )
    expect(warned).toContain('[warn]')
    expect(warned).toContain('HTTP 401: expired_access_token/..')
    // The log never shows a token.
    expect(core.readLog()).not.toContain(target.tokens[0])
    expect(core.readLog()).not.toContain(DEFAULT_APP.appSecret)
  })

  it('renews a stored token that is about to expire without trying it first', async () => {
    const target = await double(makeFiles(2))
    const id = `dropbox-${++providerNumber}`
    core.storage.set(id, 'access_token', JSON.stringify({ token: 'sl.old', expires_at: 0 }))
    const outcome = await runDropbox(target, id).done
    expect(outcome.status).toBe('completed')
    expect(paths(target)[0]).toBe('/oauth2/token')
    expect(target.requests.some((r) => r.authorization === 'Bearer sl.old')).toBe(false)
  })

  it('a refused refresh token fails the run with Dropbox’s reason, where it happened', async () => {
    const target = await double(makeFiles(2))
    const code = dropboxCodeFor(target)
    target.app = { ...target.app, refreshToken: 'rotated' }
    const outcome = await core.runs.start({ id: 'revoked', name: 'Dropbox', code }).done
    expect(outcome.status).toBe('failed')
    expect(outcome.errors).toEqual([
      {
        fileId: null,
        stage: 'list',
        message: expect.stringMatching(
          /^Dropbox:\d+: in list_file_ids \(line \d+\): Dropbox refused the refresh token: refresh token is invalid or revoked$/,
        ),
      },
    ])
  })

  it('starts the listing over once when Dropbox resets the cursor', async () => {
    const files = makeFiles(9)
    const target = await double(files, { resetCursorsBefore: 2 })
    const outcome = await runDropbox(target).done
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
    const outcome = await runDropbox(target).done
    expect(outcome.status).toBe('failed')
    expect(outcome.errors[0]?.message).toMatch(
      /^Dropbox:\d+: in list_file_ids \(line \d+\): Dropbox is limiting requests; it asks to wait 30 s \(files\/list_folder\/continue\)$/,
    )
  })

  it('skips files Dropbox cannot export, and a file gone before its download fails alone', async () => {
    const files = makeFiles(6)
    ;(files[2] as DropboxFile).is_downloadable = false
    const gone = files[4] as DropboxFile
    const target = await double(files, { deletedAfterListing: [gone.id] })
    const outcome = await runDropbox(target).done
    expect(outcome).toMatchObject({ status: 'completed', listed: 5, downloaded: 4, failed: 1 })
    expect(outcome.errors).toEqual([
      {
        fileId: gone.id,
        stage: 'download',
        message: expect.stringMatching(
          /^Dropbox:\d+: in download_file \(line \d+\): HTTP 409: path\/not_found\/\.\.$/,
        ),
      },
    ])
  })
})
