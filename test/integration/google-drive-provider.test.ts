// The shipped Google Drive provider (resources/providers/google-drive.lua) against the Drive
// double, through the real core and runners, signed in with OAuth through the OAuth double as a
// person would: a nested drive with shared drives, Docs, shortcuts, forms, flagged files and what
// is shared with me; transient faults and a quota; every item where a complete backup puts it
// (the oracle in test/drive-double/tree.ts says where, written apart from the provider).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Provider, RunFile } from '../../src/shared/api'
import type { RunOutcome } from '../../src/main/core/run-manager'
import {
  FOLDER_MIME,
  GOOGLE_DOC_MIME,
  startDriveDouble,
  type DriveDouble,
  type DriveDoubleOptions,
  type DriveFile,
} from '../drive-double/server'
import {
  childrenQuery,
  DRIVES_FIELDS,
  LIST_FIELDS,
  SHARED_WITH_ME_QUERY,
} from '../drive-double/provider-requests'
import {
  DEFAULT_SETTINGS,
  expectedBackup,
  makeDrive,
  type BackupSettings,
  type Expected,
  type GeneratedDrive,
} from '../drive-double/tree'
import {
  completeInBrowser,
  startOAuthDouble,
  TEST_CLIENT,
  type OAuthDouble,
} from '../oauth-double/server'
import { shippedGoogleDriveCodeFor, startTestCore, type TestCore } from '../support/fixtures'

let core: TestCore
let oauth: OAuthDouble
const doubles: DriveDouble[] = []

beforeAll(async () => {
  // Drive's minute is scaled down 40× below (a quota window of 1.5 s): so are the retries' waits
  // (1–16 s → 25–400 ms, Retry-After up to 1.5 s), so that they bear on the window as they do.
  core = startTestCore({}, undefined, undefined, undefined, {
    httpTiming: { backoffBaseMs: 25, backoffMaxMs: 400, retryAfterMaxMs: 1500 },
  })
  oauth = await startOAuthDouble()
})

afterEach(async () => {
  await Promise.all(doubles.splice(0).map((double) => double.close()))
})

afterAll(async () => {
  await core.dispose()
  await oauth.close()
})

async function double(
  drive: GeneratedDrive,
  options: DriveDoubleOptions = {},
): Promise<DriveDouble> {
  const started = await startDriveDouble({
    files: drive.files,
    sharedDrives: drive.sharedDrives,
    // Only tokens the OAuth double issued (to the sign-in below) are good.
    acceptToken: (token) => oauth.useAccessToken(token),
    ...options,
  })
  doubles.push(started)
  return started
}

let providerNumber = 0

/**
 * The shipped provider pointed at the doubles, stored with its settings as the form sets them,
 * and signed in (the test plays the browser).
 */
async function signedIn(
  target: DriveDouble,
  settings: BackupSettings = DEFAULT_SETTINGS,
): Promise<Provider> {
  const provider = core.providers.create({
    name: `Google Drive ${++providerNumber}`,
    code: shippedGoogleDriveCodeFor(target.url, oauth),
  })
  const declaration = await core.providerSettings.declared(provider)
  await core.providerSettings.update(provider.id, declaration, {
    client_id: TEST_CLIENT.clientId,
    client_secret: TEST_CLIENT.clientSecret as string,
    scope: settings.scope,
    export_format: settings.exportFormat,
    abuse: settings.acknowledgeAbuse ? 'download' : 'skip',
  })
  const { url, done } = await core.signIns.start(provider, declaration)
  expect((await completeInBrowser(url)).status).toBe(200)
  await done
  target.requests.length = 0
  return provider
}

async function backUp(target: DriveDouble, settings?: BackupSettings): Promise<RunOutcome> {
  return core.runs.start(await signedIn(target, settings)).done
}

/** Every file the run recorded, in order. */
function recorded(runId: string): RunFile[] {
  const files: RunFile[] = []
  for (let offset = 0; ; offset += 500) {
    const page = core.runs.files({ runId, filter: 'all', offset, limit: 500 })
    if (!page || page.files.length === 0) return files
    files.push(...page.files)
  }
}

const SKIP_REASONS: Record<NonNullable<Expected['skip']>, RegExp> = {
  folder: /^a folder: its files are backed up inside it$/,
  shortcut: /^a shortcut to another item in Drive/,
  form: /^a Google Form: Drive cannot export forms/,
  site: /^a Google Site: Drive cannot export sites/,
  map: /^a Google My Maps map: Drive cannot export maps/,
  abuse: /malware or spam/,
  'export-too-large': /^too large for Google to export \(its limit is 10 MB\)$/,
  'download-disabled': /turned off downloading/,
}

/** The run recorded exactly what the oracle expects: each item, where, and how it ended. */
function expectBackup(outcome: RunOutcome, expected: Map<string, Expected>): RunFile[] {
  const files = recorded(outcome.runId)
  expect(files.map((f) => f.fileId).sort()).toEqual([...expected.keys()].sort())
  const wrong: string[] = []
  for (const file of files) {
    const want = expected.get(file.fileId) as Expected
    const problems: string[] = []
    if (file.path !== want.path) problems.push(`path ${file.path} ≠ ${want.path}`)
    if (file.outcome !== want.outcome) problems.push(`${file.outcome} ≠ ${want.outcome}`)
    if (want.skip && !SKIP_REASONS[want.skip].test(file.skipReason ?? '')) {
      problems.push(`reason "${file.skipReason}" for ${want.skip}`)
    }
    if (file.outcome === 'downloaded' && file.verified !== !want.exportAs) {
      problems.push(`verified ${String(file.verified)}`)
    }
    if (problems.length > 0) wrong.push(`${file.fileId}: ${problems.join('; ')}`)
  }
  expect(wrong.slice(0, 10)).toEqual([])
  const count = (outcome_: Expected['outcome']): number =>
    [...expected.values()].filter((e) => e.outcome === outcome_).length
  expect(outcome).toMatchObject({
    status: 'completed',
    listed: expected.size,
    downloaded: count('downloaded'),
    skipped: count('skipped'),
    failed: 0,
  })
  return files
}

describe('a whole drive', () => {
  it('backs up every file under its folder path through faults and a quota, Docs exported, the rest skipped with why (the figure, scaled down)', async () => {
    const drive = makeDrive({
      files: 1500,
      seed: 21,
      sharedWithMe: 8,
      abusiveEvery: 400,
      bigEvery: 500,
    })
    // Drive's 12,000 requests a minute, in a 1.5 s window; 2 % of requests fail as a busy Drive
    // fails (resets, 500s, 503s, 429s with Retry-After, 403 rate limits).
    const target = await double(drive, {
      quota: { requests: 300, windowMs: 1500 },
      faults: { transient: { rate: 0.02, seed: 5 } },
      shortPages: true,
    })
    const started = performance.now()
    const outcome = await backUp(target)
    const ms = performance.now() - started
    expect(outcome.errors).toEqual([])
    const expected = expectedBackup(drive)
    const files = expectBackup(outcome, expected)

    const injected = Object.values(target.injected).reduce((a, b) => a + b, 0)
    expect(injected).toBeGreaterThan(10)
    expect(target.injected.quota ?? 0).toBeGreaterThan(0)
    // Every injected fault was met with a retry, and nothing else was.
    expect(outcome.retries).toBe(injected)
    const docs = [...expected.values()].filter((e) => e.exportAs)
    expect(docs.length).toBeGreaterThan(40)
    expect(files.filter((f) => f.verified === false)).toHaveLength(docs.length)
    const perFile = target.requests.length / files.length
    console.log(
      `google drive, ${files.length} items (${drive.files.length} in the double): ${ms.toFixed(0)} ms, ${target.requests.length} requests (${perFile.toFixed(3)} a listed item), ${outcome.retries} retries, ${JSON.stringify(target.injected)}`,
    )
    // One request a downloaded file (plus its retries), a few for the listing.
    expect(target.requests.length - injected).toBeLessThan(outcome.downloaded + files.length / 20)
  })

  it('exports as PDF, and walks My Drive alone or also what is shared with me, as set', async () => {
    const drive = makeDrive({ files: 300, seed: 3, sharedWithMe: 6, abusiveEvery: 90 })
    const cases: BackupSettings[] = [
      { scope: 'my-drive', exportFormat: 'pdf', acknowledgeAbuse: false },
      { scope: 'shared-with-me', exportFormat: 'office', acknowledgeAbuse: true },
    ]
    for (const settings of cases) {
      const target = await double(drive)
      const outcome = await backUp(target, settings)
      expect(outcome.errors).toEqual([])
      const files = expectBackup(outcome, expectedBackup(drive, settings))
      if (settings.exportFormat === 'pdf') {
        const exports = target.requests.filter((r) => r.path.endsWith('/export'))
        expect(exports.length).toBeGreaterThan(5)
        expect(exports.every((r) => r.query.mimeType === 'application/pdf')).toBe(true)
        expect(files.some((f) => f.path?.startsWith('Shared drives/'))).toBe(false)
      } else {
        expect(files.some((f) => f.path?.startsWith('Shared with me/Shared project/'))).toBe(true)
        const media = target.requests.filter((r) => r.query.alt === 'media')
        expect(media.every((r) => r.query.acknowledgeAbuse === 'true')).toBe(true)
      }
    }
  })

  it('asks Drive exactly what the official client was held to', async () => {
    const drive = makeDrive({ files: 200, seed: 4, sharedWithMe: 4 })
    const target = await double(drive)
    await backUp(target, {
      scope: 'shared-with-me',
      exportFormat: 'office',
      acknowledgeAbuse: false,
    })
    const lists = target.requests.filter((r) => r.path === '/drive/v3/files')
    expect(lists.length).toBeGreaterThan(2)
    for (const list of lists) {
      const { pageToken: _token, q, ...rest } = list.query
      expect(rest).toEqual({
        corpora: q === SHARED_WITH_ME_QUERY ? 'user' : 'allDrives',
        includeItemsFromAllDrives: 'true',
        supportsAllDrives: 'true',
        pageSize: '1000',
        fields: LIST_FIELDS,
      })
      if (q !== SHARED_WITH_ME_QUERY) {
        const ids = [...(q ?? '').matchAll(/'([^']+)' in parents/g)].map((m) => m[1] as string)
        expect(q).toBe(childrenQuery(ids))
      }
    }
    const drives = target.requests.filter((r) => r.path === '/drive/v3/drives')
    expect(drives.map((r) => r.query.fields)).toEqual([DRIVES_FIELDS])
    expect(target.requests[0]).toMatchObject({
      path: '/drive/v3/files/root',
      query: { fields: 'id' },
    })
    const media = target.requests.filter((r) => r.query.alt === 'media')
    expect(media.every((r) => r.query.supportsAllDrives === 'true')).toBe(true)
    // No request per file for its metadata: the listing brought everything.
    const perFile = target.requests.filter(
      (r) => /^\/drive\/v3\/files\/[^/]+$/.test(r.path) && r.query.alt === undefined,
    )
    expect(perFile.map((r) => r.path)).toEqual(['/drive/v3/files/root'])
  })
})

describe('what a real Drive does to a listing', () => {
  it('lists a folder again when Drive lets its page token expire midway', async () => {
    const drive = makeDrive({ files: 2600, seed: 8, filesPerFolder: 2600, sharedDrives: 0 })
    const target = await double(drive, { faults: { expirePageToken: { page: 2, times: 1 } } })
    const outcome = await backUp(target)
    const runId = outcome.runId
    expectBackup(outcome, expectedBackup(drive))
    const log = core
      .readLog()
      .split('\n')
      .filter((l) => l.includes(`run=${runId}`))
    expect(log.some((l) => l.includes('[warn]') && l.includes('page token expire'))).toBe(true)
  })

  it('fails the run when a listing page still fails after its retries', async () => {
    const drive = makeDrive({ files: 50, seed: 2 })
    const target = await double(drive, {
      faults: { metadataStatus: { list: { status: 503, times: 20 } } },
    })
    const outcome = await backUp(target)
    expect(outcome).toMatchObject({ status: 'failed', downloaded: 0, retries: 4 })
    expect(outcome.errors).toEqual([
      {
        fileId: null,
        stage: 'list',
        message: expect.stringMatching(/: HTTP 503: Backend Error \(after 5 attempts\)$/),
      },
    ])
  })

  it('skips a Doc over the export limit, and a file Google flags, saying why', async () => {
    const T = '2026-01-01T00:00:00.000Z'
    const files: DriveFile[] = [
      {
        id: 'big-doc',
        name: 'Minutes',
        mimeType: GOOGLE_DOC_MIME,
        modifiedTime: T,
        exportSize: 11 * 1024 * 1024,
      },
      { id: 'doc', name: 'Plan', mimeType: GOOGLE_DOC_MIME, modifiedTime: T, exportSize: 3000 },
      {
        id: 'bad',
        name: 'bad.exe',
        mimeType: 'application/octet-stream',
        modifiedTime: T,
        abusive: true,
        content: new Uint8Array([1, 2, 3]),
      },
      { id: 'dir', name: 'Empty', mimeType: FOLDER_MIME, modifiedTime: T },
    ]
    const target = await double({ files, sharedDrives: [] })
    const outcome = await backUp(target)
    expect(outcome).toMatchObject({ status: 'completed', downloaded: 1, skipped: 3, failed: 0 })
    const byId = new Map(recorded(outcome.runId).map((f) => [f.fileId, f]))
    expect(byId.get('big-doc')).toMatchObject({
      outcome: 'skipped',
      path: 'My Drive/Minutes.docx',
      skipReason: 'too large for Google to export (its limit is 10 MB)',
    })
    expect(byId.get('doc')).toMatchObject({
      outcome: 'downloaded',
      path: 'My Drive/Plan.docx',
      verified: false,
      bytes: 3000,
    })
    expect(byId.get('bad')?.skipReason).toMatch(
      /^Google flags it as malware or spam; to back it up anyway, set/,
    )
    expect(byId.get('dir')).toMatchObject({ outcome: 'skipped', path: 'My Drive/Empty' })
  })
})
