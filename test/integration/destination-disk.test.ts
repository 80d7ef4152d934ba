// A destination in trouble, on real disks where this machine allows it: missing (an unplugged
// drive), read-only, full (a small tmpfs) before a file and in the middle of one. Each stops the
// run with a clear reason on its record, leaves no partial file, and keeps the earlier backup.
import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunOutcome } from '../../src/main/core/run-manager'
import type { WriteChunk } from '../../src/main/core/destination'
import {
  contentMd5,
  makeFiles,
  startDriveDouble,
  type DriveDouble,
  type DriveFile,
} from '../drive-double/server'
import { fsError, makeReadOnly, mountTmpfs } from '../support/disks'
import { googleDriveCodeFor, startTestCore, type TestCore } from '../support/fixtures'

const MiB = 1024 * 1024
let root: string
const cleanups: Array<() => void | Promise<void>> = []

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'skwirl-disk-'))
})

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

async function setUp(
  files: DriveFile[],
  writeChunk?: WriteChunk,
): Promise<{ core: TestCore; double: DriveDouble }> {
  const core = startTestCore({}, undefined, undefined, undefined, writeChunk ? { writeChunk } : {})
  cleanups.push(() => core.dispose())
  const double = await startDriveDouble({ files })
  cleanups.push(() => double.close())
  return { core, double }
}

function folder(name: string): string {
  const dir = join(root, name)
  mkdirSync(dir)
  return dir
}

function run(
  core: TestCore,
  double: DriveDouble,
  dir: string,
  edit = (code: string) => code,
): Promise<RunOutcome> {
  const provider = { id: 'disk', name: 'Google Drive', code: edit(googleDriveCodeFor(double.url)) }
  return core.runs.start(provider, { destination: dir }).done
}

const md5 = (path: string): string => createHash('md5').update(readFileSync(path)).digest('hex')

/** The files outside .skwirl and what is left in .skwirl/tmp. */
function contents(dir: string): { files: string[]; temporary: string[] } {
  const tmp = join(dir, '.skwirl', 'tmp')
  return {
    files: readdirSync(dir)
      .filter((name) => name !== '.skwirl')
      .sort(),
    temporary: existsSync(tmp) ? readdirSync(tmp) : [],
  }
}

/** Every stored file has its source's bytes. */
async function expectIntact(dir: string, files: DriveFile[]): Promise<void> {
  for (const name of contents(dir).files) {
    const source = files.find((file) => file.name === name) as DriveFile
    expect(md5(join(dir, name)), name).toBe(await contentMd5(source.content!))
  }
}

function expectStoppedBy(core: TestCore, outcome: RunOutcome, problem: RegExp): void {
  expect(outcome).toMatchObject({ status: 'failed', reason: 'destination' })
  expect(outcome.problem).toMatch(problem)
  // On the run's record and in the log, as the screen and `skwirl runs` show it.
  expect(core.runRecords.get(outcome.runId)).toMatchObject({
    status: 'failed',
    reason: 'destination',
    problem: outcome.problem,
  })
  expect(core.readLog()).toContain(`run stopped: ${outcome.problem}`)
}

describe('a destination in trouble', () => {
  it('missing (an unplugged drive): the run fails at once, says where, fetches nothing', async () => {
    const { core, double } = await setUp(makeFiles(3))
    const gone = join(root, 'unplugged', 'backup')
    const outcome = await run(core, double, gone)
    expectStoppedBy(core, outcome, /^destination missing: .*unplugged\/backup does not exist/)
    expect(double.requests).toEqual([])
    // Never created: a missing drive's mount point is not a place for a backup.
    expect(existsSync(gone)).toBe(false)
  })

  it('read-only: the run stops with the reason, the earlier backup untouched', async () => {
    const files = makeFiles(4, { minSize: 1000, maxSize: 5000, seed: 11 })
    const dir = folder('read-only')
    let failWrites = false
    const writeChunk: WriteChunk = async (handle, chunk) => {
      if (failWrites) throw fsError('EROFS', 'read-only file system')
      return handle.write(chunk)
    }
    const { core, double } = await setUp(files, writeChunk)
    expect((await run(core, double, dir)).downloaded).toBe(4)
    const snapshot = () => contents(dir).files.map((name) => [name, md5(join(dir, name))])
    const before = snapshot()

    const changed = files[2] as DriveFile
    changed.content = Buffer.from('changed at the source')
    changed.modifiedTime = '2026-01-01T00:00:00.000Z'
    const readOnly = makeReadOnly(dir)
    if (readOnly) cleanups.push(readOnly.undo)
    // Without the right to mount (root in a container), the drive turns read-only mid-write.
    else failWrites = true
    double.requests.length = 0
    const outcome = await run(core, double, dir)
    expectStoppedBy(core, outcome, /^destination read-only: Skwirl cannot write in .*read-only/)
    if (readOnly) expect(double.requests).toEqual([])
    readOnly?.undo()
    expect(snapshot()).toEqual(before)
    expect(contents(dir).temporary).toEqual([])
  })

  it('full before a file that does not fit: the run stops there, no partial file', async () => {
    const small = makeFiles(3, { minSize: 10_000, maxSize: 10_000, seed: 21 })
    const dir = folder('full-before')
    const unmount = mountTmpfs(dir, 4 * MiB)
    let room = Infinity
    // Without a tmpfs: a disk with 4 MiB, as the writer sees it.
    const writeChunk: WriteChunk = async (handle, chunk) => {
      room -= chunk.byteLength
      if (room < 0) throw fsError('ENOSPC', 'no space left on device')
      return handle.write(chunk)
    }
    if (unmount) cleanups.push(unmount)
    const { core, double } = await setUp(small, unmount ? undefined : writeChunk)
    expect((await run(core, double, dir)).downloaded).toBe(3)

    // Eight files of 400 kB more: about seven fit in what is left, with the margin kept free.
    const big = makeFiles(8, { minSize: 400_000, maxSize: 400_000, seed: 22 }).map((file) => ({
      ...file,
      id: `big-${file.id}`,
      name: `big-${file.name}`,
    }))
    double.files = [...small, ...big]
    room = unmount ? Infinity : 3 * MiB
    const outcome = await run(core, double, dir)
    expectStoppedBy(core, outcome, /^destination full: \S+ \S+ free in .*full-before/)
    expect(outcome.downloaded).toBeGreaterThan(0)
    expect(outcome.downloaded).toBeLessThan(8)
    const { files, temporary } = contents(dir)
    expect(temporary).toEqual([])
    expect(files).toHaveLength(3 + outcome.downloaded)
    await expectIntact(dir, double.files)
    if (unmount) {
      // The free-space check stopped it before the file, not a failed write in the middle.
      expect(outcome.problem).toMatch(/; the next file, big-file-\d+\.bin, needs 400 kB$/)
    }
  })

  it('full in the middle of a file (its size unknown beforehand): the run stops, the partial file is gone', async () => {
    const files = makeFiles(3, { minSize: 1_500_000, maxSize: 1_500_000, seed: 31 })
    const dir = folder('full-midway')
    const unmount = mountTmpfs(dir, 2 * MiB)
    if (unmount) cleanups.push(unmount)
    let room = 2 * MiB
    const writeChunk: WriteChunk = async (handle, chunk) => {
      room -= chunk.byteLength
      if (room < 0) throw fsError('ENOSPC', 'no space left on device')
      return handle.write(chunk)
    }
    const { core, double } = await setUp(files, unmount ? undefined : writeChunk)
    // A provider that cannot say how big its files are: no free-space check can help.
    const sizeUnknown = (code: string): string =>
      code.replace('size = tonumber(response.size) or 0', 'size = 0')
    const outcome = await run(core, double, dir, sizeUnknown)
    expectStoppedBy(core, outcome, /^destination full: .* free in .*full-midway$/)
    expect(outcome).toMatchObject({ downloaded: 1 })
    expect(outcome.errors.at(-1)).toMatchObject({ fileId: 'f000002', stage: 'download' })
    const { files: stored, temporary } = contents(dir)
    expect(stored).toEqual(['file-000001.bin'])
    expect(temporary).toEqual([])
    await expectIntact(dir, files)
  })

  it('a file that cannot be put in place after its bytes came fails alone, and is counted so', async () => {
    const files = makeFiles(6, { minSize: 100, maxSize: 3000, seed: 43 })
    const dir = folder('blocked')
    let writes = 0
    const { core, double } = await setUp(files, async (handle, chunk) => {
      // While the fourth file streams, a folder takes its place (another program, a sync tool):
      // its download is answered before it is flushed and put in place, and that step fails.
      if (++writes === 4) mkdirSync(join(dir, (files[3] as DriveFile).name))
      return handle.write(chunk)
    })
    const outcome = await run(core, double, dir)
    expect(outcome).toMatchObject({ status: 'completed', downloaded: 5, failed: 1 })
    expect(outcome.errors).toEqual([
      {
        fileId: (files[3] as DriveFile).id,
        stage: 'download',
        message: expect.stringMatching(/file-000004\.bin in the destination is a folder/),
      },
    ])
    expect(core.runRecords.get(outcome.runId)).toMatchObject({ downloaded: 5, failed: 1 })
    expect(contents(dir)).toEqual({
      files: files.map((file) => file.name).sort(),
      temporary: [],
    })
    expect(statSync(join(dir, (files[3] as DriveFile).name)).isDirectory()).toBe(true)
    for (const file of files.filter((_, i) => i !== 3)) {
      expect(md5(join(dir, file.name)), file.name).toBe(await contentMd5(file.content!))
    }
  })

  it('an fs error injected in the writer (ENOSPC) stops the run the same way', async () => {
    const files = makeFiles(5, { minSize: 100_000, maxSize: 100_000, seed: 41 })
    const dir = folder('injected')
    let room = 250_000
    const { core, double } = await setUp(files, async (handle, chunk) => {
      room -= chunk.byteLength
      if (room < 0) throw fsError('ENOSPC', 'no space left on device')
      return handle.write(chunk)
    })
    const outcome = await run(core, double, dir)
    expectStoppedBy(core, outcome, /^destination full: /)
    expect(outcome.downloaded).toBe(2)
    expect(contents(dir)).toEqual({ files: ['file-000001.bin', 'file-000002.bin'], temporary: [] })
    await expectIntact(dir, files)
  })
})

describe('writing a download', () => {
  it('a download that breaks midway goes on from there into the same temporary file: the kept copy is byte for byte', async () => {
    const files = makeFiles(2, { minSize: 700_000, maxSize: 700_000, seed: 51 })
    const broken = (files[1] as DriveFile).id
    const dir = folder('resumed')
    let written = 0
    const { core, double } = await setUp(files, async (handle, chunk) => {
      written += chunk.byteLength
      // Half the file comes, then the socket is cut; the request that resumes gets the rest.
      if (written > 700_000 + 300_000) double.faults.resetMidDownload = []
      return handle.write(chunk)
    })
    double.faults.resetMidDownload = [broken]
    const outcome = await run(core, double, dir)
    expect(outcome).toMatchObject({ status: 'completed', downloaded: 2, failed: 0, retries: 1 })
    const tries = double.requests.filter((r) => r.path.endsWith(`/${broken}`) && r.query.alt)
    expect(tries.map((r) => r.status)).toEqual([200, 206])
    expect(contents(dir)).toEqual({ files: files.map((f) => f.name).sort(), temporary: [] })
    await expectIntact(dir, files)
  })
})
