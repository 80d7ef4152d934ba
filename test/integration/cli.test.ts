// `skwirl` as a user runs it: the built CLI (out/main/cli.js) through bin/skwirl.cjs, in its own
// process, with SKWIRL_DATA_DIR pointing at a temporary directory.
import { spawn, type ChildProcess } from 'node:child_process'
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
import { googleDriveCodeFor, makeDataDir, REPO_ROOT } from '../support/fixtures'

const BIN = join(REPO_ROOT, 'bin', 'skwirl.cjs')
const REPORT_KEYS = [
  'runId',
  'provider',
  'status',
  'listed',
  'downloaded',
  'failed',
  'bytes',
  'errors',
].sort()
const PROGRESS = /^drive-double: \d+ listed, \d+ downloaded, \d+ failed, \S+ \S+$/m

interface Finished {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

interface Report {
  runId: string
  provider: string
  status: string
  listed: number
  downloaded: number
  failed: number
  bytes: number
  errors: Array<{ fileId: string | null; stage: string; message: string }>
}

let data: { dir: string; remove: () => void }
const doubles: DriveDouble[] = []
const children = new Set<ChildProcess>()

beforeAll(() => {
  data = makeDataDir()
})

afterEach(async () => {
  for (const child of children) child.kill('SIGKILL')
  children.clear()
  await Promise.all(doubles.splice(0).map((double) => double.close()))
})

afterAll(() => {
  data.remove()
})

/** Starts `skwirl …`; `finished` resolves with its exit and everything it wrote. */
function start(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; stderr: () => string; finished: Promise<Finished> } {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('SKWIRL_')),
  )
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...base, SKWIRL_DATA_DIR: data.dir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const finished = new Promise<Finished>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => {
      children.delete(child)
      resolve({ code, signal, stdout, stderr })
    })
  })
  return { child, stderr: () => stderr, finished }
}

function skwirl(args: string[], env?: Record<string, string>): Promise<Finished> {
  return start(args, env).finished
}

async function double(files: DriveFile[], faults: Faults = {}): Promise<DriveDouble> {
  const started = await startDriveDouble({ files, faults })
  doubles.push(started)
  return started
}

/** The shipped provider pointed at the double, as a .lua file the CLI can run. */
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
function stderrMatches(run: ReturnType<typeof start>, pattern: RegExp): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (pattern.test(run.stderr())) {
        run.child.stderr?.off('data', check)
        resolve()
      }
    }
    run.child.stderr?.on('data', check)
    void run.finished.then((out) =>
      reject(new Error(`skwirl exited (${out.code}) before ${pattern}: ${out.stderr}`)),
    )
    check()
  })
}

describe('usage', () => {
  it('--help lists the commands and exits 0', async () => {
    const out = await skwirl(['--help'])
    expect(out.code).toBe(0)
    expect(out.stdout).toMatch(/^Usage: skwirl <command>/)
    for (const command of ['serve', 'provider list', 'run <name | file.lua> [--json]', 'help'])
      expect(out.stdout).toContain(command)
    expect(out.stderr).toBe('')
  })

  it.each([
    [['bogus'], 'unknown command bogus'],
    [['run', '--bogus', 'x.lua'], 'unknown option --bogus'],
    [['run'], 'run needs a provider name or a .lua file'],
    [['run', 'a', 'b'], 'run takes one provider, got 2'],
    [['provider', 'list', '--json=yes'], '--json takes no value'],
    [['provider', 'remove'], 'unknown provider command remove'],
  ])('skwirl %j is a usage error: usage on stderr, exit 2', async (args, message) => {
    const out = await skwirl(args)
    expect(out.code).toBe(2)
    expect(out.stdout).toBe('')
    expect(out.stderr).toContain(`skwirl: ${message}`)
    expect(out.stderr).toContain('Usage: skwirl <command>')
  })
})

describe('provider list', () => {
  it('prints the seeded Google Drive provider, and --json is parseable', async () => {
    const plain = await skwirl(['provider', 'list'])
    expect(plain.code).toBe(0)
    expect(plain.stdout.split('\n')).toContain('Google Drive')

    const json = await skwirl(['provider', 'list', '--json'])
    expect(json.code).toBe(0)
    const providers = JSON.parse(json.stdout) as Array<{ id: string; name: string }>
    expect(providers.map((p) => p.name)).toContain('Google Drive')
    expect(providers.every((p) => typeof p.id === 'string' && p.id.length > 0)).toBe(true)
  })
})

describe('run', () => {
  it('runs a .lua file against the double: exit 0 and a JSON report', async () => {
    const files = makeFiles(12, { docsEvery: 4 })
    const drive = await double(files)
    const out = await skwirl(['run', providerFile(drive), '--json'])
    expect(out.code, out.stderr).toBe(0)
    const result = report(out)
    const bytes = files.reduce((sum, f) => sum + (f.content ? contentSize(f.content) : 0), 0)
    expect(result).toMatchObject({
      provider: 'drive-double',
      status: 'completed',
      listed: 12,
      downloaded: 9,
      failed: 3,
      bytes,
    })
    expect(result.runId).toMatch(/^[0-9a-f-]{36}$/)
    expect(result.errors).toEqual(
      ['f000004', 'f000008', 'f000012'].map((fileId) => ({
        fileId,
        stage: 'metadata',
        message: expect.stringMatching(/^drive-double:\d+: No checksum available for file: /),
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
    expect(out.code).toBe(0)
    expect(out.stdout).toBe('')
    expect(out.stderr).toMatch(
      /^drive-double: completed\. 3 listed, 2 downloaded, 1 failed, \S+ \S+\.$/m,
    )
    expect(out.stderr).toContain(`Errors are in ${join(data.dir, 'logs', 'main.log')}`)
  })

  it('applies SKWIRL_LIMIT_HTTP_SILENCE_MS', async () => {
    const files = makeFiles(2, { minSize: 200_000, maxSize: 200_000 })
    const drive = await double(files, { silentDownload: ['f000001'] })
    const out = await skwirl(['run', providerFile(drive), '--json'], {
      SKWIRL_LIMIT_HTTP_SILENCE_MS: '300',
    })
    expect(out.code).toBe(0)
    const result = report(out)
    expect(result).toMatchObject({ status: 'completed', downloaded: 1, failed: 1 })
    expect(result.errors[0]).toMatchObject({ fileId: 'f000001', stage: 'download' })
    expect(result.errors[0]?.message).toMatch(/no data for 300 ms$/)
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

  it('an unknown provider exits 1 and says so', async () => {
    const out = await skwirl(['run', 'No Such Provider', '--json'])
    expect(out.code).toBe(1)
    expect(out.stdout).toBe('')
    expect(out.stderr).toContain('no provider named "No Such Provider"')
  })

  it('shows progress on stderr, and Ctrl-C cancels the run: exit 130, status "cancelled"', async () => {
    // 200 KB files in 64 KiB chunks with a pause before each chunk after the first: slow.
    const files = makeFiles(30, { minSize: 200_000, maxSize: 200_000 })
    const drive = await double(files, { downloadDelayMs: 150 })
    const run = start(['run', providerFile(drive), '--json'])
    // The progress line (every 500 ms) says the run is under way; then interrupt it.
    await stderrMatches(run, PROGRESS)
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
    expect(out.stderr).toMatch(PROGRESS)
    expect(readLog()).toContain(`[run=${result.runId} provider="drive-double"] run cancelled`)
  })
})
