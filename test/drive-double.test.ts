import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  applyFields,
  contentBytes,
  DEFAULT_TOKEN,
  FieldSelectionError,
  GOOGLE_DOC_MIME,
  makeFiles,
  parseFields,
  startDriveDouble,
  type DriveDouble,
  type DriveFile,
  type GoogleErrorBody,
} from './drive-double/server'

const AUTH = { authorization: `Bearer ${DEFAULT_TOKEN}` }
const PROVIDER_LIST_FIELDS = 'nextPageToken, files(id)'
const PROVIDER_FILE_FIELDS = 'id, name, size, modifiedTime, md5Checksum, mimeType'

interface FileList {
  kind?: string
  nextPageToken?: string
  incompleteSearch?: boolean
  files?: Record<string, unknown>[]
}

interface Answer {
  status: number
  headers: Headers
  text: string
}

function endpoint(double: DriveDouble, path: string, params: Record<string, string> = {}): string {
  const url = new URL(path, double.url)
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value)
  return url.toString()
}

async function call(
  double: DriveDouble,
  path: string,
  params: Record<string, string> = {},
  headers: Record<string, string> = AUTH,
): Promise<Answer> {
  const res = await fetch(endpoint(double, path, params), { headers })
  return { status: res.status, headers: res.headers, text: await res.text() }
}

function json<T>(answer: Answer): T {
  return JSON.parse(answer.text) as T
}

async function listPage(double: DriveDouble, params: Record<string, string>): Promise<FileList> {
  const answer = await call(double, '/drive/v3/files', params)
  expect(answer.status).toBe(200)
  return json<FileList>(answer)
}

async function digest(res: Response): Promise<{ length: number; md5: string }> {
  if (!res.body) throw new Error('no body')
  const hash = createHash('md5')
  let length = 0
  const reader = res.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    hash.update(value)
    length += value.byteLength
  }
  return { length, md5: hash.digest('hex') }
}

function md5(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex')
}

function ms(since: number): number {
  return performance.now() - since
}

describe('fields parser', () => {
  it('parses the provider selections, nesting, paths and wildcards', () => {
    const list = parseFields(PROVIDER_LIST_FIELDS)
    expect([...list.keys()]).toEqual(['nextPageToken', 'files'])
    const body = { kind: 'drive#fileList', nextPageToken: 't', files: [{ id: 'a', name: 'x' }] }
    expect(applyFields(body, list)).toEqual({ nextPageToken: 't', files: [{ id: 'a' }] })

    const spaced = parseFields(' nextPageToken ,files( id , name ) ')
    expect(applyFields(body, spaced)).toEqual(
      applyFields(body, parseFields('nextPageToken,files(id,name)')),
    )
    expect(applyFields(body, parseFields('files/id'))).toEqual({ files: [{ id: 'a' }] })
    expect(applyFields(body, parseFields('*'))).toEqual(body)
    expect(applyFields(body, parseFields('files(*)'))).toEqual({ files: body.files })
    // A whole-field selection wins over a narrower one in either order.
    expect(applyFields(body, parseFields('files(id),files'))).toEqual({ files: body.files })
    expect(applyFields(body, parseFields('files,files(id)'))).toEqual({ files: body.files })
    const deep = { a: { b: { c: 1, d: 2 }, e: 3 } }
    expect(applyFields(deep, parseFields('a/b(c),a/e'))).toEqual({ a: { b: { c: 1 }, e: 3 } })
  })

  it('rejects malformed selections', () => {
    for (const bad of ['', 'files(id', 'files(id))', 'a,,b', 'a b', '(id)', 'a/', 'files()']) {
      expect(() => parseFields(bad), bad).toThrow(FieldSelectionError)
    }
  })
})

describe('makeFiles', () => {
  it('is deterministic, numbers ids and mixes in Google Docs', () => {
    const a = makeFiles(12, { seed: 3, docsEvery: 4, minSize: 10, maxSize: 20 })
    expect(a).toEqual(makeFiles(12, { seed: 3, docsEvery: 4, minSize: 10, maxSize: 20 }))
    expect(a[0]?.id).toBe('f000001')
    expect(a[11]?.id).toBe('f000012')
    expect(a.filter((f) => f.mimeType === GOOGLE_DOC_MIME).map((f) => f.id)).toEqual([
      'f000004',
      'f000008',
      'f000012',
    ])
    expect(a[3]?.content).toBeUndefined()
    for (const file of a) {
      expect(file.modifiedTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      const content = file.content
      if (content && !(content instanceof Uint8Array)) {
        expect(content.size).toBeGreaterThanOrEqual(10)
        expect(content.size).toBeLessThanOrEqual(20)
      }
    }
    expect(makeFiles(3, { seed: 4 })).not.toEqual(makeFiles(3, { seed: 3 }))
  })
})

describe('files.list', () => {
  let double: DriveDouble
  beforeAll(async () => {
    double = await startDriveDouble({ files: makeFiles(2500) })
  })
  afterAll(() => double.close())

  it('pages 2,500 files as the provider asks: 1000, 1000, 500, no token on the last', async () => {
    const params = { pageSize: '1000', fields: PROVIDER_LIST_FIELDS, q: 'trashed=false' }
    const pages: FileList[] = []
    let token: string | undefined
    do {
      const page = await listPage(double, token ? { ...params, pageToken: token } : params)
      pages.push(page)
      token = page.nextPageToken
    } while (token)
    expect(pages.map((p) => p.files?.length)).toEqual([1000, 1000, 500])
    expect(pages.map((p) => typeof p.nextPageToken)).toEqual(['string', 'string', 'undefined'])
    expect(Object.keys(pages[0] ?? {})).toEqual(['nextPageToken', 'files'])
    expect(Object.keys(pages[2] ?? {})).toEqual(['files'])
    const ids = pages.flatMap((p) => p.files ?? []).map((f) => f.id)
    expect(ids).toEqual(double.files.map((f) => f.id))
    expect(pages.flatMap((p) => p.files ?? []).every((f) => Object.keys(f).length === 1)).toBe(true)
  })

  it('answers the default fields and pageSize 100 when none are given', async () => {
    const page = await listPage(double, {})
    expect(Object.keys(page)).toEqual(['kind', 'nextPageToken', 'incompleteSearch', 'files'])
    expect(page.kind).toBe('drive#fileList')
    expect(page.incompleteSearch).toBe(false)
    expect(page.files).toHaveLength(100)
    expect(page.files?.[0]).toEqual({
      kind: 'drive#file',
      id: 'f000001',
      name: 'file-000001.bin',
      mimeType: 'application/octet-stream',
    })
  })

  it('applies richer selections, including md5Checksum and *', async () => {
    const page = await listPage(double, {
      pageSize: '2',
      fields: 'files(id,name,size,md5Checksum,modifiedTime,trashed,parents)',
    })
    const first = page.files?.[0]
    expect(Object.keys(first ?? {}).sort()).toEqual(
      ['id', 'md5Checksum', 'modifiedTime', 'name', 'parents', 'size', 'trashed'].sort(),
    )
    expect(first?.md5Checksum).toBe(await double.md5Of('f000001'))
    const all = await listPage(double, { pageSize: '1', fields: '*' })
    expect(Object.keys(all)).toEqual(['kind', 'nextPageToken', 'incompleteSearch', 'files'])
    expect(all.files?.[0]).toMatchObject({ kind: 'drive#file', trashed: false })
    expect(typeof all.files?.[0]?.size).toBe('string')
  })

  it('clamps pageSize above 1000 and rejects non-integers and values below 1', async () => {
    const page = await listPage(double, { pageSize: '5000', fields: 'files(id)' })
    expect(page.files).toHaveLength(1000)
    for (const bad of ['0', '-3', 'abc', '1.5', '']) {
      const answer = await call(double, '/drive/v3/files', { pageSize: bad })
      expect(answer.status, bad).toBe(400)
      expect(answer.headers.get('content-type')).toBe('application/json; charset=UTF-8')
      const error = json<GoogleErrorBody>(answer).error
      expect(error.code).toBe(400)
      expect(error.errors[0]).toMatchObject({ reason: 'invalid', location: 'pageSize' })
    }
  })

  it('rejects unknown or garbled page tokens with Invalid Value', async () => {
    const first = await listPage(double, { pageSize: '10' })
    for (const token of ['garbage', `${first.nextPageToken ?? ''}x`]) {
      const answer = await call(double, '/drive/v3/files', { pageToken: token })
      expect(answer.status).toBe(400)
      expect(json<GoogleErrorBody>(answer)).toEqual({
        error: {
          code: 400,
          message: 'Invalid Value',
          errors: [
            {
              message: 'Invalid Value',
              domain: 'global',
              reason: 'invalid',
              location: 'pageToken',
              locationType: 'parameter',
            },
          ],
        },
      })
    }
  })

  it('rejects unknown fields and unsupported queries', async () => {
    const fields = await call(double, '/drive/v3/files', { fields: 'files(id,bogus)' })
    expect(fields.status).toBe(400)
    expect(json<GoogleErrorBody>(fields).error.message).toBe('Invalid field selection bogus')
    const q = await call(double, '/drive/v3/files', { q: "fullText contains 'x'" })
    expect(q.status).toBe(400)
    expect(json<GoogleErrorBody>(q).error.errors[0]).toMatchObject({ location: 'q' })
  })

  it('filters trashed files with q and keeps the given order', async () => {
    const files = makeFiles(10)
    for (const n of [2, 3, 7]) {
      const file = files[n]
      if (file) file.trashed = true
    }
    const local = await startDriveDouble({ files })
    try {
      const ids = async (q: string | undefined): Promise<unknown[]> => {
        const out: unknown[] = []
        let token: string | undefined
        do {
          const params: Record<string, string> = { pageSize: '3', fields: PROVIDER_LIST_FIELDS }
          if (q !== undefined) params.q = q
          if (token) params.pageToken = token
          const page = await listPage(local, params)
          out.push(...(page.files ?? []).map((f) => f.id))
          token = page.nextPageToken
        } while (token)
        return out
      }
      const live = files.filter((f) => !f.trashed).map((f) => f.id)
      expect(await ids('trashed=false')).toEqual(live)
      expect(await ids('trashed = false')).toEqual(live)
      expect(await ids('trashed=true')).toEqual(['f000003', 'f000004', 'f000008'])
      expect(await ids(undefined)).toEqual(files.map((f) => f.id))
    } finally {
      await local.close()
    }
  })
})

describe('auth, files.get and alt=media', () => {
  let double: DriveDouble
  const bytes = new TextEncoder().encode('hello drive double\n')
  beforeAll(async () => {
    const files: DriveFile[] = [
      ...makeFiles(10, { docsEvery: 5, minSize: 100_000, maxSize: 300_000 }),
      {
        id: 'held',
        name: 'held.txt',
        mimeType: 'text/plain',
        modifiedTime: '2026-01-02T03:04:05.000Z',
        content: bytes,
      },
      {
        id: 'big',
        name: 'big.bin',
        mimeType: 'application/octet-stream',
        modifiedTime: '2026-01-02T03:04:05.000Z',
        content: { size: 3 * 2 ** 30, seed: 99 },
      },
    ]
    double = await startDriveDouble({ files })
  })
  afterAll(() => double.close())

  it('answers 401 without credentials and with a wrong token, as Google words it', async () => {
    for (const path of ['/drive/v3/files', '/drive/v3/files/f000001']) {
      const missing = await call(double, path, { alt: 'media' }, {})
      expect(missing.status).toBe(401)
      expect(missing.headers.get('content-type')).toBe('application/json; charset=UTF-8')
      const body = json<GoogleErrorBody>(missing).error
      expect(body.message).toMatch(/^Request is missing required authentication credential/)
      expect(body.errors[0]).toMatchObject({ reason: 'required', location: 'Authorization' })
      const wrong = await call(double, path, {}, { authorization: 'Bearer nope' })
      expect(wrong.status).toBe(401)
      expect(json<GoogleErrorBody>(wrong).error).toMatchObject({
        code: 401,
        message: 'Invalid Credentials',
        errors: [{ message: 'Invalid Credentials', reason: 'authError', domain: 'global' }],
      })
    }
  })

  it('answers an unknown id with the exact Google 404 body', async () => {
    for (const params of [{}, { alt: 'media' }] as Record<string, string>[]) {
      const answer = await call(double, '/drive/v3/files/nope', params)
      expect(answer.status).toBe(404)
      expect(answer.headers.get('content-type')).toBe('application/json; charset=UTF-8')
      expect(json<GoogleErrorBody>(answer)).toEqual({
        error: {
          code: 404,
          message: 'File not found: nope.',
          errors: [
            {
              message: 'File not found: nope.',
              domain: 'global',
              reason: 'notFound',
              location: 'fileId',
              locationType: 'parameter',
            },
          ],
        },
      })
    }
  })

  it('serves metadata with the provider fields, the defaults and *', async () => {
    const answer = await call(double, '/drive/v3/files/f000001', { fields: PROVIDER_FILE_FIELDS })
    expect(answer.status).toBe(200)
    const meta = json<Record<string, unknown>>(answer)
    expect(Object.keys(meta).sort()).toEqual(
      ['id', 'md5Checksum', 'mimeType', 'modifiedTime', 'name', 'size'].sort(),
    )
    expect(meta.size).toMatch(/^\d+$/)
    expect(meta.md5Checksum).toMatch(/^[0-9a-f]{32}$/)
    expect(meta.modifiedTime).toBe('2026-01-02T03:05:06.000Z')
    const plain = json<Record<string, unknown>>(await call(double, '/drive/v3/files/f000001'))
    expect(plain).toEqual({
      kind: 'drive#file',
      id: 'f000001',
      name: 'file-000001.bin',
      mimeType: 'application/octet-stream',
    })
    const all = json<Record<string, unknown>>(
      await call(double, '/drive/v3/files/f000001', { fields: '*' }),
    )
    expect(all).toMatchObject({ ...plain, trashed: false, md5Checksum: meta.md5Checksum })
    expect(Array.isArray(all.parents)).toBe(true)
    const bad = await call(double, '/drive/v3/files/f000001', { fields: 'id,sizee' })
    expect(bad.status).toBe(400)
    expect(json<GoogleErrorBody>(bad).error.errors[0]).toMatchObject({
      reason: 'invalidParameter',
      location: 'fields',
    })
  })

  it('gives a Google Doc no md5Checksum (its size is its storage) and refuses alt=media', async () => {
    const meta = json<Record<string, unknown>>(
      await call(double, '/drive/v3/files/f000005', { fields: PROVIDER_FILE_FIELDS }),
    )
    expect(meta).toEqual({
      id: 'f000005',
      name: 'Document 000005',
      mimeType: GOOGLE_DOC_MIME,
      modifiedTime: '2026-01-02T03:09:10.000Z',
      size: expect.stringMatching(/^\d+$/),
    })
    const media = await call(double, '/drive/v3/files/f000005', { alt: 'media' })
    expect(media.status).toBe(403)
    const message =
      'Only files with binary content can be downloaded. Use Export with Docs Editors files.'
    expect(json<GoogleErrorBody>(media)).toEqual({
      error: {
        code: 403,
        message,
        errors: [
          {
            message,
            domain: 'global',
            reason: 'fileNotDownloadable',
            location: 'alt',
            locationType: 'parameter',
          },
        ],
      },
    })
    await expect(double.md5Of('f000005')).rejects.toThrow()
  })

  it('streams bytes whose md5 and length match the metadata', async () => {
    for (const id of ['f000001', 'f000002', 'held']) {
      const meta = json<{ size: string; md5Checksum: string; mimeType: string }>(
        await call(double, `/drive/v3/files/${id}`, { fields: 'size,md5Checksum,mimeType' }),
      )
      const res = await fetch(endpoint(double, `/drive/v3/files/${id}`, { alt: 'media' }), {
        headers: AUTH,
      })
      expect(res.status).toBe(200)
      // Drive serves a file's bytes with the file's own type.
      expect(res.headers.get('content-type')).toBe(meta.mimeType)
      expect(res.headers.get('content-length')).toBe(meta.size)
      const got = await digest(res)
      expect(got.length).toBe(Number(meta.size))
      expect(got.md5).toBe(meta.md5Checksum)
    }
    expect(await double.md5Of('held')).toBe(md5(bytes))
  })

  it('serves byte ranges, including past 2 GiB without touching the rest', async () => {
    const meta = json<Record<string, unknown>>(
      await call(double, '/drive/v3/files/big', { fields: 'id,size' }),
    )
    expect(meta).toEqual({ id: 'big', size: String(3 * 2 ** 30) })
    const size = 3 * 2 ** 30
    const res = await fetch(endpoint(double, '/drive/v3/files/big', { alt: 'media' }), {
      headers: { ...AUTH, range: 'bytes=-100' },
    })
    expect(res.status).toBe(206)
    expect(res.headers.get('content-range')).toBe(`bytes ${size - 100}-${size - 1}/${size}`)
    const tail = new Uint8Array(await res.arrayBuffer())
    expect(md5(tail)).toBe(md5(contentBytes({ size, seed: 99 }, size - 100, size)))
    const small = await fetch(endpoint(double, '/drive/v3/files/held', { alt: 'media' }), {
      headers: { ...AUTH, range: 'bytes=6-10' },
    })
    expect(small.status).toBe(206)
    expect(await small.text()).toBe('drive')
  })

  it('streams a 50 MiB generated file with the right length and md5', async () => {
    const size = 50 * 2 ** 20
    const local = await startDriveDouble({
      files: [
        {
          id: 'fifty',
          name: 'fifty.bin',
          mimeType: 'application/octet-stream',
          modifiedTime: '2026-01-02T03:04:05.000Z',
          content: { size, seed: 5 },
        },
      ],
    })
    try {
      const res = await fetch(endpoint(local, '/drive/v3/files/fifty', { alt: 'media' }), {
        headers: AUTH,
      })
      const got = await digest(res)
      expect(got.length).toBe(size)
      expect(got.md5).toBe(await local.md5Of('fifty'))
    } finally {
      await local.close()
    }
  })
})

describe('faults', () => {
  let double: DriveDouble
  beforeAll(async () => {
    double = await startDriveDouble({
      files: makeFiles(20, { minSize: 300_000, maxSize: 400_000 }),
    })
  })
  afterAll(() => double.close())

  it('metadataStatus: permanent numbers, counted objects, Retry-After on 429', async () => {
    double.faults = { metadataStatus: { f000001: 500, f000002: { status: 429, times: 1 } } }
    for (let i = 0; i < 2; i++) {
      const answer = await call(double, '/drive/v3/files/f000001')
      expect(answer.status).toBe(500)
      expect(json<GoogleErrorBody>(answer).error.code).toBe(500)
    }
    const limited = await call(double, '/drive/v3/files/f000002')
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('1')
    expect(json<GoogleErrorBody>(limited).error.errors[0]?.reason).toBe('rateLimitExceeded')
    expect(double.faults.metadataStatus).toEqual({ f000001: 500 })
    expect((await call(double, '/drive/v3/files/f000002')).status).toBe(200)
    // Downloads are not metadata requests.
    expect((await call(double, '/drive/v3/files/f000001', { alt: 'media' })).status).toBe(200)
    double.faults = { metadataStatus: { f000003: 404 } }
    const gone = await call(double, '/drive/v3/files/f000003')
    expect(json<GoogleErrorBody>(gone).error.message).toBe('File not found: f000003.')
    double.faults = {}
  })

  it('mediaStatus answers downloads with the status and a Google body', async () => {
    double.faults = { mediaStatus: { f000001: 503 } }
    const answer = await call(double, '/drive/v3/files/f000001', { alt: 'media' })
    expect(answer.status).toBe(503)
    expect(answer.headers.get('content-type')).toBe('application/json; charset=UTF-8')
    expect(json<GoogleErrorBody>(answer).error.code).toBe(503)
    expect((await call(double, '/drive/v3/files/f000001')).status).toBe(200)
    double.faults = {}
  })

  it('nonJson answers 200 text/html', async () => {
    double.faults = { nonJson: ['f000004', 'list'] }
    for (const path of ['/drive/v3/files/f000004', '/drive/v3/files']) {
      const answer = await call(double, path)
      expect(answer.status).toBe(200)
      expect(answer.headers.get('content-type')).toMatch(/^text\/html/)
      expect(answer.text).toBe('<html>oops</html>')
    }
    double.faults = {}
  })

  it('silentMetadata never answers', async () => {
    double.faults = { silentMetadata: ['f000005'] }
    const started = performance.now()
    await expect(
      fetch(endpoint(double, '/drive/v3/files/f000005'), {
        headers: AUTH,
        signal: AbortSignal.timeout(300),
      }),
    ).rejects.toThrow()
    expect(ms(started)).toBeGreaterThanOrEqual(290)
    expect(double.requests.at(-1)).toMatchObject({ path: '/drive/v3/files/f000005', status: 0 })
    double.faults = {}
  })

  it('resetMidDownload sends about half the bytes, then drops the connection', async () => {
    double.faults = { resetMidDownload: ['f000006'] }
    const size = Number(
      json<{ size: string }>(await call(double, '/drive/v3/files/f000006', { fields: 'size' }))
        .size,
    )
    const res = await fetch(endpoint(double, '/drive/v3/files/f000006', { alt: 'media' }), {
      headers: AUTH,
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-length')).toBe(String(size))
    let received = 0
    const reader = res.body?.getReader()
    await expect(
      (async () => {
        for (;;) {
          const chunk = await reader?.read()
          if (!chunk || chunk.done) return
          received += chunk.value.byteLength
        }
      })(),
    ).rejects.toThrow()
    expect(received).toBeGreaterThan(0)
    expect(received).toBeLessThanOrEqual(Math.floor(size / 2))
    double.faults = {}
  })

  it('silentDownload sends some bytes, then nothing', async () => {
    double.faults = { silentDownload: ['f000007'] }
    const res = await fetch(endpoint(double, '/drive/v3/files/f000007', { alt: 'media' }), {
      headers: AUTH,
    })
    expect(res.status).toBe(200)
    const reader = res.body?.getReader()
    if (!reader) throw new Error('no body')
    let received = 0
    for (;;) {
      const next = await Promise.race([
        reader.read(),
        new Promise<'quiet'>((resolve) => setTimeout(() => resolve('quiet'), 300)),
      ])
      if (next === 'quiet') break
      if (next.done) throw new Error('body ended')
      received += next.value.byteLength
    }
    expect(received).toBe(64 * 1024)
    await reader.cancel()
    double.faults = {}
  })

  it('listStatus fails the Nth page, permanently or a counted number of times', async () => {
    double.faults = { listStatus: { page: 1, status: 500 } }
    const first = await listPage(double, { pageSize: '5' })
    expect(first.files).toHaveLength(5)
    const token = first.nextPageToken ?? ''
    for (let i = 0; i < 2; i++) {
      const answer = await call(double, '/drive/v3/files', { pageSize: '5', pageToken: token })
      expect(answer.status).toBe(500)
    }
    double.faults = { listStatus: { page: 1, status: 429, times: 1, retryAfter: 0 } }
    const limited = await call(double, '/drive/v3/files', { pageSize: '5', pageToken: token })
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('0')
    const second = await listPage(double, { pageSize: '5', pageToken: token })
    expect(second.files?.[0]?.id).toBe('f000006')
    expect(double.faults.listStatus).toBeUndefined()
  })

  it('downloadDelayMs slows every chunk and listDelayMs slows the listing', async () => {
    double.faults = { downloadDelayMs: 40 }
    const started = performance.now()
    const res = await fetch(endpoint(double, '/drive/v3/files/f000008', { alt: 'media' }), {
      headers: AUTH,
    })
    const got = await digest(res)
    // 300 KB and up is at least 5 chunks of 64 KiB: four pauses.
    expect(got.length).toBeGreaterThan(4 * 64 * 1024)
    expect(ms(started)).toBeGreaterThanOrEqual(150)
    expect(got.md5).toBe(await double.md5Of('f000008'))
    double.faults = { listDelayMs: 200 }
    const listed = performance.now()
    await listPage(double, { pageSize: '1' })
    expect(ms(listed)).toBeGreaterThanOrEqual(190)
    double.faults = {}
  })
})

describe('bookkeeping and close()', () => {
  it('records requests in order and counts concurrency', async () => {
    const double = await startDriveDouble({ files: makeFiles(3) })
    try {
      await call(double, '/drive/v3/files', { pageSize: '2' })
      await call(double, '/drive/v3/files/f000002', {}, { authorization: 'Bearer wrong' })
      await call(double, '/drive/v3/files/f000003', { alt: 'media' })
      expect(double.maxInFlight).toBe(1)
      expect(double.inFlight()).toBe(0)
      expect(double.requests.map((r) => [r.method, r.path, r.status])).toEqual([
        ['GET', '/drive/v3/files', 200],
        ['GET', '/drive/v3/files/f000002', 401],
        ['GET', '/drive/v3/files/f000003', 200],
      ])
      expect(double.requests[0]?.query).toEqual({ pageSize: '2' })
      expect(double.requests[1]?.authorization).toBe('Bearer wrong')
      expect(double.requests[2]?.at).toBeGreaterThanOrEqual(double.requests[0]?.at ?? Infinity)

      double.faults.listDelayMs = 100
      await Promise.all([1, 2, 3].map(() => call(double, '/drive/v3/files')))
      expect(double.maxInFlight).toBe(3)
    } finally {
      await double.close()
    }
  })

  it('close() ends open silent requests promptly', async () => {
    const double = await startDriveDouble({
      files: makeFiles(2, { minSize: 1_000_000, maxSize: 1_000_000 }),
      faults: { silentDownload: ['f000001'], silentMetadata: ['f000002'] },
    })
    const res = await fetch(endpoint(double, '/drive/v3/files/f000001', { alt: 'media' }), {
      headers: AUTH,
    })
    const reader = res.body?.getReader()
    if (!reader) throw new Error('no body')
    await reader.read()
    const pendingMeta = fetch(endpoint(double, '/drive/v3/files/f000002'), { headers: AUTH }).then(
      () => 'answered',
      () => 'failed',
    )
    while (double.inFlight() < 2) await new Promise((resolve) => setTimeout(resolve, 5))
    const started = performance.now()
    await double.close()
    expect(ms(started)).toBeLessThan(1000)
    const drain = async (): Promise<void> => {
      for (;;) if ((await reader.read()).done) return
    }
    expect(
      await drain().then(
        () => 'ended',
        () => 'failed',
      ),
    ).toBe('failed')
    expect(await pendingMeta).toBe('failed')
    expect(double.inFlight()).toBe(0)
  })
})
