// The Drive double held against Google's own Node client (@googleapis/drive, v3): pointed at the
// double, it reads what the Google Drive provider reads (the same requests, fields and paging),
// downloads and exports bytes, and sees Drive's errors in the shape it parses from Google.
import { createHash } from 'node:crypto'
import { auth, drive, type drive_v3 } from '@googleapis/drive'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  DEFAULT_TOKEN,
  FOLDER_MIME,
  ROOT_FOLDER_ID,
  SHORTCUT_MIME,
  startDriveDouble,
  type DriveDouble,
} from './drive-double/server'
import {
  childrenQuery,
  DRIVES_FIELDS,
  FOLDERS_PER_LISTING,
  listParams,
  SHARED_WITH_ME_QUERY,
} from './drive-double/provider-requests'
import { expectedBackup, exportChoice, makeDrive } from './drive-double/tree'

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'

/** What a Gaxios error carries that a client reads. */
interface ClientError {
  status?: number
  response?: { status: number; headers: Headers; data: unknown }
}

function clientFor(double: DriveDouble, token = DEFAULT_TOKEN): drive_v3.Drive {
  const oauth = new auth.OAuth2()
  oauth.setCredentials({ access_token: token })
  return drive({ version: 'v3', rootUrl: `${double.url}/`, auth: oauth })
}

async function failure(promise: Promise<unknown>): Promise<ClientError> {
  try {
    await promise
  } catch (error) {
    return error as ClientError
  }
  throw new Error('the call succeeded')
}

function reasonOf(error: ClientError): string | undefined {
  const data = error.response?.data as { error?: { errors?: Array<{ reason?: string }> } }
  return data.error?.errors?.[0]?.reason
}

const NO_RETRY = { retry: false } as const

/** The client types headers as HTTP/2's record; over fetch they are a Headers (of its own). */
function headerOf(headers: unknown, name: string): string | null {
  const fetchHeaders = headers as { get?: unknown }
  if (typeof fetchHeaders.get === 'function') return (headers as Headers).get(name)
  const value = (headers as Record<string, string | string[] | undefined>)[name]
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null)
}

describe('@googleapis/drive against the double', () => {
  const generated = makeDrive({
    files: 600,
    seed: 9,
    sharedWithMe: 8,
    tooLargeExportEvery: 150,
    exportLimitBytes: 100_000,
    abusiveEvery: 200,
  })
  let double: DriveDouble
  let client: drive_v3.Drive
  beforeAll(async () => {
    double = await startDriveDouble({
      files: generated.files,
      sharedDrives: generated.sharedDrives,
      shortPages: true,
      exportLimitBytes: 100_000,
    })
    client = clientFor(double)
  })
  afterAll(() => double.close())

  it('lists the shared drives and finds My Drive root as the provider does', async () => {
    const names: string[] = []
    let pageToken: string | undefined
    do {
      const { data } = await client.drives.list({ pageSize: 1, fields: DRIVES_FIELDS, pageToken })
      names.push(...(data.drives ?? []).map((d) => d.name ?? ''))
      pageToken = data.nextPageToken ?? undefined
    } while (pageToken)
    expect(names).toEqual(generated.sharedDrives.map((d) => d.name))
    const { data: root } = await client.files.get({ fileId: 'root', fields: 'id' })
    expect(root).toEqual({ id: ROOT_FOLDER_ID })
  })

  it('walks the folders with the provider listing, short pages and all, and finds the backup', async () => {
    const found = new Map<string, drive_v3.Schema$File>()
    const walk = async (start: string[], corpora: 'user' | 'allDrives'): Promise<void> => {
      const frontier = [...start]
      while (frontier.length > 0) {
        const batch = frontier.splice(0, FOLDERS_PER_LISTING)
        let pageToken: string | undefined
        do {
          const { data } = await client.files.list({
            ...listParams(corpora),
            q: childrenQuery(batch),
            pageToken,
          })
          expect(data.incompleteSearch).toBe(false)
          for (const file of data.files ?? []) {
            if (!file.id || found.has(file.id)) continue
            found.set(file.id, file)
            if (file.mimeType === FOLDER_MIME) frontier.push(file.id)
          }
          pageToken = data.nextPageToken ?? undefined
        } while (pageToken)
      }
    }
    await walk([ROOT_FOLDER_ID, ...generated.sharedDrives.map((d) => d.id)], 'allDrives')
    expect([...found.keys()].sort()).toEqual([...expectedBackup(generated).keys()].sort())

    // Every field the provider reads came back, typed as Drive types them.
    const blob = [...found.values()].find((f) => f.md5Checksum)
    expect(blob).toMatchObject({
      size: expect.stringMatching(/^\d+$/),
      md5Checksum: expect.stringMatching(/^[0-9a-f]{32}$/),
      modifiedTime: expect.stringMatching(/Z$/),
      createdTime: expect.stringMatching(/Z$/),
      parents: [expect.any(String)],
      capabilities: { canDownload: true },
    })
    const shortcut = [...found.values()].find((f) => f.mimeType === SHORTCUT_MIME)
    expect(shortcut?.shortcutDetails).toEqual({
      targetId: expect.any(String),
      targetMimeType: expect.any(String),
    })
    expect([...found.values()].some((f) => f.driveId)).toBe(true)

    // What is shared with me: the top items by query, then their folders walked.
    const { data: shared } = await client.files.list({
      ...listParams('user'),
      q: SHARED_WITH_ME_QUERY,
    })
    const tops = shared.files ?? []
    expect(tops.map((f) => f.name).sort()).toEqual(['Shared project', 'invoice.pdf'])
    for (const top of tops) found.set(top.id ?? '', top)
    await walk(
      tops.filter((f) => f.mimeType === FOLDER_MIME).map((f) => f.id ?? ''),
      'allDrives',
    )
    const withShared = expectedBackup(generated, {
      scope: 'shared-with-me',
      exportFormat: 'office',
      acknowledgeAbuse: false,
    })
    for (const id of withShared.keys()) expect(found.has(id), id).toBe(true)
  })

  it('downloads bytes whose md5 is the listed one, and ranges of them', async () => {
    const { data: listing } = await client.files.list({
      ...listParams('allDrives'),
      q: childrenQuery([ROOT_FOLDER_ID]),
    })
    const blob = (listing.files ?? []).find((f) => f.md5Checksum && Number(f.size) > 100)
    if (!blob?.id) throw new Error('no file to download')
    const whole = await client.files.get(
      { fileId: blob.id, alt: 'media', supportsAllDrives: true },
      { responseType: 'arraybuffer' },
    )
    const bytes = Buffer.from(whole.data as unknown as ArrayBuffer)
    expect(bytes.byteLength).toBe(Number(blob.size))
    expect(createHash('md5').update(bytes).digest('hex')).toBe(blob.md5Checksum)
    const tail = await client.files.get(
      { fileId: blob.id, alt: 'media', supportsAllDrives: true },
      { responseType: 'arraybuffer', headers: { Range: 'bytes=100-' } },
    )
    expect(tail.status).toBe(206)
    expect(Buffer.from(tail.data as unknown as ArrayBuffer).equals(bytes.subarray(100))).toBe(true)
  })

  it('exports Docs, and reads the refusals of big exports and flagged files', async () => {
    const doc = generated.files.find(
      (f) => f.name.startsWith('Notes') && exportChoice(f.mimeType, 'office')?.[0] === DOCX,
    )
    const exported = await client.files.export(
      { fileId: doc?.id ?? '', mimeType: DOCX },
      { responseType: 'arraybuffer' },
    )
    expect(headerOf(exported.headers, 'content-type')).toBe(DOCX)
    expect((exported.data as unknown as ArrayBuffer).byteLength).toBeGreaterThan(0)

    const huge = generated.files.find((f) => f.name.startsWith('Huge report'))
    const tooBig = await failure(
      client.files.export({ fileId: huge?.id ?? '', mimeType: DOCX }, NO_RETRY),
    )
    expect(tooBig.status).toBe(403)
    expect(reasonOf(tooBig)).toBe('exportSizeLimitExceeded')

    const flagged = generated.files.find((f) => f.abusive && !f.notMine && !f.driveId)
    const refused = await failure(
      client.files.get({ fileId: flagged?.id ?? '', alt: 'media' }, NO_RETRY),
    )
    expect(refused.status).toBe(403)
    expect(reasonOf(refused)).toBe('cannotDownloadAbusiveFile')
    const acknowledged = await client.files.get(
      { fileId: flagged?.id ?? '', alt: 'media', acknowledgeAbuse: true },
      { responseType: 'arraybuffer' },
    )
    expect(acknowledged.status).toBe(200)
  })

  it('reads rate limits as Google sends them, and retries a 429 itself', async () => {
    const listParamsRoot = { ...listParams('allDrives'), q: childrenQuery([ROOT_FOLDER_ID]) }
    double.faults.listStatus = { page: 0, status: 403, reason: 'userRateLimitExceeded', times: 1 }
    const limited = await failure(client.files.list(listParamsRoot, NO_RETRY))
    expect(limited.status).toBe(403)
    expect(reasonOf(limited)).toBe('userRateLimitExceeded')
    double.faults.listStatus = { page: 0, status: 403, reason: 'rateLimitExceeded', times: 1 }
    expect(reasonOf(await failure(client.files.list(listParamsRoot, NO_RETRY)))).toBe(
      'rateLimitExceeded',
    )
    double.faults.listStatus = { page: 0, status: 429, retryAfter: 0, times: 1 }
    const busy = await failure(client.files.list(listParamsRoot, NO_RETRY))
    expect(busy.status).toBe(429)
    expect(busy.response?.headers.get('retry-after')).toBe('0')
    // With its own retries on (the default), the client comes through a 429 and a 503.
    double.faults.listStatus = { page: 0, status: 429, retryAfter: 0, times: 1 }
    expect((await client.files.list(listParamsRoot)).data.files?.length).toBeGreaterThan(0)
    double.faults.listStatus = { page: 0, status: 503, times: 1 }
    expect((await client.files.list(listParamsRoot)).data.files?.length).toBeGreaterThan(0)
  })

  it('sees an expired token and an expired page token refused', async () => {
    double.grantToken('old-token', 0)
    const stale = await failure(clientFor(double, 'old-token').files.get({ fileId: 'root' }))
    expect(stale.status).toBe(401)
    expect(reasonOf(stale)).toBe('authError')

    const params = { ...listParams('allDrives'), q: childrenQuery([ROOT_FOLDER_ID]), pageSize: 5 }
    const first = await client.files.list(params)
    double.faults.expirePageToken = { page: 1, times: 1 }
    const expired = await failure(
      client.files.list({ ...params, pageToken: first.data.nextPageToken ?? '' }, NO_RETRY),
    )
    expect(expired.status).toBe(400)
    const data = expired.response?.data as { error: { errors: Array<{ location: string }> } }
    expect(data.error.errors[0]?.location).toBe('pageToken')
  })
})
