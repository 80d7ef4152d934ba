// The Drive double as a backup client meets it: folder walks with `q`, shared drives and corpora,
// shortcuts, exports and their size limit, abuse flags, quotas and transient faults, expiring
// tokens and page tokens, short pages; and the generated drives the figures run on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  DEFAULT_TOKEN,
  EXPORT_LIMIT_BYTES,
  FOLDER_MIME,
  GOOGLE_DOC_MIME,
  GOOGLE_FORM_MIME,
  GOOGLE_SHEET_MIME,
  ROOT_FOLDER_ID,
  SHORTCUT_MIME,
  startDriveDouble,
  type DriveDouble,
  type DriveFile,
  type GoogleErrorBody,
} from './drive-double/server'
import { matches, parseQuery, QueryError, type QueryableFile } from './drive-double/query'
import { expectedBackup, makeDrive, segment } from './drive-double/tree'

const AUTH = { authorization: `Bearer ${DEFAULT_TOKEN}` }
const T = '2026-01-02T03:04:05.000Z'
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'

interface Answer {
  status: number
  headers: Headers
  text: string
  bytes: Buffer
}

async function call(
  double: DriveDouble,
  path: string,
  params: Record<string, string> = {},
  headers: Record<string, string> = AUTH,
): Promise<Answer> {
  const url = new URL(path, double.url)
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value)
  const res = await fetch(url, { headers })
  const bytes = Buffer.from(await res.arrayBuffer())
  return { status: res.status, headers: res.headers, text: bytes.toString('utf8'), bytes }
}

function body<T>(answer: Answer): T {
  return JSON.parse(answer.text) as T
}

function reasonOf(answer: Answer): string | undefined {
  return body<GoogleErrorBody>(answer).error.errors[0]?.reason
}

interface Listed {
  id: string
  name?: string
  parents?: string[]
  driveId?: string
  shortcutDetails?: { targetId: string; targetMimeType: string }
}

/** Every page of a listing; the page sizes too. */
async function listAll(
  double: DriveDouble,
  params: Record<string, string>,
): Promise<{ files: Listed[]; pages: number[] }> {
  const files: Listed[] = []
  const pages: number[] = []
  let token: string | undefined
  do {
    const answer = await call(double, '/drive/v3/files', {
      fields: 'nextPageToken,files(id,name,parents,driveId,shortcutDetails)',
      ...params,
      ...(token ? { pageToken: token } : {}),
    })
    expect(answer.status, answer.text).toBe(200)
    const page = body<{ nextPageToken?: string; files: Listed[] }>(answer)
    files.push(...page.files)
    pages.push(page.files.length)
    token = page.nextPageToken
  } while (token)
  return { files, pages }
}

const ids = (files: Listed[]): string[] => files.map((f) => f.id).sort()

function file(id: string, extra: Partial<DriveFile> = {}): DriveFile {
  return {
    id,
    name: `${id}.bin`,
    mimeType: 'application/octet-stream',
    modifiedTime: T,
    content: new TextEncoder().encode(`bytes of ${id}\n`),
    ...extra,
  }
}

function folder(id: string, extra: Partial<DriveFile> = {}): DriveFile {
  return { id, name: id, mimeType: FOLDER_MIME, modifiedTime: T, ...extra }
}

describe('q: the search language', () => {
  const view: QueryableFile = {
    name: "Bob's Report",
    mimeType: 'application/pdf',
    trashed: false,
    starred: false,
    sharedWithMe: true,
    ownedByMe: false,
    parents: ['a', 'b'],
    modifiedTime: '2026-01-02T00:00:00.000Z',
    createdTime: '2025-01-02T00:00:00.000Z',
  }
  it('reads the clauses a backup uses and combines them', () => {
    const yes = [
      "'a' in parents",
      "('x' in parents or 'b' in parents) and trashed = false",
      "trashed=false and mimeType != 'application/vnd.google-apps.folder'",
      'sharedWithMe = true and not starred = true',
      "name = 'Bob\\'s Report'",
      "name contains 'report'",
      "modifiedTime > '2026-01-01T00:00:00Z' and createdTime <= '2025-01-02T00:00:00Z'",
      "not 'me' in owners",
      "NOT ('x' in parents) AND trashed = false",
    ]
    for (const q of yes) expect(matches(parseQuery(q), view), q).toBe(true)
    const no = ["'x' in parents", 'trashed = true', "'me' in owners", "mimeType = 'text/plain'"]
    for (const q of no) expect(matches(parseQuery(q), view), q).toBe(false)
  })

  it('refuses what Drive cannot read, and what the double does not know', () => {
    const bad = [
      '',
      "'a' in",
      'trashed = maybe',
      "name > 'x'",
      "fullText contains 'x'",
      "('a' in parents",
      "'a' in parents extra",
      "name = 'unterminated",
      "modifiedTime > 'yesterday'",
      "'a' in children",
    ]
    for (const q of bad) expect(() => parseQuery(q), q).toThrow(QueryError)
  })
})

describe('folders, corpora and shared drives', () => {
  let double: DriveDouble
  const drive = { id: '0ATeamDrive', name: 'Team' }
  beforeAll(async () => {
    double = await startDriveDouble({
      sharedDrives: [drive, { id: '0AOther', name: 'Other' }],
      files: [
        folder('top'),
        file('a1', { parents: ['top'] }),
        folder('sub', { parents: ['top'] }),
        file('a2', { parents: ['sub'] }),
        file('gone', { parents: ['top'], trashed: true }),
        file('loose'),
        file('theirs', { parents: ['top'], notMine: true }),
        folder('tf', { driveId: drive.id }),
        file('t1', { driveId: drive.id, parents: ['tf'] }),
        file('t2', { driveId: drive.id }),
        file('o1', { driveId: '0AOther' }),
        folder('shared', { sharedWithMe: true }),
        file('s1', { parents: ['shared'], notMine: true }),
        file('lone', { sharedWithMe: true }),
        {
          id: 'cut',
          name: 'Shortcut to a1',
          mimeType: SHORTCUT_MIME,
          modifiedTime: T,
          shortcutTarget: { id: 'a1' },
        },
      ],
    })
  })
  afterAll(() => double.close())

  it("walks folders with 'id' in parents, 'root' included, batched with or", async () => {
    const root = await listAll(double, { q: "'root' in parents and trashed = false" })
    expect(ids(root.files)).toEqual(['cut', 'loose', 'top'])
    const both = await listAll(double, {
      q: "('top' in parents or 'sub' in parents) and trashed = false",
    })
    expect(ids(both.files)).toEqual(['a1', 'a2', 'sub', 'theirs'])
    expect(both.files.find((f) => f.id === 'a2')?.parents).toEqual(['sub'])
    const trashed = await listAll(double, { q: "'top' in parents and trashed = true" })
    expect(ids(trashed.files)).toEqual(['gone'])
  })

  it('keeps shared drives out unless asked, and corpora=drive to one drive', async () => {
    const plain = await listAll(double, { q: 'trashed = false' })
    expect(plain.files.some((f) => f.driveId)).toBe(false)
    // includeItemsFromAllDrives without supportsAllDrives still shows none of them.
    const half = await listAll(double, { q: 'trashed = false', includeItemsFromAllDrives: 'true' })
    expect(half.files.some((f) => f.driveId)).toBe(false)
    const all = await listAll(double, {
      q: 'trashed = false',
      corpora: 'allDrives',
      includeItemsFromAllDrives: 'true',
      supportsAllDrives: 'true',
    })
    expect(ids(all.files.filter((f) => f.driveId))).toEqual(['o1', 't1', 't2', 'tf'])
    expect(all.files.find((f) => f.id === 't1')?.driveId).toBe(drive.id)
    const one = await listAll(double, {
      q: `'${drive.id}' in parents`,
      corpora: 'drive',
      driveId: drive.id,
      includeItemsFromAllDrives: 'true',
      supportsAllDrives: 'true',
    })
    expect(ids(one.files)).toEqual(['t2', 'tf'])
  })

  it('refuses inconsistent corpora as Drive does', async () => {
    const noItems = await call(double, '/drive/v3/files', { corpora: 'allDrives' })
    expect(noItems.status).toBe(400)
    expect(body<GoogleErrorBody>(noItems).error.message).toMatch(/includeItemsFromAllDrives/)
    const noDrive = await call(double, '/drive/v3/files', {
      corpora: 'drive',
      includeItemsFromAllDrives: 'true',
      supportsAllDrives: 'true',
    })
    expect(noDrive.status).toBe(400)
    expect(body<GoogleErrorBody>(noDrive).error.errors[0]?.location).toBe('driveId')
    const unknown = await call(double, '/drive/v3/files', {
      corpora: 'drive',
      driveId: 'nope',
      includeItemsFromAllDrives: 'true',
      supportsAllDrives: 'true',
    })
    expect(unknown.status).toBe(404)
    expect((await call(double, '/drive/v3/files', { corpora: 'everything' })).status).toBe(400)
  })

  it('shows a shared folder itself, and its files only to a query that names it', async () => {
    const user = await listAll(double, { q: 'trashed = false' })
    expect(ids(user.files)).toContain('shared')
    expect(ids(user.files)).toContain('lone')
    expect(ids(user.files)).not.toContain('s1')
    const mine = await listAll(double, { q: 'sharedWithMe = true' })
    expect(ids(mine.files)).toEqual(['lone', 'shared'])
    expect(mine.files.find((f) => f.id === 'shared')?.parents).toBeUndefined()
    const inside = await listAll(double, { q: "'shared' in parents" })
    expect(ids(inside.files)).toEqual(['s1'])
    const owned = await listAll(double, {
      q: "'me' in owners and 'top' in parents and trashed = false",
    })
    expect(ids(owned.files)).toEqual(['a1', 'sub'])
  })

  it('answers files.get for root, shared drives and their files only with supportsAllDrives', async () => {
    const root = await call(double, '/drive/v3/files/root', { fields: 'id,name,mimeType' })
    expect(body(root)).toEqual({ id: ROOT_FOLDER_ID, name: 'My Drive', mimeType: FOLDER_MIME })
    expect((await call(double, '/drive/v3/files/t1')).status).toBe(404)
    const t1 = await call(double, '/drive/v3/files/t1', {
      supportsAllDrives: 'true',
      fields: 'id,driveId,parents',
    })
    expect(body(t1)).toEqual({ id: 't1', parents: ['tf'], driveId: drive.id })
    const top = await call(double, `/drive/v3/files/${drive.id}`, {
      supportsAllDrives: 'true',
      fields: 'id,name',
    })
    expect(body(top)).toEqual({ id: drive.id, name: 'Team' })
    expect((await call(double, '/drive/v3/files/t1', { alt: 'media' })).status).toBe(404)
    const bytes = await call(double, '/drive/v3/files/t1', {
      alt: 'media',
      supportsAllDrives: 'true',
    })
    expect(bytes.text).toBe('bytes of t1\n')
  })

  it('describes shortcuts by their target', async () => {
    const cut = await call(double, '/drive/v3/files/cut', {
      fields: 'mimeType,shortcutDetails,size,md5Checksum,capabilities/canDownload',
    })
    expect(body(cut)).toEqual({
      mimeType: SHORTCUT_MIME,
      shortcutDetails: { targetId: 'a1', targetMimeType: 'application/octet-stream' },
      capabilities: { canDownload: false },
    })
    expect((await call(double, '/drive/v3/files/cut', { alt: 'media' })).status).toBe(403)
  })

  it('lists shared drives in pages with the fields asked for', async () => {
    const first = await call(double, '/drive/v3/drives', { pageSize: '1' })
    const page = body<{ kind: string; nextPageToken: string; drives: unknown[] }>(first)
    expect(page.kind).toBe('drive#driveList')
    expect(page.drives).toEqual([{ kind: 'drive#drive', id: drive.id, name: 'Team' }])
    const second = await call(double, '/drive/v3/drives', {
      pageSize: '1',
      pageToken: page.nextPageToken,
      fields: 'nextPageToken,drives(id,name)',
    })
    expect(body(second)).toEqual({ drives: [{ id: '0AOther', name: 'Other' }] })
    expect((await call(double, '/drive/v3/drives', { pageSize: '101' })).status).toBe(200)
    expect((await call(double, '/drive/v3/drives', { pageSize: '0' })).status).toBe(400)
    expect((await call(double, '/drive/v3/drives/0AOther')).text).toContain('"Other"')
    expect((await call(double, '/drive/v3/drives/nope')).status).toBe(404)
  })
})

describe('exports, abuse flags and blocked downloads', () => {
  let double: DriveDouble
  beforeAll(async () => {
    double = await startDriveDouble({
      exportLimitBytes: 5000,
      files: [
        { id: 'doc', name: 'Plan', mimeType: GOOGLE_DOC_MIME, modifiedTime: T, exportSize: 4000 },
        { id: 'huge', name: 'Big', mimeType: GOOGLE_DOC_MIME, modifiedTime: T, exportSize: 5001 },
        { id: 'sheet', name: 'Sums', mimeType: GOOGLE_SHEET_MIME, modifiedTime: T },
        { id: 'form', name: 'Survey', mimeType: GOOGLE_FORM_MIME, modifiedTime: T },
        file('bin'),
        file('bad', { abusive: true }),
        file('bad-shared', { abusive: true, sharedWithMe: true }),
        file('locked', { downloadDisabled: true, sharedWithMe: true }),
      ],
    })
  })
  afterAll(() => double.close())

  it('exports Docs in the formats Drive offers, without a length up front', async () => {
    const docx = await call(double, '/drive/v3/files/doc/export', { mimeType: DOCX })
    expect(docx.status).toBe(200)
    expect(docx.headers.get('content-type')).toBe(DOCX)
    expect(docx.headers.get('content-length')).toBeNull()
    expect(docx.bytes.byteLength).toBe(4000)
    const again = await call(double, '/drive/v3/files/doc/export', { mimeType: DOCX })
    expect(again.bytes.equals(docx.bytes)).toBe(true)
    const pdf = await call(double, '/drive/v3/files/doc/export', { mimeType: 'application/pdf' })
    expect(pdf.bytes.equals(docx.bytes)).toBe(false)
    // An export ignores Range: it starts over every time.
    const url = new URL('/drive/v3/files/doc/export?mimeType=application/pdf', double.url)
    const ranged = await fetch(url, { headers: { ...AUTH, range: 'bytes=100-' } })
    expect(ranged.status).toBe(200)
    expect((await ranged.arrayBuffer()).byteLength).toBe(4000)
    const sheet = await call(double, '/drive/v3/files/sheet/export', { mimeType: 'text/csv' })
    expect(sheet.status).toBe(200)
  })

  it('refuses an export over the limit, an unknown format, and a file that is not a Doc', async () => {
    const huge = await call(double, '/drive/v3/files/huge/export', { mimeType: DOCX })
    expect(huge.status).toBe(403)
    expect(body<GoogleErrorBody>(huge).error).toMatchObject({
      code: 403,
      message: 'This file is too large to be exported.',
      errors: [{ reason: 'exportSizeLimitExceeded', domain: 'global' }],
    })
    const csvDoc = await call(double, '/drive/v3/files/doc/export', { mimeType: 'text/csv' })
    expect(csvDoc.status).toBe(400)
    expect(body<GoogleErrorBody>(csvDoc).error.message).toBe(
      'The requested conversion is not supported.',
    )
    const form = await call(double, '/drive/v3/files/form/export', { mimeType: 'application/pdf' })
    expect(form.status).toBe(400)
    const bin = await call(double, '/drive/v3/files/bin/export', { mimeType: 'application/pdf' })
    expect(bin.status).toBe(403)
    expect(reasonOf(bin)).toBe('fileNotExportable')
    const bare = await call(double, '/drive/v3/files/doc/export')
    expect(bare.status).toBe(400)
    expect(reasonOf(bare)).toBe('required')
    expect((await call(double, '/drive/v3/files/nope/export', { mimeType: DOCX })).status).toBe(404)
  })

  it('refuses abuse-flagged files unless their owner acknowledges the risk', async () => {
    const flagged = await call(double, '/drive/v3/files/bad', { alt: 'media' })
    expect(flagged.status).toBe(403)
    expect(body<GoogleErrorBody>(flagged).error).toMatchObject({
      message: 'This file has been identified as malware or spam and cannot be downloaded.',
      errors: [{ reason: 'cannotDownloadAbusiveFile' }],
    })
    const acknowledged = await call(double, '/drive/v3/files/bad', {
      alt: 'media',
      acknowledgeAbuse: 'true',
    })
    expect(acknowledged.text).toBe('bytes of bad\n')
    // Acknowledging costs nothing on a file that is not flagged...
    const plain = await call(double, '/drive/v3/files/bin', {
      alt: 'media',
      acknowledgeAbuse: 'true',
    })
    expect(plain.status).toBe(200)
    // ...and is not enough for someone else's file.
    const theirs = await call(double, '/drive/v3/files/bad-shared', {
      alt: 'media',
      acknowledgeAbuse: 'true',
    })
    expect(reasonOf(theirs)).toBe('cannotDownloadAbusiveFile')
  })

  it('refuses a file whose owner disabled downloads', async () => {
    const meta = await call(double, '/drive/v3/files/locked', {
      fields: 'capabilities/canDownload',
    })
    expect(body(meta)).toEqual({ capabilities: { canDownload: false } })
    const locked = await call(double, '/drive/v3/files/locked', { alt: 'media' })
    expect(locked.status).toBe(403)
    expect(reasonOf(locked)).toBe('cannotDownloadFile')
  })
})

describe('limits: quota, transient faults, tokens, pages', () => {
  it('refuses requests over the quota with 403 userRateLimitExceeded until the window moves', async () => {
    const double = await startDriveDouble({
      files: [file('a')],
      quota: { requests: 3, windowMs: 400 },
    })
    try {
      const started = Date.now()
      const statuses: number[] = []
      for (let i = 0; i < 5; i++) statuses.push((await call(double, '/drive/v3/files/a')).status)
      expect(statuses).toEqual([200, 200, 200, 403, 403])
      const refused = await call(double, '/drive/v3/files/a')
      if (Date.now() - started < 400) {
        expect(body<GoogleErrorBody>(refused).error).toEqual({
          code: 403,
          message: 'User Rate Limit Exceeded',
          errors: [
            {
              message: 'User Rate Limit Exceeded',
              domain: 'usageLimits',
              reason: 'userRateLimitExceeded',
            },
          ],
        })
      }
      expect(double.injected.quota).toBeGreaterThanOrEqual(2)
      // Refused requests do not count: once the window has moved, requests pass again.
      let status = 0
      while (status !== 200) {
        await new Promise((resolve) => setTimeout(resolve, 50))
        status = (await call(double, '/drive/v3/files/a')).status
      }
      double.quota = { requests: 1, windowMs: 60_000, answer: 429 }
      await call(double, '/drive/v3/files/a')
      const limited = await call(double, '/drive/v3/files/a')
      expect(limited.status).toBe(429)
      expect(reasonOf(limited)).toBe('rateLimitExceeded')
    } finally {
      await double.close()
    }
  })

  it('fails a seeded share of requests, the same ones for the same seed', async () => {
    const run = async (): Promise<string[]> => {
      const double = await startDriveDouble({
        files: [file('a', { content: { size: 200_000, seed: 3 } })],
        faults: { transient: { rate: 0.3, seed: 42, retryAfter: 7 } },
      })
      const seen: string[] = []
      try {
        for (let i = 0; i < 60; i++) {
          const alt: Record<string, string> = i % 2 === 0 ? { alt: 'media' } : {}
          try {
            const answer = await call(double, '/drive/v3/files/a', alt)
            if (answer.status === 200 && i % 2 === 0 && answer.bytes.byteLength < 200_000) {
              seen.push('short')
            } else if (answer.status === 429) {
              expect(answer.headers.get('retry-after')).toBe('7')
              seen.push('429')
            } else if (answer.status === 403) {
              seen.push(reasonOf(answer) ?? '403')
            } else {
              seen.push(String(answer.status))
            }
          } catch {
            seen.push('reset')
          }
        }
        const faults = double.requests.filter((r) => r.fault).length
        expect(faults).toBe(Object.values(double.injected).reduce((a, b) => a + b, 0))
      } finally {
        await double.close()
      }
      return seen
    }
    const first = await run()
    expect(await run()).toEqual(first)
    const failed = first.filter((s) => s !== '200')
    expect(failed.length).toBeGreaterThan(5)
    expect(failed.length).toBeLessThan(35)
    expect(new Set(failed).size).toBeGreaterThanOrEqual(3)
  })

  it('accepts a granted token until it expires, then answers 401 Invalid Credentials', async () => {
    const double = await startDriveDouble({ files: [file('a')] })
    try {
      double.grantToken('short-lived', 150)
      const auth = { authorization: 'Bearer short-lived' }
      expect((await call(double, '/drive/v3/files/a', {}, auth)).status).toBe(200)
      let answer = await call(double, '/drive/v3/files/a', {}, auth)
      while (answer.status === 200) {
        await new Promise((resolve) => setTimeout(resolve, 25))
        answer = await call(double, '/drive/v3/files/a', {}, auth)
      }
      expect(answer.status).toBe(401)
      expect(body<GoogleErrorBody>(answer).error.message).toBe('Invalid Credentials')
      expect(answer.headers.get('www-authenticate')).toContain('invalid_token')
      expect((await call(double, '/drive/v3/files/a')).status).toBe(200)
    } finally {
      await double.close()
    }
  })

  it('expires page tokens after a while, on demand, and across listings', async () => {
    const files = Array.from({ length: 30 }, (_, n) => file(`f${n}`))
    const double = await startDriveDouble({ files, pageTokenTtlMs: 100 })
    try {
      const first = body<{ nextPageToken: string }>(
        await call(double, '/drive/v3/files', { pageSize: '10' }),
      )
      // The same token with another query belongs to another listing.
      const other = await call(double, '/drive/v3/files', {
        pageSize: '10',
        q: 'trashed = false',
        pageToken: first.nextPageToken,
      })
      expect(other.status).toBe(400)
      let answer = await call(double, '/drive/v3/files', {
        pageSize: '10',
        pageToken: first.nextPageToken,
      })
      while (answer.status === 200) {
        await new Promise((resolve) => setTimeout(resolve, 25))
        answer = await call(double, '/drive/v3/files', {
          pageSize: '10',
          pageToken: first.nextPageToken,
        })
      }
      expect(answer.status).toBe(400)
      expect(body<GoogleErrorBody>(answer).error.errors[0]).toMatchObject({
        reason: 'invalid',
        location: 'pageToken',
      })
      double.pageTokenTtlMs = undefined
      double.faults.expirePageToken = { page: 2, times: 1 }
      const page1 = body<{ nextPageToken: string }>(
        await call(double, '/drive/v3/files', { pageSize: '10' }),
      )
      const page2 = body<{ nextPageToken: string }>(
        await call(double, '/drive/v3/files', { pageSize: '10', pageToken: page1.nextPageToken }),
      )
      const refused = await call(double, '/drive/v3/files', {
        pageSize: '10',
        pageToken: page2.nextPageToken,
      })
      expect(refused.status).toBe(400)
      const retried = await call(double, '/drive/v3/files', {
        pageSize: '10',
        pageToken: page2.nextPageToken,
      })
      expect(retried.status).toBe(200)
    } finally {
      await double.close()
    }
  })

  it('sends pages shorter than pageSize, some empty, and every file once', async () => {
    const files = Array.from({ length: 500 }, (_, n) => file(`f${n}`))
    const double = await startDriveDouble({ files, shortPages: true })
    try {
      const { files: listed, pages } = await listAll(double, { pageSize: '50' })
      expect(ids(listed)).toEqual(files.map((f) => f.id).sort())
      expect(pages.some((n) => n < 50)).toBe(true)
      expect(pages.length).toBeGreaterThan(10)
      expect(pages.every((n) => n <= 50)).toBe(true)
    } finally {
      await double.close()
    }
  })
})

describe('generated drives and what their backup holds', () => {
  const drive = makeDrive({
    files: 3000,
    seed: 5,
    sharedWithMe: 12,
    tooLargeExportEvery: 700,
    exportLimitBytes: EXPORT_LIMIT_BYTES,
  })
  const expected = expectedBackup(drive)

  it('is deterministic and holds every kind of item', () => {
    expect(makeDrive({ files: 3000, seed: 5, sharedWithMe: 12, tooLargeExportEvery: 700 })).toEqual(
      drive,
    )
    const kinds = new Set(drive.files.map((f) => f.mimeType))
    for (const mime of [FOLDER_MIME, SHORTCUT_MIME, GOOGLE_DOC_MIME, GOOGLE_FORM_MIME]) {
      expect(kinds.has(mime), mime).toBe(true)
    }
    const nonFolders = drive.files.filter(
      (f) => f.mimeType !== FOLDER_MIME && !f.id.startsWith('s'),
    )
    expect(nonFolders).toHaveLength(3000)
    expect(drive.files.some((f) => f.driveId)).toBe(true)
    expect(drive.files.some((f) => f.trashed)).toBe(true)
    expect(drive.files.some((f) => (f.parents?.length ?? 0) > 1)).toBe(true)
    const depth = (f: DriveFile): number => {
      let n = 0
      let parent = f.parents?.[0]
      while (parent && parent !== ROOT_FOLDER_ID && !parent.startsWith('0A')) {
        n++
        parent = drive.files.find((g) => g.id === parent)?.parents?.[0]
      }
      return n
    }
    expect(Math.max(...drive.files.slice(0, 400).map(depth))).toBeGreaterThanOrEqual(3)
  })

  it('expects every live item once, under its folder path, with clashes told apart', () => {
    const live = drive.files.filter((f) => !f.trashed && !f.id.startsWith('s'))
    expect(expected.size).toBe(live.length)
    const paths = [...expected.values()].filter((e) => e.skip === undefined || e.skip === 'folder')
    const lower = new Set(paths.map((e) => e.path.toLowerCase()))
    expect(lower.size).toBe(paths.length)
    const tagged = [...expected.values()].filter((e) => / \([a-z0-9]{8}\)/.test(e.path))
    expect(tagged.length).toBeGreaterThan(2)
    expect([...expected.values()].some((e) => e.path.includes('\uff0f'))).toBe(true)
    expect(
      [...expected.values()].some((e) => e.path.startsWith('Shared drives/Design ／ Assets/')),
    ).toBe(true)
    const doc = [...expected.values()].find((e) => e.exportAs === DOCX)
    expect(doc?.path).toMatch(/^My Drive\/.+\.docx$/)
    expect([...expected.values()].filter((e) => e.skip === 'export-too-large').length).toBe(4)
    expect(segment('..')).toBe('\uff0e\uff0e')
  })

  it('expects what is shared with me only when the scope includes it', () => {
    const withShared = expectedBackup(drive, {
      scope: 'shared-with-me',
      exportFormat: 'pdf',
      acknowledgeAbuse: false,
    })
    const shared = [...withShared.values()].filter((e) => e.path.startsWith('Shared with me/'))
    expect(shared.map((e) => e.path)).toContain('Shared with me/Shared project/Drafts')
    expect(shared.map((e) => e.path)).toContain('Shared with me/invoice.pdf')
    expect(shared.some((e) => e.path.endsWith('.pdf') && e.exportAs === 'application/pdf')).toBe(
      true,
    )
    const myDrive = expectedBackup(drive, {
      scope: 'my-drive',
      exportFormat: 'office',
      acknowledgeAbuse: false,
    })
    expect([...myDrive.values()].every((e) => e.path.startsWith('My Drive/'))).toBe(true)
  })

  it('lists exactly the expected items through the double', async () => {
    const double = await startDriveDouble({ files: drive.files, sharedDrives: drive.sharedDrives })
    try {
      const seen = new Set<string>()
      const frontier = [ROOT_FOLDER_ID, ...drive.sharedDrives.map((d) => d.id)]
      while (frontier.length > 0) {
        const batch = frontier.splice(0, 50)
        const q = `(${batch.map((id) => `'${id}' in parents`).join(' or ')}) and trashed = false`
        const { files } = await listAll(double, {
          q,
          pageSize: '1000',
          corpora: 'allDrives',
          includeItemsFromAllDrives: 'true',
          supportsAllDrives: 'true',
          fields: 'nextPageToken,files(id,mimeType)',
        })
        for (const f of files as Array<Listed & { mimeType: string }>) {
          if (seen.has(f.id)) continue
          seen.add(f.id)
          if (f.mimeType === FOLDER_MIME) frontier.push(f.id)
        }
      }
      expect([...seen].sort()).toEqual([...expected.keys()].sort())
    } finally {
      await double.close()
    }
  })
})
