// Destinations from the command line: provider set, run --dest / --verify, verify DIR, the exit
// codes, one run at a time per destination across processes, and SIGKILL at random moments.
import { createHash } from 'node:crypto'
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  contentMd5,
  makeFiles,
  startDriveDouble,
  type DriveDouble,
  type DriveFile,
  type Faults,
} from '../drive-double/server'
import { googleDriveCodeFor, makeDataDir } from '../support/fixtures'
import { killStartedSkwirls, startSkwirl, stderrMatching, type Finished } from '../support/cli'

let data: { dir: string; remove: () => void }
const doubles: DriveDouble[] = []

beforeAll(() => {
  data = makeDataDir()
})

afterEach(async () => {
  killStartedSkwirls()
  await Promise.all(doubles.splice(0).map((double) => double.close()))
})

afterAll(() => {
  data.remove()
})

function skwirl(args: string[], dataDir = data.dir): Promise<Finished> {
  return startSkwirl(args, dataDir).finished
}

async function double(files: DriveFile[], faults: Faults = {}): Promise<DriveDouble> {
  const started = await startDriveDouble({ files, faults })
  doubles.push(started)
  return started
}

function providerFile(target: DriveDouble, name = 'drive-double'): string {
  const path = join(data.dir, `${name}.lua`)
  writeFileSync(path, googleDriveCodeFor(target.url))
  return path
}

function folder(name: string): string {
  const dir = join(data.dir, name)
  rmSync(dir, { recursive: true, force: true })
  return dir
}

interface Report {
  status: string
  downloaded: number
  unchanged: number
  failed: number
  destination: string | null
  problem: string | null
  errors: unknown[]
}

function report(out: Finished): Report {
  return JSON.parse(out.stdout) as Report
}

const md5 = (path: string): string => createHash('md5').update(readFileSync(path)).digest('hex')

/** The kept files (outside .skwirl), by name. */
function kept(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name !== '.skwirl')
    .sort()
}

describe('provider set, run --dest and verify', () => {
  it('sets a destination, backs up into it, finds nothing changed, and goes back to check only', async () => {
    const files = makeFiles(6, { minSize: 100, maxSize: 20_000, seed: 5 })
    const drive = await double(files)
    expect((await skwirl(['provider', 'add', 'Drive', providerFile(drive)])).code).toBe(0)
    const dir = folder('set-backup')

    const set = await skwirl(['provider', 'set', 'drive', '--dest', dir, '--retention', '7'])
    expect(set).toMatchObject({
      code: 0,
      stdout: `Drive: its runs keep the files in ${dir} (created); old versions are kept 7 day(s).\n`,
    })
    const listed = JSON.parse((await skwirl(['provider', 'list', '--json'])).stdout) as Array<{
      name: string
      options: unknown
    }>
    expect(listed.find((p) => p.name === 'Drive')?.options).toEqual({
      destination: dir,
      retentionDays: 7,
      transfers: 1,
      schedule: { kind: 'off' },
    })

    const first = await skwirl(['run', 'Drive', '--json'])
    expect(first.code, first.stderr).toBe(0)
    expect(report(first)).toMatchObject({ status: 'completed', downloaded: 6, destination: dir })
    expect(kept(dir)).toEqual(files.map((f) => f.name).sort())

    const second = await skwirl(['run', 'Drive'])
    expect(second.code).toBe(0)
    expect(second.stderr).toMatch(
      /^Drive: completed\. 6 listed, 0 downloaded, 6 unchanged, 0 skipped, 0 failed, 0 B\.$/m,
    )
    expect(second.stderr).toContain(`Backup in ${dir}`)

    // --verify downloads everything again and compares: all the same, nothing replaced.
    const verified = await skwirl(['run', 'Drive', '--verify', '--json'])
    expect(verified.code).toBe(0)
    expect(report(verified)).toMatchObject({ downloaded: 6, unchanged: 0 })
    expect(existsSync(join(dir, '.skwirl', 'versions'))).toBe(false)

    expect((await skwirl(['provider', 'set', 'Drive', '--no-dest'])).stdout).toBe(
      'Drive: check only: its runs verify the files without keeping them; old versions are kept 7 day(s).\n',
    )
    const checkOnly = await skwirl(['run', 'Drive', '--json'])
    expect(report(checkOnly)).toMatchObject({ downloaded: 6, destination: null })
    // --dest for one run, whatever is set.
    const once = await skwirl(['run', 'Drive', '--dest', dir, '--json'])
    expect(report(once)).toMatchObject({ unchanged: 6, destination: dir })
  })

  it('says what is wrong with a destination: exit 1 with the reason, 2 for contradicting flags', async () => {
    const drive = await double(makeFiles(2))
    const file = providerFile(drive)
    const missing = join(data.dir, 'no-such-drive', 'backup')
    const out = await skwirl(['run', file, '--dest', missing])
    expect(out.code).toBe(1)
    expect(out.stderr).toContain(`destination missing: ${missing} does not exist`)
    expect(drive.requests).toEqual([])

    expect((await skwirl(['run', file, '--dest', 'x', '--no-dest'])).code).toBe(2)
    expect((await skwirl(['run', file, '--no-dest', '--verify'])).code).toBe(2)
    expect((await skwirl(['provider', 'set', 'Google Drive'])).code).toBe(2)
    const notAFolder = join(data.dir, 'a-file')
    writeFileSync(notAFolder, '')
    const refused = await skwirl(['provider', 'set', 'Google Drive', '--dest', notAFolder])
    expect(refused).toMatchObject({
      code: 1,
      stderr: `skwirl: ${notAFolder} is a file, not a folder.\n`,
    })
  })

  it('exits 3 when a run into a destination completed with some files failed', async () => {
    const drive = await double(makeFiles(4, { docsEvery: 2 }))
    const dir = folder('partly')
    mkdirSync(dir)
    const out = await skwirl(['run', providerFile(drive), '--dest', dir, '--json'])
    expect(out.code).toBe(3)
    expect(report(out)).toMatchObject({ status: 'completed', downloaded: 2, failed: 2 })
  })

  it('verify: exit 0 when every file matches, 1 with the list of what is missing or different', async () => {
    const files = makeFiles(5, { minSize: 500, maxSize: 5000, seed: 9 })
    const drive = await double(files)
    const dir = folder('to-verify')
    mkdirSync(dir)
    expect((await skwirl(['run', providerFile(drive), '--dest', dir])).code).toBe(0)

    const good = await skwirl(['verify', dir])
    expect(good.code).toBe(0)
    expect(good.stdout).toBe('')
    expect(good.stderr).toMatch(
      new RegExp(`All 5 file\\(s\\) match the manifest \\(.+\\) in ${dir}\\.\\n$`),
    )

    // Bit rot (same size, other bytes) and a deleted file.
    const rotten = join(dir, 'file-000002.bin')
    const bytes = readFileSync(rotten)
    bytes[0] = (bytes[0] as number) ^ 1
    writeFileSync(rotten, bytes)
    rmSync(join(dir, 'file-000004.bin'))
    const bad = await skwirl(['verify', dir])
    expect(bad.code).toBe(1)
    expect(bad.stdout).toBe(
      'file-000002.bin: different bytes (checksum)\nfile-000004.bin: missing\n',
    )
    expect(bad.stderr).toContain(`2 of 5 file(s) missing or different in ${dir}.`)
    const json = await skwirl(['verify', dir, '--json'])
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout)).toMatchObject({
      dir,
      files: 5,
      checked: 5,
      ok: false,
      problems: [
        { path: 'file-000002.bin', kind: 'file', problem: 'checksum', deletedAtSource: false },
        { path: 'file-000004.bin', kind: 'file', problem: 'missing', deletedAtSource: false },
      ],
    })

    // The next run repairs both (the rotten copy is not the source's: downloaded again, the
    // old one kept as a version); --verify would have found the rot too.
    const repaired = await skwirl(['run', providerFile(drive), '--dest', dir, '--verify', '--json'])
    expect(report(repaired)).toMatchObject({ status: 'completed', downloaded: 5 })
    expect((await skwirl(['verify', dir])).code).toBe(0)

    const notBackup = await skwirl(['verify', data.dir])
    expect(notBackup.code).toBe(1)
    expect(notBackup.stderr).toContain('is not a Skwirl backup')
  })
})

describe('one run at a time per destination', () => {
  it('a second process waits for the first, says so, then finds everything unchanged', async () => {
    const files = makeFiles(12, { minSize: 200_000, maxSize: 200_000, seed: 13 })
    const drive = await double(files, { downloadDelayMs: 40 })
    const dir = folder('shared')
    mkdirSync(dir)
    const file = providerFile(drive)
    // --verbose: the log's lines on stderr; the listing is done once the folder is held.
    const first = startSkwirl(['run', file, '--dest', dir, '--json', '-v'], data.dir)
    await stderrMatching(first, /^info: \[run=\S+ provider="drive-double" stage=list\] listed 12/m)
    const second = startSkwirl(['run', file, '--dest', dir, '--json'], data.dir)
    const waiting = await stderrMatching(second, /^skwirl: .* is in use; waiting for .*$/m)
    expect(waiting).toBe(
      `skwirl: ${dir} is in use; waiting for the backup of “drive-double” (Skwirl process ${first.child.pid}, ${waiting.split(', ').at(-1)}`,
    )
    const one = await first.finished
    expect(report(one)).toMatchObject({ status: 'completed', downloaded: 12 })
    const two = await second.finished
    expect(two.code, two.stderr).toBe(0)
    expect(report(two)).toMatchObject({ status: 'completed', downloaded: 0, unchanged: 12 })
  })
})

describe('SIGKILL at random moments', () => {
  it('20 kills leave every kept file whole (its old or its new bytes), and the next run completes', async () => {
    const files = makeFiles(24, { minSize: 20_000, maxSize: 150_000, seed: 17 })
    const drive = await double(files, { downloadDelayMs: 5 })
    const dir = folder('killed')
    mkdirSync(dir)
    const file = providerFile(drive)
    // Every version of each file the double has ever served.
    const served = new Map<string, Set<string>>()
    const remember = async (): Promise<void> => {
      for (const f of files) {
        const set = served.get(f.name) ?? new Set()
        set.add(await contentMd5(f.content!))
        served.set(f.name, set)
      }
    }
    await remember()
    let seed = 1000
    for (let kill = 0; kill < 20; kill++) {
      // A few files change at the source each time, so that kills also land in replacements.
      for (const f of files.filter((_, i) => (i + kill) % 6 === 0)) {
        f.content = { size: 20_000 + ((seed * 7919) % 130_000), seed: seed++ }
        f.modifiedTime = new Date(Date.parse(f.modifiedTime) + 60_000).toISOString()
      }
      await remember()
      const run = startSkwirl(['run', file, '--dest', dir], data.dir)
      // Anywhere from start-up to the middle of the downloads.
      await sleep(100 + Math.floor(Math.random() * 1400))
      run.child.kill('SIGKILL')
      await run.finished
      for (const name of kept(dir)) {
        const path = join(dir, name)
        expect(lstatSync(path).isFile(), name).toBe(true)
        expect(
          served.get(name),
          `kill ${kill + 1}: ${name} is not a file the source served`,
        ).toBeDefined()
        expect(served.get(name)?.has(md5(path)), `kill ${kill + 1}: ${name} is not whole`).toBe(
          true,
        )
      }
    }
    const last = await skwirl(['run', file, '--dest', dir, '--json'])
    expect(last.code, last.stderr).toBe(0)
    expect(report(last)).toMatchObject({ status: 'completed', failed: 0 })
    for (const f of files) expect(md5(join(dir, f.name))).toBe(await contentMd5(f.content!))
    expect((await skwirl(['verify', dir])).code).toBe(0)
    expect(readdirSync(join(dir, '.skwirl')).filter((name) => name === 'tmp')).toEqual([])
  })
})
