// Backups that keep the files: the shipped Google Drive provider through the real core and runner,
// into a real folder, against the Drive double. What lands on disk (bytes, mtimes, versions, the
// manifest) and what the double was asked for.
import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunOutcome, RunOptions } from '../../src/main/core/run-manager'
import { verifyDestination } from '../../src/main/core/destination'
import {
  contentBytes,
  contentMd5,
  makeFiles,
  startDriveDouble,
  type DriveDouble,
  type DriveFile,
} from '../drive-double/server'
import { googleDriveCodeFor, startTestCore, type TestCore } from '../support/fixtures'

let core: TestCore
const doubles: DriveDouble[] = []
const folders: string[] = []

beforeAll(() => {
  core = startTestCore()
})

afterEach(async () => {
  await Promise.all(doubles.splice(0).map((double) => double.close()))
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

afterAll(async () => {
  await core.dispose()
})

async function setUp(files: DriveFile[]): Promise<{ double: DriveDouble; dir: string }> {
  const double = await startDriveDouble({ files })
  doubles.push(double)
  const dir = mkdtempSync(join(tmpdir(), 'skwirl-dest-'))
  folders.push(dir)
  return { double, dir }
}

function run(double: DriveDouble, options: RunOptions, edit = (code: string) => code) {
  const provider = {
    id: 'drive-dest',
    name: 'Google Drive',
    code: edit(googleDriveCodeFor(double.url)),
  }
  return core.runs.start(provider, options).done
}

function mediaRequests(double: DriveDouble): string[] {
  return double.requests
    .filter((r) => r.query.alt === 'media')
    .map((r) => r.path.split('/').pop() ?? '')
}

function md5(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('hex')
}

/** Every stored file matches the double's file of that name: bytes and mtime. */
async function expectKept(dir: string, files: DriveFile[]): Promise<void> {
  for (const file of files) {
    const path = join(dir, file.name)
    const content = file.content ?? new Uint8Array(0)
    expect(md5(readFileSync(path)), file.name).toBe(await contentMd5(content))
    expect(statSync(path).mtime.toISOString(), file.name).toBe(file.modifiedTime)
  }
}

function manifestRows(
  dir: string,
): Array<{ file_id: string; stored_path: string; deleted_at: string | null; md5: string | null }> {
  const db = new BetterSqlite3(join(dir, '.skwirl', 'manifest.db'), { readonly: true })
  try {
    return db.prepare('SELECT * FROM files ORDER BY file_id').all() as never
  } finally {
    db.close()
  }
}

function versionFiles(dir: string): string[] {
  const root = join(dir, '.skwirl', 'versions')
  if (!existsSync(root)) return []
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1))
    .sort()
}

/** Temporary files a run left behind (none: a run clears .skwirl/tmp when it ends). */
function leftovers(dir: string): string[] {
  const tmp = join(dir, '.skwirl', 'tmp')
  return existsSync(tmp) ? readdirSync(tmp) : []
}

function expectCompleted(outcome: RunOutcome): void {
  expect(outcome.errors).toEqual([])
  expect(outcome.status).toBe('completed')
}

describe('a backup into a destination', () => {
  it('keeps every file, downloads nothing twice, versions what changed, keeps what the source lost', async () => {
    const files = makeFiles(12, { minSize: 1, maxSize: 70_000, seed: 7 })
    const { double, dir } = await setUp(files)

    // 1: every file lands byte for byte, with the source's modified time.
    const first = await run(double, { destination: dir })
    expectCompleted(first)
    expect(first).toMatchObject({ listed: 12, downloaded: 12, unchanged: 0, destination: dir })
    await expectKept(dir, files)
    expect(mediaRequests(double)).toHaveLength(12)
    expect(versionFiles(dir)).toEqual([])
    expect(leftovers(dir)).toEqual([])

    // 2: nothing changed, nothing downloaded: the double sees no alt=media at all.
    double.requests.length = 0
    const second = await run(double, { destination: dir })
    expectCompleted(second)
    expect(second).toMatchObject({ downloaded: 0, unchanged: 12, bytes: 0 })
    expect(second.unchangedBytes).toBe(first.bytes)
    expect(mediaRequests(double)).toEqual([])

    // 3: five files changed at the source: five downloads, five old copies kept as versions.
    const changed = [0, 3, 5, 8, 11]
    const before = new Map(
      changed.map((i) => [files[i]?.name, readFileSync(join(dir, files[i]!.name))]),
    )
    for (const i of changed) {
      const file = files[i] as DriveFile
      file.content = Buffer.from(`new content of ${file.name}`)
      file.modifiedTime = new Date(Date.parse(file.modifiedTime) + 3_600_000).toISOString()
    }
    double.requests.length = 0
    const third = await run(double, { destination: dir })
    expectCompleted(third)
    expect(third).toMatchObject({ downloaded: 5, unchanged: 7 })
    expect(mediaRequests(double).sort()).toEqual(changed.map((i) => files[i]!.id).sort())
    await expectKept(dir, files)
    const stamp = third.startedAt.replaceAll(':', '-')
    expect(versionFiles(dir)).toEqual(changed.map((i) => `${stamp}/${files[i]!.name}`).sort())
    for (const [name, bytes] of before) {
      expect(
        readFileSync(join(dir, '.skwirl', 'versions', stamp, name as string)).equals(bytes),
      ).toBe(true)
    }

    // 4: a file removed at the source stays in the backup, marked deleted in the manifest.
    const gone = files.splice(4, 1)[0] as DriveFile
    double.files = files
    const fourth = await run(double, { destination: dir })
    expectCompleted(fourth)
    expect(fourth).toMatchObject({ listed: 11, unchanged: 11, downloaded: 0 })
    const kept = readFileSync(join(dir, gone.name))
    expect(md5(kept)).toBe(await contentMd5(gone.content!))
    const rows = manifestRows(dir)
    expect(rows.find((row) => row.file_id === gone.id)?.deleted_at).not.toBeNull()
    expect(rows.filter((row) => row.deleted_at !== null)).toHaveLength(1)

    // The folder describes itself: verify re-hashes everything against the manifest.
    const report = await verifyDestination(dir)
    expect(report).toMatchObject({ files: 12, versions: 5, checked: 17, problems: [] })
  })

  it('takes a file as unchanged only while its copy is in place with its size; a rename or a new time moves or touches the copy', async () => {
    const files = makeFiles(10, { minSize: 10, maxSize: 5000, seed: 11 })
    const { double, dir } = await setUp(files)
    expectCompleted(await run(double, { destination: dir }))
    const [gone, cut, renamed, touched] = files.slice(1, 5) as [
      DriveFile,
      DriveFile,
      DriveFile,
      DriveFile,
    ]
    // The user removes one copy and cuts another short; the source renames one file and gives
    // another a new modified time (same bytes).
    rmSync(join(dir, gone.name))
    const cutBytes = readFileSync(join(dir, cut.name)).subarray(0, 5)
    writeFileSync(join(dir, cut.name), cutBytes)
    const oldName = renamed.name
    renamed.name = 'renamed.bin'
    touched.modifiedTime = new Date(Date.parse(touched.modifiedTime) + 60_000).toISOString()
    double.requests.length = 0

    const second = await run(double, { destination: dir })
    expectCompleted(second)
    expect(second).toMatchObject({ listed: 10, downloaded: 2, unchanged: 8 })
    expect(mediaRequests(double).sort()).toEqual([gone.id, cut.id].sort())
    await expectKept(dir, files)
    expect(existsSync(join(dir, oldName))).toBe(false)
    // The short copy was replaced, and kept as a version (whatever a run replaces is kept).
    const stamp = second.startedAt.replaceAll(':', '-')
    expect(versionFiles(dir)).toEqual([`${stamp}/${cut.name}`])
    expect(readFileSync(join(dir, '.skwirl', 'versions', stamp, cut.name)).equals(cutBytes)).toBe(
      true,
    )
    expect(
      manifestRows(dir)
        .map((row) => row.stored_path)
        .sort(),
    ).toEqual(files.map((file) => file.name).sort())
  })

  it('leaves the old copy in place when a download does not match its MD5', async () => {
    const files = makeFiles(3, { minSize: 100, maxSize: 5000, seed: 3 })
    const { double, dir } = await setUp(files)
    expectCompleted(await run(double, { destination: dir }))
    const victim = files[1] as DriveFile
    const old = readFileSync(join(dir, victim.name))

    victim.content = contentBytes({ size: 4000, seed: 99 })
    victim.modifiedTime = '2026-02-02T02:02:02.000Z'
    double.faults.corruptDownload = [victim.id]
    const outcome = await run(double, { destination: dir })
    expect(outcome).toMatchObject({ status: 'completed', downloaded: 0, unchanged: 2, failed: 1 })
    expect(outcome.errors[0]).toMatchObject({ fileId: victim.id, stage: 'download' })
    expect(outcome.errors[0]?.message).toMatch(/checksum mismatch/)
    expect(readFileSync(join(dir, victim.name)).equals(old)).toBe(true)
    expect(versionFiles(dir)).toEqual([])
    expect(leftovers(dir)).toEqual([])

    // Once the transfer is sound again, the new bytes replace it and the old become a version.
    delete double.faults.corruptDownload
    const fixed = await run(double, { destination: dir })
    expect(fixed).toMatchObject({ status: 'completed', downloaded: 1, unchanged: 2 })
    await expectKept(dir, files)
    expect(versionFiles(dir)).toHaveLength(1)
  })

  it('keeps a scheduled run’s files in the provider’s destination too', async () => {
    const files = makeFiles(3, { minSize: 100, maxSize: 2000, seed: 4 })
    const { double, dir } = await setUp(files)
    // A clock that stands still unless the test moves it; its timers never fire by themselves.
    const clock = { time: Date.now(), now: () => clock.time, setTimer: () => () => undefined }
    const scheduled = startTestCore({}, undefined, undefined, undefined, { clock })
    try {
      const provider = scheduled.providers.create({
        name: 'Scheduled Drive',
        code: googleDriveCodeFor(double.url),
      })
      scheduled.setOptions(provider.id, {
        destination: dir,
        schedule: { kind: 'interval', hours: 1 },
      })
      clock.time += 3_600_000
      const [slot] = scheduled.scheduler.runDue()
      expect(slot).toMatchObject({ status: 'started' })
      const outcome = await (slot as { done: Promise<RunOutcome> }).done
      expect(outcome).toMatchObject({ status: 'completed', downloaded: 3, destination: dir })
      await expectKept(dir, files)
    } finally {
      await scheduled.dispose()
    }
  })

  it('prunes versions older than the retention after a completed run, and only then', async () => {
    const files = makeFiles(2, { minSize: 100, maxSize: 500, seed: 8 })
    const { double, dir } = await setUp(files)
    expectCompleted(await run(double, { destination: dir }))
    // A version folder from long ago (and one the manifest lists whose folder is gone).
    const versions = join(dir, '.skwirl', 'versions')
    const old = join(versions, '2020-01-01T00-00-00.000Z')
    mkdirSync(old, { recursive: true })
    writeFileSync(join(old, 'ancient.txt'), 'from 2020')
    const changed = files[0] as DriveFile
    changed.content = Buffer.from('changed')
    changed.modifiedTime = '2026-03-03T03:03:03.000Z'

    // A run that fails (its listing) prunes nothing.
    const failing = await run(double, { destination: dir, retentionDays: 30 }, (code) =>
      code.replace('function list_file_ids()', 'function list_file_ids() error("down")'),
    )
    expect(failing.status).toBe('failed')
    expect(existsSync(old)).toBe(true)

    const done = await run(double, { destination: dir, retentionDays: 30 })
    expectCompleted(done)
    expect(existsSync(old)).toBe(false)
    // This run's own versions stay, whatever the retention.
    const stamp = done.startedAt.replaceAll(':', '-')
    expect(versionFiles(dir)).toEqual([`${stamp}/${changed.name}`])
    const kept = await run(double, { destination: dir, retentionDays: 0 })
    expectCompleted(kept)
    // Retention 0: only the newest run's previous copies are kept (this one made none).
    expect(versionFiles(dir)).toEqual([])
  })
})
