// `skwirl` as a user runs it: the built CLI (out/main/cli.js) through bin/skwirl.cjs, in its own
// process, with SKWIRL_DATA_DIR pointing at a temporary directory.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  contentSize,
  DEFAULT_TOKEN,
  makeFiles,
  startDriveDouble,
  type DriveDouble,
  type DriveFile,
  type Faults,
} from '../drive-double/server'
import { googleDriveCodeFor, makeDataDir } from '../support/fixtures'
import {
  killStartedSkwirls,
  startSkwirl,
  stderrMatching,
  type Finished,
  type Started,
} from '../support/cli'
const REPORT_KEYS = [
  'runId',
  'provider',
  'status',
  'listed',
  'downloaded',
  'unchanged',
  'skipped',
  'failed',
  'bytes',
  'retries',
  'destination',
  'problem',
  'errors',
  'errorsOmitted',
  'recorded',
].sort()
/** With --verbose, the log's line once the listing is done. */
const LISTED_30 = /^info: \[run=\S+ provider="drive-double" stage=list\] listed 30 file\(s\)$/m

interface Report {
  runId: string
  provider: string
  status: string
  listed: number
  downloaded: number
  skipped: number
  failed: number
  bytes: number
  retries: number
  errors: Array<{ fileId: string | null; stage: string; message: string }>
  errorsOmitted: number
  recorded: boolean
}

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

/** Starts `skwirl …` on this file's data directory (env may name another). */
function start(args: string[], env: Record<string, string> = {}): Started {
  return startSkwirl(args, data.dir, env)
}

function skwirl(args: string[], env?: Record<string, string>): Promise<Finished> {
  return start(args, env).finished
}

async function double(files: DriveFile[], faults: Faults = {}): Promise<DriveDouble> {
  const started = await startDriveDouble({ files, faults })
  doubles.push(started)
  return started
}

/** The seed's provider pointed at the double, as a .lua file the CLI can run. */
function providerFile(target: DriveDouble, edit: (code: string) => string = (c) => c): string {
  const path = join(data.dir, 'drive-double.lua')
  writeFileSync(path, edit(googleDriveCodeFor(target.url)))
  return path
}

function report(out: Finished): Report {
  const lines = out.stdout.trim().split('\n')
  expect(lines, 'one JSON line on stdout').toHaveLength(1)
  const parsed = JSON.parse(lines[0] as string) as Report
  expect(Object.keys(parsed).sort()).toEqual(REPORT_KEYS)
  for (const error of parsed.errors)
    expect(Object.keys(error).sort()).toEqual(['fileId', 'message', 'stage'])
  return parsed
}

function readLog(): string {
  return readFileSync(join(data.dir, 'logs', 'main.log'), 'utf8')
}

/** Resolves once the child's stderr matches `pattern` (rejects if it exits first). */
async function stderrMatches(run: Started, pattern: RegExp): Promise<void> {
  await stderrMatching(run, pattern)
}

describe('provider list', () => {
  it('prints the seeded Google Drive provider, and --json is parseable', async () => {
    const plain = await skwirl(['provider', 'list'])
    expect(plain.code).toBe(0)
    const [header, ...rows] = plain.stdout.trimEnd().split('\n')
    expect(header).toMatch(/^NAME +SCHEDULE +NEXT RUN +LAST RUN +LAST GOOD BACKUP +BACKS UP TO$/)
    expect(rows).toEqual([
      expect.stringMatching(/^Google Drive +off +— +never +never +\(check only\)$/),
    ])

    const json = await skwirl(['provider', 'list', '--json'])
    expect(json.code).toBe(0)
    const providers = JSON.parse(json.stdout) as Array<{ id: string; name: string }>
    expect(providers.map((p) => p.name)).toContain('Google Drive')
    expect(providers.every((p) => typeof p.id === 'string' && p.id.length > 0)).toBe(true)
  })
})

describe('provider add, export and remove', () => {
  const VALID =
    'function list_file_ids() end\nfunction get_file_metadata(id) end\nfunction download_file(id) end\n'

  function luaFile(name: string, code: string): string {
    const path = join(data.dir, name)
    writeFileSync(path, code)
    return path
  }

  async function names(): Promise<string[]> {
    const out = await skwirl(['provider', 'list', '--json'])
    return (JSON.parse(out.stdout) as Array<{ name: string }>).map((p) => p.name)
  }

  it('adds a provider from a file, exports it to stdout and to a file, and removes it', async () => {
    const file = luaFile('mine.lua', VALID)
    const added = await skwirl(['provider', 'add', 'CLI Cloud', file])
    expect(added).toMatchObject({ code: 0, stdout: 'Added provider "CLI Cloud".\n', stderr: '' })
    expect(await names()).toContain('CLI Cloud')

    // Names are found regardless of case; stdout holds the code and nothing else.
    const shown = await skwirl(['provider', 'export', 'cli cloud'])
    expect(shown).toMatchObject({ code: 0, stdout: VALID, stderr: '' })

    const target = join(data.dir, 'exported.lua')
    const exported = await skwirl(['provider', 'export', 'CLI Cloud', target])
    expect(exported.code).toBe(0)
    expect(exported.stdout).toBe(`Exported provider "CLI Cloud" to ${target}.\n`)
    expect(readFileSync(target, 'utf8')).toBe(VALID)

    // An existing file is kept unless --force says otherwise.
    writeFileSync(target, 'keep me')
    const refused = await skwirl(['provider', 'export', 'CLI Cloud', target])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toBe(`skwirl: ${target} already exists; add --force to replace it.\n`)
    expect(readFileSync(target, 'utf8')).toBe('keep me')
    expect((await skwirl(['provider', 'export', '--force', 'CLI Cloud', target])).code).toBe(0)
    expect(readFileSync(target, 'utf8')).toBe(VALID)

    const removed = await skwirl(['provider', 'remove', 'CLI CLOUD'])
    expect(removed).toMatchObject({ code: 0, stdout: 'Removed provider "CLI Cloud".\n' })
    expect(await names()).not.toContain('CLI Cloud')
  })

  it('refuses code that does not compile: exit 1, the file and line, nothing added', async () => {
    const file = luaFile('broken.lua', 'function list_file_ids()\n  local x = = 1\nend\n')
    const out = await skwirl(['provider', 'add', 'Broken', file])
    expect(out.code).toBe(1)
    expect(out.stdout).toBe('')
    expect(out.stderr).toBe(
      `skwirl: ${file}:2: unexpected symbol near '='\nNothing was added: the code must compile.\n`,
    )
    expect(await names()).not.toContain('Broken')
  })

  it('refuses a name that is taken (in any case) or blank', async () => {
    const file = luaFile('clash.lua', VALID)
    const clash = await skwirl(['provider', 'add', 'google drive', file])
    expect(clash.code).toBe(1)
    expect(clash.stderr).toBe(
      'skwirl: A provider named “google drive” already exists. Choose another name.\n',
    )
    const blank = await skwirl(['provider', 'add', '  ', file])
    expect(blank.code).toBe(1)
    expect(blank.stderr).toBe('skwirl: A provider needs a name.\n')
    expect(await names()).toEqual(['Google Drive'])
  })

  it('warns, without refusing, about provider functions the file does not define', async () => {
    const file = luaFile('partial.lua', 'function list_file_ids() end\n')
    const out = await skwirl(['provider', 'add', 'Partial', file])
    expect(out.code).toBe(0)
    expect(out.stderr).toBe(
      [
        `skwirl: warning: ${file} does not define get_file_metadata() as a global function; runs will fail without it.`,
        `skwirl: warning: ${file} does not define download_file() as a global function; runs will fail without it.`,
        '',
      ].join('\n'),
    )
    expect((await skwirl(['provider', 'remove', 'Partial'])).code).toBe(0)
  })

  it.each([
    [
      ['provider', 'export', 'Nope'],
      'skwirl: no provider named "Nope". `skwirl provider list` shows the providers.\n',
    ],
    [
      ['provider', 'remove', 'Nope'],
      'skwirl: no provider named "Nope". `skwirl provider list` shows the providers.\n',
    ],
  ])('skwirl %j fails with exit 1 for a missing provider', async (args, message) => {
    const out = await skwirl(args)
    expect(out).toMatchObject({ code: 1, stdout: '', stderr: message })
  })

  it('fails with exit 1 for a file it cannot read', async () => {
    const missing = join(data.dir, 'missing.lua')
    const out = await skwirl(['provider', 'add', 'Missing', missing])
    expect(out).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'skwirl: Couldn’t read missing.lua: there is no such file or folder.\n',
    })
  })
})

describe('run', () => {
  it('runs a .lua file against the double: a JSON report, exit 3 for the files that failed', async () => {
    const files = makeFiles(12, { docsEvery: 4 })
    const drive = await double(files)
    const out = await skwirl(['run', providerFile(drive), '--json'])
    expect(out.code, out.stderr).toBe(3)
    const result = report(out)
    const bytes = files.reduce((sum, f) => sum + (f.content ? contentSize(f.content) : 0), 0)
    expect(result).toMatchObject({
      provider: 'drive-double',
      status: 'completed',
      listed: 12,
      downloaded: 9,
      unchanged: 0,
      skipped: 0,
      failed: 3,
      bytes,
      retries: 0,
      destination: null,
      problem: null,
    })
    expect(result.runId).toMatch(/^[0-9a-f-]{36}$/)
    expect(result.errors).toEqual(
      ['f000004', 'f000008', 'f000012'].map((fileId) => ({
        fileId,
        stage: 'metadata',
        message: expect.stringMatching(
          /^drive-double:\d+: in get_file_metadata: No checksum available for file: /,
        ),
      })),
    )
    expect(drive.maxInFlight).toBe(1)
    expect(drive.requests.every((r) => r.authorization === `Bearer ${DEFAULT_TOKEN}`)).toBe(true)

    // The log is in $SKWIRL_DATA_DIR/logs/main.log, with this run's errors and no token.
    expect(existsSync(join(data.dir, 'logs', 'main.log'))).toBe(true)
    const log = readLog()
    expect(log).toContain(
      `[run=${result.runId} provider="drive-double" file=f000004 stage=metadata] drive-double:`,
    )
    expect(log).toContain(`[run=${result.runId} provider="drive-double"] run completed`)
    expect(log).not.toContain(DEFAULT_TOKEN)
  })

  it('without --json, writes a summary to stderr and nothing to stdout', async () => {
    const drive = await double(makeFiles(3), { metadataStatus: { f000002: 404 } })
    const out = await skwirl(['run', providerFile(drive)])
    expect(out.code).toBe(3)
    expect(out.stdout).toBe('')
    expect(out.stderr).toMatch(
      /^drive-double: completed with 1 failed\. 3 listed, 2 downloaded, 0 skipped, 1 failed, \S+ \S+\.$/m,
    )
    expect(out.stderr).toContain(`Errors are in ${join(data.dir, 'logs', 'main.log')}`)
  })

  it('applies SKWIRL_LIMIT_HTTP_SILENCE_MS', async () => {
    const files = makeFiles(2, { minSize: 200_000, maxSize: 200_000 })
    const drive = await double(files, { silentDownload: ['f000001'] })
    const out = await skwirl(['run', providerFile(drive), '--json'], {
      // Long enough that the answers that do come are not cut off on a loaded machine.
      SKWIRL_LIMIT_HTTP_SILENCE_MS: '1500',
    })
    expect(out.code).toBe(3)
    const result = report(out)
    expect(result).toMatchObject({ status: 'completed', downloaded: 1, failed: 1 })
    expect(result.errors[0]).toMatchObject({ fileId: 'f000001', stage: 'download' })
    expect(result.errors[0]?.message).toMatch(/no data for 1\.5 s \(after 5 attempts\)$/)
  })

  it('a failing provider exits 1 with a run-level error (fileId null)', async () => {
    const drive = await double(makeFiles(2))
    const broken = (code: string): string => code.replace('function list_file_ids()', 'function (')
    const out = await skwirl(['run', providerFile(drive, broken), '--json'])
    expect(out.code).toBe(1)
    const result = report(out)
    expect(result).toMatchObject({
      status: 'failed',
      listed: 0,
      downloaded: 0,
      failed: 0,
      bytes: 0,
    })
    expect(result.errors).toEqual([
      { fileId: null, stage: 'load', message: expect.stringMatching(/^drive-double:1: /) },
    ])
    expect(drive.requests).toHaveLength(0)
    expect(readLog()).toContain(
      `[run=${result.runId} provider="drive-double" stage=load] run failed`,
    )
  })

  it('a failed listing exits 1', async () => {
    const drive = await double(makeFiles(2), { listStatus: { page: 0, status: 500 } })
    // (`--` ends the options, as usual.)
    const out = await skwirl(['run', '--json', '--', providerFile(drive)])
    expect(out.code).toBe(1)
    expect(report(out)).toMatchObject({
      status: 'failed',
      errors: [{ fileId: null, stage: 'list', message: expect.stringMatching(/HTTP 500/) }],
    })
  })

  it('an unknown provider exits 1 and says so (with --json, as JSON on stdout)', async () => {
    const plain = await skwirl(['run', 'No Such Provider'])
    expect(plain).toMatchObject({ code: 1, stdout: '' })
    expect(plain.stderr).toContain('no provider named "No Such Provider"')
    const out = await skwirl(['run', 'No Such Provider', '--json'])
    expect(out).toMatchObject({ code: 1, stderr: '' })
    expect(JSON.parse(out.stdout)).toEqual({
      error: { code: 'not-found', message: expect.stringContaining('no provider named "No Such') },
    })
  })

  it('Ctrl-C cancels the run: exit 130, status "cancelled"', async () => {
    // 200 KB files in 64 KiB chunks with a pause before each chunk after the first: slow.
    const files = makeFiles(30, { minSize: 200_000, maxSize: 200_000 })
    const drive = await double(files, { downloadDelayMs: 150 })
    const run = start(['run', providerFile(drive), '--json', '--verbose'])
    // The log says the run is under way, all listed; then interrupt it.
    await stderrMatches(run, LISTED_30)
    const interruptedAt = Date.now()
    run.child.kill('SIGINT')
    const out = await run.finished
    expect(out.signal).toBeNull()
    expect(out.code).toBe(130)
    expect(Date.now() - interruptedAt).toBeLessThan(10_000)
    const result = report(out)
    expect(result.status).toBe('cancelled')
    expect(result.listed).toBe(30)
    expect(result.downloaded).toBeLessThan(30)
    expect(readLog()).toContain(`[run=${result.runId} provider="drive-double"] run cancelled`)
  })
  it('SIGTERM cancels the run too and exits 143', async () => {
    const files = makeFiles(30, { minSize: 200_000, maxSize: 200_000 })
    const drive = await double(files, { downloadDelayMs: 150 })
    const run = start(['run', providerFile(drive), '--json', '-v'])
    await stderrMatches(run, LISTED_30)
    run.child.kill('SIGTERM')
    const out = await run.finished
    expect(out.signal).toBeNull()
    expect(out.code).toBe(143)
    expect(report(out).status).toBe('cancelled')
  })
})

describe('runs', () => {
  interface RecordedRun {
    runId: string
    providerId: string
    provider: string
    status: string
    reason: string | null
    failure: { stage: string; kind: string; summary: string } | null
    phase: string
    startedAt: string
    finishedAt: string | null
    listed: number
    downloaded: number
    skipped: number
    failed: number
    bytes: number
    retries: number
  }

  it('lists the runs `run` recorded, newest first, as a table or JSON, by provider', async () => {
    const fresh = makeDataDir()
    const env = { SKWIRL_DATA_DIR: fresh.dir }
    try {
      expect((await skwirl(['runs'], env)).stdout).toBe('No runs recorded yet.\n')

      const drive = await double(makeFiles(4, { docsEvery: 4 }))
      const completed = report(await skwirl(['run', providerFile(drive), '--json'], env))
      const broken = (code: string): string =>
        code.replace('function list_file_ids()', 'function (')
      const failed = report(await skwirl(['run', providerFile(drive, broken), '--json'], env))
      // A stored provider's run, to filter by.
      const stored = join(fresh.dir, 'stored.lua')
      writeFileSync(stored, googleDriveCodeFor(drive.url))
      expect((await skwirl(['provider', 'add', 'My Drive', stored], env)).code).toBe(0)
      const mine = report(await skwirl(['run', 'my drive', '--json'], env))

      const json = await skwirl(['runs', '--json'], env)
      expect(json.code, json.stderr).toBe(0)
      const runs = JSON.parse(json.stdout) as RecordedRun[]
      expect(runs.map((run) => run.runId)).toEqual([mine.runId, failed.runId, completed.runId])
      expect(runs[2]).toEqual({
        runId: completed.runId,
        providerId: expect.stringMatching(/^file:.*drive-double\.lua$/),
        provider: 'drive-double',
        status: 'completed',
        reason: null,
        failure: null,
        phase: 'backing-up',
        startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        finishedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        listed: 4,
        downloaded: 3,
        unchanged: 0,
        skipped: 0,
        failed: 1,
        bytes: completed.bytes,
        retries: 0,
        destination: null,
        problem: null,
      })
      expect(runs[1]).toMatchObject({ status: 'failed', reason: 'error', phase: 'starting' })
      expect(runs[1]?.failure).toMatchObject({ stage: 'load', kind: expect.any(String) })

      const table = await skwirl(['runs'], env)
      const lines = table.stdout.trimEnd().split('\n')
      expect(lines[0]).toMatch(
        /^STARTED +PROVIDER +STATUS +DURATION +LISTED +DOWNLOADED +UNCHANGED +SKIPPED +FAILED +SIZE$/,
      )
      expect(lines).toHaveLength(4)
      expect(lines[1]).toMatch(
        /^\d{4}-\d\d-\d\d \d\d:\d\d +My Drive +completed with 1 failed +[\d.]+ s +4 +3 +0 +0 +1 +\S+ \S+$/,
      )
      expect(lines[2]).toMatch(/ drive-double +failed \(error\) /)

      const filtered = JSON.parse(
        (await skwirl(['runs', '--provider', 'MY DRIVE', '--json'], env)).stdout,
      ) as RecordedRun[]
      expect(filtered.map((run) => run.runId)).toEqual([mine.runId])
      const byFileName = JSON.parse(
        (await skwirl(['runs', '--provider', 'drive-double', '--json'], env)).stdout,
      ) as RecordedRun[]
      expect(byFileName.map((run) => run.runId)).toEqual([failed.runId, completed.runId])

      const limited = await skwirl(['runs', '--limit', '1'], env)
      expect(limited.stdout.trimEnd().split('\n')).toHaveLength(2)
      expect(limited.stderr).toBe('(the newest 1; --limit N shows more)\n')

      const unknown = await skwirl(['runs', '--provider', 'Nobody'], env)
      expect(unknown.code).toBe(1)
      expect(unknown.stderr).toContain('no provider named "Nobody"')
    } finally {
      fresh.remove()
    }
  })

  it('records a run cancelled with Ctrl-C as cancelled (stopped)', async () => {
    const fresh = makeDataDir()
    const env = { SKWIRL_DATA_DIR: fresh.dir }
    try {
      const drive = await double(makeFiles(30, { minSize: 200_000, maxSize: 200_000 }), {
        downloadDelayMs: 150,
      })
      const run = start(['run', providerFile(drive), '--json', '-v'], env)
      await stderrMatches(run, LISTED_30)
      run.child.kill('SIGINT')
      const result = report(await run.finished)
      const [recorded] = JSON.parse((await skwirl(['runs', '--json'], env)).stdout) as RecordedRun[]
      expect(recorded).toMatchObject({
        runId: result.runId,
        status: 'cancelled',
        reason: 'stopped',
        listed: 30,
        downloaded: result.downloaded,
      })
    } finally {
      fresh.remove()
    }
  })
})
