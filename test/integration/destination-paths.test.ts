// A corpus of hostile paths through the real runner into a real folder: everything lands inside
// the destination, under distinct names (on every OS: case and Unicode normalisation folded),
// the same from run to run, with the mapping in the manifest; a link planted in the folder is
// never written through.
import { createHash } from 'node:crypto'
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pathKey } from '../../src/main/core/destination'
import { startDriveDouble, type DriveDouble, type DriveFile } from '../drive-double/server'
import { googleDriveCodeFor, startTestCore, type TestCore } from '../support/fixtures'

// The shipped Drive provider uses the file's name as its path, so the names carry the corpus.
const CORPUS = [
  '../../../outside.txt',
  '/etc/absolute.txt',
  'C:\\Windows\\system.ini',
  'a/../../../../escape.txt',
  'CON',
  'nul.txt',
  'Aux.tar.gz',
  'a:b?c*d.txt',
  'trailing dot.',
  'trailing space ',
  '...',
  'ctrl\u0000nul\u0001\u001f\u007f.txt',
  `${'long-'.repeat(60)}.txt`,
  `${'ü'.repeat(150)}.txt`,
  'Report.pdf',
  'report.pdf',
  'REPORT.PDF',
  'Caf\u00e9.txt',
  'Cafe\u0301.txt',
  'duplicate.txt',
  'duplicate.txt',
  'folder',
  'folder/inside.txt',
  '.skwirl/manifest.db',
  '.SKWIRL',
  'link/through.txt',
  '',
]

let core: TestCore
let drive: DriveDouble
let root: string
let dir: string
let outside: string
const files: DriveFile[] = CORPUS.map((name, i) => ({
  id: `p${String(i).padStart(3, '0')}`,
  name,
  mimeType: 'application/octet-stream',
  modifiedTime: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString(),
  content: Buffer.from(`file ${i}: ${JSON.stringify(name)}\n`),
}))

beforeAll(async () => {
  core = startTestCore()
  drive = await startDriveDouble({ files })
  root = mkdtempSync(join(tmpdir(), 'skwirl-corpus-'))
  dir = join(root, 'backup')
  outside = join(root, 'outside')
  mkdirSync(dir)
  mkdirSync(outside)
  // A link planted in the backup folder, pointing out of it, where a provider path goes.
  symlinkSync(outside, join(dir, 'link'))
})

afterAll(async () => {
  await drive.close()
  await core.dispose()
  rmSync(root, { recursive: true, force: true })
})

function run() {
  const provider = { id: 'corpus', name: 'Corpus', code: googleDriveCodeFor(drive.url) }
  return core.runs.start(provider, { destination: dir }).done
}

const md5 = (bytes: Buffer | Uint8Array): string => createHash('md5').update(bytes).digest('hex')

/** Every regular file under `top`, relative, never following a link. */
function walk(top: string, skip: string | null = null): string[] {
  const found: string[] = []
  const visit = (relative: string): void => {
    for (const name of readdirSync(join(top, relative))) {
      const path = relative ? `${relative}/${name}` : name
      if (path === skip) continue
      const stats = lstatSync(join(top, path))
      if (stats.isDirectory()) visit(path)
      else if (stats.isFile()) found.push(path)
    }
  }
  visit('')
  return found.sort()
}

function mapping(): Map<string, string> {
  const db = new BetterSqlite3(join(dir, '.skwirl', 'manifest.db'), { readonly: true })
  try {
    const rows = db.prepare('SELECT file_id, stored_path FROM files').all() as Array<{
      file_id: string
      stored_path: string
    }>
    return new Map(rows.map((row) => [row.file_id, row.stored_path]))
  } finally {
    db.close()
  }
}

describe('hostile paths', () => {
  it('all land inside the folder, under distinct names that stay the same from run to run', async () => {
    const first = await run()
    expect(first.errors).toEqual([])
    expect(first).toMatchObject({ status: 'completed', downloaded: CORPUS.length })

    // Nothing went through the link, nothing outside the folder.
    expect(readdirSync(outside)).toEqual([])
    expect(lstatSync(join(dir, 'link')).isSymbolicLink()).toBe(true)
    expect(walk(root, 'backup')).toEqual([])

    // One stored file per source file, each with its own bytes, at the path the manifest records.
    const stored = mapping()
    expect(stored.size).toBe(CORPUS.length)
    const kept = walk(dir).filter((path) => !path.startsWith('.skwirl/'))
    expect(kept.sort()).toEqual([...stored.values()].sort())
    for (const file of files) {
      const path = stored.get(file.id) as string
      expect(md5(readFileSync(join(dir, path))), `${file.name} → ${path}`).toBe(
        md5(file.content as Uint8Array),
      )
    }
    // Distinct even where file systems fold case and normalisation (macOS, Windows).
    const keys = [...stored.values()].map(pathKey)
    expect(new Set(keys).size).toBe(keys.length)
    for (const path of stored.values()) {
      for (const name of path.split('/')) {
        expect(Buffer.byteLength(name), name).toBeLessThanOrEqual(255)
        expect(
          [...name].some((c) => (c.codePointAt(0) as number) < 0x20),
          path,
        ).toBe(false)
        expect(name, path).not.toMatch(/[\u007f<>:"\\|?*]|[. ]$/)
        expect(name, path).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i)
        expect(['', '.', '..']).not.toContain(name)
      }
      expect(pathKey(path.split('/')[0] as string)).not.toBe('.skwirl')
    }
    // Skwirl's own folder is untouched by the provider's ".skwirl/manifest.db".
    expect(stored.get('p023')).not.toMatch(/^\.skwirl\//)

    // Run again: nothing downloaded, every name as it was.
    const second = await run()
    expect(second).toMatchObject({ status: 'completed', downloaded: 0, unchanged: CORPUS.length })
    expect(mapping()).toEqual(stored)
    expect(walk(dir).filter((path) => !path.startsWith('.skwirl/'))).toEqual(kept.sort())
  })

  it('never replaces a file the folder already holds without keeping it', async () => {
    // Someone's own file sits where a new source file lands: it is kept as a version.
    writeFileSync(join(dir, 'newcomer.txt'), 'mine, not the backup’s\n')
    files.push({
      id: 'p999',
      name: 'newcomer.txt',
      mimeType: 'text/plain',
      modifiedTime: '2025-03-03T03:03:03.000Z',
      content: Buffer.from('from the source\n'),
    })
    const outcome = await run()
    expect(outcome).toMatchObject({ status: 'completed', downloaded: 1 })
    expect(readFileSync(join(dir, 'newcomer.txt'), 'utf8')).toBe('from the source\n')
    const stamp = outcome.startedAt.replaceAll(':', '-')
    expect(readFileSync(join(dir, '.skwirl', 'versions', stamp, 'newcomer.txt'), 'utf8')).toBe(
      'mine, not the backup’s\n',
    )
  })
})
