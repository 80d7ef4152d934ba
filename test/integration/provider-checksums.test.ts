// What the shipped providers make of the checksums servers send, against small doubles of the
// answers no server here gives: Nextcloud's oc:checksums (MD5, or only SHA1), and S3's ETag of an
// object uploaded in parts ("…-3"). An MD5 is checked against the bytes (a corrupted download
// fails); anything else says only whether the file changed, and the size is what is checked.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Provider } from '../../src/shared/api'
import { RESOURCES_DIR, startTestCore, type TestCore } from '../support/fixtures'

interface DoubleFile {
  path: string
  served: Buffer
  /** What the listing says: the real bytes' MD5 unless told otherwise. */
  md5?: string
  checksums?: string
  etag?: string
}

const GOOD = Buffer.from('the bytes the server has\n')
const md5 = (bytes: Buffer): string => createHash('md5').update(bytes).digest('hex')

let core: TestCore
let server: http.Server
let base = ''
let files: DoubleFile[] = []

beforeAll(async () => {
  core = startTestCore()
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (req.method === 'PROPFIND') {
      const root = '/remote.php/dav/files/alice/'
      const entries = files.map(
        (f) => `<d:response><d:href>${root}${encodeURI(f.path)}</d:href><d:propstat><d:prop>
<d:getcontentlength>${f.served.length}</d:getcontentlength>
<d:getlastmodified>Tue, 01 Oct 2024 08:00:00 GMT</d:getlastmodified>
<d:getetag>"${f.etag ?? 'abc123'}"</d:getetag><d:resourcetype/>
${f.checksums ? `<oc:checksums><oc:checksum>${f.checksums}</oc:checksum></oc:checksums>` : ''}
</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`,
      )
      res.writeHead(207, { 'Content-Type': 'application/xml; charset=utf-8' })
      res.end(
        `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:response><d:href>${root}</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>${entries.join('')}</d:multistatus>`,
      )
      return
    }
    if (url.searchParams.get('list-type') === '2') {
      const contents = files.map(
        (f) =>
          `<Contents><Key>${f.path}</Key><LastModified>2024-10-01T08:00:00.000Z</LastModified><ETag>&quot;${f.etag ?? md5(f.served)}&quot;</ETag><Size>${f.served.length}</Size></Contents>`,
      )
      res.writeHead(200, { 'Content-Type': 'application/xml' })
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><IsTruncated>false</IsTruncated>${contents.join('')}</ListBucketResult>`,
      )
      return
    }
    const name = decodeURIComponent(url.pathname).split('/').pop()
    const file = files.find((f) => f.path === name)
    if (!file) {
      res.writeHead(404)
      res.end()
      return
    }
    res.writeHead(200, { 'Content-Length': String(file.served.length) })
    res.end(file.served)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await core.dispose()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

let providerNumber = 0

/** A stored provider from the shipped code, its settings set as the person sets them. */
async function provider(file: string, values: Record<string, string>): Promise<Provider> {
  const created = core.providers.create({
    name: `${file} ${++providerNumber}`,
    code: readFileSync(join(RESOURCES_DIR, 'providers', file), 'utf8'),
  })
  const declaration = await core.providerSettings.declared(created)
  await core.providerSettings.update(created.id, declaration, values)
  return created
}

async function failures(p: Provider): Promise<Record<string, string>> {
  const outcome = await core.runs.start(p).done
  expect(outcome.listed).toBe(files.length)
  return Object.fromEntries(outcome.errors.map((e) => [e.fileId ?? '', e.message]))
}

describe('WebDAV checksums (a Nextcloud answer)', () => {
  const nextcloud = () =>
    provider('webdav.lua', {
      server: 'nextcloud',
      url: base,
      username: 'alice',
      password: 'x',
      folder: '/',
    })

  it('checks the bytes against oc:checksums MD5, and says so when they differ', async () => {
    const corrupt = Buffer.from(GOOD)
    corrupt[0] = 0x54
    files = [
      { path: 'good.txt', served: GOOD, checksums: `SHA1:00ff MD5:${md5(GOOD)} ADLER32:1` },
      { path: 'corrupt.txt', served: corrupt, checksums: `MD5:${md5(GOOD)}` },
    ]
    const failed = await failures(await nextcloud())
    expect(Object.keys(failed)).toEqual(['corrupt.txt'])
    expect(failed['corrupt.txt']).toMatch(/checksum mismatch/)
  })

  it('with only a SHA1 or an ETag, checks the size: the same bytes differing pass', async () => {
    const other = Buffer.from(GOOD)
    other[0] = 0x54
    files = [
      { path: 'sha1.txt', served: other, checksums: 'SHA1:0123456789abcdef' },
      { path: 'etag.txt', served: other, etag: md5(GOOD) },
    ]
    // An ETag that happens to be 32 hex digits is still not taken for an MD5.
    expect(await failures(await nextcloud())).toEqual({})
  })
})

describe('S3 ETags', () => {
  it('checks an ETag that is an MD5, and not one with a part count', async () => {
    const other = Buffer.from(GOOD)
    other[0] = 0x54
    files = [
      { path: 'single.bin', served: other, etag: md5(GOOD) },
      { path: 'multipart.bin', served: other, etag: `${md5(GOOD)}-3` },
    ]
    const s3 = await provider('s3.lua', {
      endpoint: base,
      region: 'us-east-1',
      bucket: 'b',
      prefix: '',
      addressing: 'path',
      access_key_id: 'AKID',
      secret_access_key: 'secret',
    })
    const failed = await failures(s3)
    expect(Object.keys(failed)).toEqual(['single.bin'])
    expect(failed['single.bin']).toMatch(/checksum mismatch/)
  })
})
