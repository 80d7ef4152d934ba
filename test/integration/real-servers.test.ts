// Backups from servers nobody here wrote, through the shipped providers, the real core and
// runner, into a real folder: rclone serve webdav (with a login), Apache mod_dav in Nextcloud's
// layout (/remote.php/dav/files/<user>/, HTTP Basic), and s3rver behind a SigV4 check, each
// serving the same generated tree (nested folders, unicode, spaces, punctuation, a 0-byte file,
// 1,000 small files, one 200 MB file). The backup is the tree byte for byte; a second run
// downloads nothing. Settings are stored as the person stores them (the provider declares them).
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RESOURCES_DIR, startTestCore, type TestCore } from '../support/fixtures'
import { startS3, type S3Server } from '../servers/s3'
import { generateTree, type Tree } from '../servers/tree'
import { startApacheWebdav, startRcloneWebdav, type WebdavServer } from '../servers/webdav'

const MB = 1024 * 1024
const LOGIN = { user: 'alice', password: 'app-password-Xk3!' }

let tree: Tree
let core: TestCore
let rclone: WebdavServer
let apache: WebdavServer
let s3: S3Server
const folders: string[] = []

beforeAll(async () => {
  tree = await generateTree({ smallFiles: 1000, bigBytes: 200 * MB })
  ;[rclone, apache, s3] = await Promise.all([
    // Nothing changes between runs here: rclone may keep its directory cache (as it does by default).
    startRcloneWebdav(tree.root, LOGIN, { dirCacheTime: '5m' }),
    startApacheWebdav(tree.root, LOGIN),
    startS3(tree, { prefix: 'backups/laptop/' }),
  ])
  core = startTestCore()
}, 180_000)

afterAll(async () => {
  await core?.dispose()
  await Promise.all([rclone?.stop(), apache?.stop(), s3?.stop()])
  tree?.remove()
  for (const folder of folders) rmSync(folder, { recursive: true, force: true })
})

function shipped(file: string): string {
  return readFileSync(join(RESOURCES_DIR, 'providers', file), 'utf8')
}

/** A stored provider from the shipped code, its settings set as the person sets them in the form. */
async function configure(name: string, file: string, values: Record<string, string>) {
  const provider = core.providers.create({ name, code: shipped(file) })
  const declaration = await core.providerSettings.declared(provider)
  await core.providerSettings.update(provider.id, declaration, values)
  return provider
}

function md5(path: string): string {
  return createHash('md5').update(readFileSync(path)).digest('hex')
}

/** Every file under dir (Skwirl's .skwirl folder left out), as tree-relative paths. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((path) => !path.startsWith('.skwirl/'))
    .sort()
}

/** The folder holds the tree: the same paths, the same bytes, nothing more. */
function expectSameTree(dir: string, mtimes: 'server' | 'upload'): void {
  expect(filesUnder(dir)).toEqual(tree.files.map((f) => f.path).sort())
  for (const file of tree.files) {
    const kept = join(dir, file.path)
    expect(statSync(kept).size, file.path).toBe(file.size)
    expect(md5(kept), file.path).toBe(file.md5)
    if (mtimes === 'server') {
      // WebDAV's getlastmodified has whole seconds.
      const source = Math.floor(statSync(join(tree.root, file.path)).mtimeMs / 1000)
      expect(Math.floor(statSync(kept).mtimeMs / 1000), file.path).toBe(source)
    }
  }
}

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'skwirl-real-dest-'))
  folders.push(dir)
  return dir
}

const cases = [
  {
    name: 'rclone serve webdav, with a login',
    file: 'webdav.lua',
    mtimes: 'server' as const,
    settings: () => ({
      server: 'webdav',
      url: rclone.url,
      username: LOGIN.user,
      password: LOGIN.password,
      folder: '/',
    }),
  },
  {
    name: 'Apache mod_dav in the Nextcloud layout (the Nextcloud preset)',
    file: 'webdav.lua',
    mtimes: 'server' as const,
    settings: () => ({
      server: 'nextcloud',
      url: apache.url,
      username: LOGIN.user,
      password: LOGIN.password,
      folder: '/',
    }),
  },
  {
    name: 's3rver, path-style, a prefix, every request signed',
    file: 's3.lua',
    mtimes: 'upload' as const,
    settings: () => ({
      endpoint: s3.endpoint,
      region: s3.region,
      bucket: s3.bucket,
      prefix: 'backups/laptop/',
      addressing: 'auto',
      access_key_id: s3.credentials.accessKeyId,
      secret_access_key: s3.credentials.secretAccessKey,
    }),
  },
]

describe.each(cases)('$name', ({ name, file, mtimes, settings: values }) => {
  it('backs up the tree byte for byte; a second run downloads nothing', async () => {
    const provider = await configure(name, file, values())
    const dest = folder()
    const count = tree.files.length
    const before = s3.requests().length

    const first = await core.runs.start(provider, { destination: dest }).done
    expect(first.errors).toEqual([])
    expect(first).toMatchObject({
      status: 'completed',
      listed: count,
      downloaded: count,
      failed: 0,
    })
    expectSameTree(dest, mtimes)

    const between = s3.requests().length
    const second = await core.runs.start(provider, { destination: dest }).done
    expect(second.errors).toEqual([])
    expect(second).toMatchObject({
      status: 'completed',
      listed: count,
      downloaded: 0,
      unchanged: count,
      failed: 0,
    })
    expectSameTree(dest, mtimes)
    if (file === 's3.lua') {
      const objectGets = (from: number, to?: number) =>
        s3
          .requests()
          .slice(from, to)
          .filter((r) => r.method === 'GET' && !r.query.includes('list-type'))
      expect(objectGets(before, between)).toHaveLength(count)
      expect(objectGets(between)).toHaveLength(0)
      // More keys than s3rver's 1,000 a page: the listing followed a continuation token.
      const listings = s3
        .requests()
        .slice(before, between)
        .filter((r) => r.query.includes('list-type=2'))
      expect(listings).toHaveLength(Math.ceil(count / 1000))
      expect(listings.length).toBeGreaterThan(1)
      expect(listings[1]?.query).toContain('continuation-token=')
      expect(
        s3
          .requests()
          .slice(before)
          .every((r) => r.status === 200),
      ).toBe(true)
    }
  }, 240_000)
})
