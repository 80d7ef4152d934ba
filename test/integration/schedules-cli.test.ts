// Schedules from the command line, through the real binary: `provider set --schedule`,
// `provider list` with schedules and last good backups, `run --due` for cron, and `serve` running
// a schedule end to end with a one-second hour (SKWIRL_TEST_HOUR_MS, a test knob).
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { RunState } from '../../src/shared/api'
import type { Schedule } from '../../src/shared/schedule'
import { openDatabase } from '../../src/main/core/database'
import { ProviderStore } from '../../src/main/core/provider-store'
import { RunStore } from '../../src/main/core/run-store'
import { ScheduleStore } from '../../src/main/core/scheduler'
import { FAST_HTTP_ENV, makeDataDir, REPO_ROOT } from '../support/fixtures'

const BIN = join(REPO_ROOT, 'bin', 'skwirl.cjs')
const HOUR = 3_600_000
const OK =
  'function list_file_ids() skwirl.emit_file_id("a") end\nfunction get_file_metadata(id) return { name = "a", path = "a", checksum = "d41d8cd98f00b204e9800998ecf8427e", size = 0, modified_time = "2025-01-01T00:00:00Z" } end\nfunction download_file(id) error("no such file") end\n'
const CLEAN =
  'function list_file_ids() end\nfunction get_file_metadata(id) end\nfunction download_file(id) end\n'
const BROKEN = 'function list_file_ids() error("the service is down") end\n'

interface Finished {
  code: number | null
  stdout: string
  stderr: string
}

const cleanups: Array<() => void | Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function dataDir(): string {
  const data = makeDataDir()
  cleanups.push(data.remove)
  return data.dir
}

function env(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('SKWIRL_')),
  )
  return { ...base, ...FAST_HTTP_ENV, TZ: 'Europe/Berlin', SKWIRL_DATA_DIR: dir, ...extra }
}

function start(dir: string, args: string[], extra?: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: env(dir, extra),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const finished = new Promise<Finished>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
  return { child, finished, stdout: () => stdout, stderr: () => stderr }
}

const skwirl = (dir: string, args: string[], extra?: Record<string, string>) =>
  start(dir, args, extra).finished

/** Stores providers with schedules set `ago` ms before now (through the real stores). */
function seed(
  dir: string,
  providers: Array<{ name: string; code: string; schedule: Schedule; ago: number }>,
): void {
  const db = openDatabase(dir)
  try {
    const store = new ProviderStore(db)
    const schedules = new ScheduleStore(db)
    for (const p of providers) {
      const { id } = store.create({ name: p.name, code: p.code })
      schedules.set(id, p.schedule, Date.now() - p.ago)
    }
  } finally {
    db.close()
  }
}

function recordedRuns(dir: string): RunState[] {
  const db = openDatabase(dir)
  try {
    return new RunStore(db).recent(100).reverse()
  } finally {
    db.close()
  }
}

describe('provider set --schedule and provider list', () => {
  it('sets a schedule, shows it with the next run and the last good backup, and turns it off', async () => {
    const dir = dataDir()
    const set = await skwirl(dir, ['provider', 'set', 'google drive', '--schedule', 'daily 2:30'])
    expect(set.code, set.stderr).toBe(0)
    expect(set.stdout).toMatch(/^Google Drive: daily at 02:30; next run \d{4}-\d\d-\d\d 02:30\.\n$/)

    const table = await skwirl(dir, ['provider', 'list'])
    const lines = table.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^NAME +SCHEDULE +NEXT RUN +LAST RUN +LAST GOOD BACKUP +BACKS UP TO$/)
    expect(lines[1]).toMatch(
      /^Google Drive +daily 02:30 +\d{4}-\d\d-\d\d 02:30 +never +never +\(check only\)$/,
    )

    const json = JSON.parse((await skwirl(dir, ['provider', 'list', '--json'])).stdout)
    expect(json).toEqual([
      {
        id: expect.any(String),
        name: 'Google Drive',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        options: {
          destination: null,
          retentionDays: 30,
          transfers: 1,
          schedule: { kind: 'daily', time: '02:30' },
        },
        nextRunAt: expect.stringMatching(/T(00|01):30:00\.000Z$/), // 02:30 in Berlin
        lastRun: null,
        lastGoodBackupAt: null,
        overdue: false,
      },
    ])

    const off = await skwirl(dir, ['provider', 'set', 'Google Drive', '--schedule', 'off'])
    expect(off.stdout).toBe('Google Drive: not scheduled.\n')
    const missing = await skwirl(dir, ['provider', 'set', 'Nope', '--schedule', 'off'])
    expect(missing).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no provider named "Nope"'),
    })
  })
})

describe('run --due', () => {
  it('runs each due provider one after another, then exits with the worst code', async () => {
    const dir = dataDir()
    seed(dir, [
      { name: 'A Clean', code: CLEAN, schedule: { kind: 'interval', hours: 1 }, ago: 2 * HOUR },
      { name: 'B Broken', code: BROKEN, schedule: { kind: 'interval', hours: 6 }, ago: 7 * HOUR },
      { name: 'C Some failed', code: OK, schedule: { kind: 'interval', hours: 2 }, ago: 3 * HOUR },
      { name: 'D Not yet', code: CLEAN, schedule: { kind: 'interval', hours: 6 }, ago: HOUR },
    ])
    const out = await skwirl(dir, ['run', '--due', '--json'])
    expect(out.code).toBe(1) // B failed: the worst of 0, 1 and 0
    const reports = JSON.parse(out.stdout) as Array<{
      provider: string
      status: string
      failed: number
    }>
    // Earliest due first: B (due an hour ago), then A and C (due an hour ago, give or take).
    expect(reports.map((r) => r.provider).sort()).toEqual(['A Clean', 'B Broken', 'C Some failed'])
    expect(reports.find((r) => r.provider === 'B Broken')?.status).toBe('failed')
    expect(reports.find((r) => r.provider === 'C Some failed')).toMatchObject({
      status: 'completed',
      failed: 1,
    })
    // One after another: each run started after the one before it finished.
    const runs = recordedRuns(dir)
    expect(runs).toHaveLength(3)
    for (let i = 1; i < runs.length; i++) {
      expect(Date.parse(runs[i]!.startedAt)).toBeGreaterThanOrEqual(
        Date.parse(runs[i - 1]!.finishedAt!),
      )
    }

    // Nothing is due any more: an empty list, exit 0.
    const again = await skwirl(dir, ['run', '--due', '--json'])
    expect(again).toMatchObject({ code: 0, stdout: '[]\n' })
    const plain = await skwirl(dir, ['run', '--due'])
    expect(plain).toMatchObject({ code: 0, stdout: '', stderr: 'Nothing is due.\n' })
  })
})

describe('serve', () => {
  it('runs a schedule end to end: "every hour" with a one-second hour runs about every second', async () => {
    const dir = dataDir()
    const knob = { SKWIRL_TEST_HOUR_MS: '1000' }
    seed(dir, [{ name: 'Ticker', code: CLEAN, schedule: { kind: 'off' }, ago: 0 }])
    expect(
      (await skwirl(dir, ['provider', 'set', 'Ticker', '--schedule', 'hourly'], knob)).code,
    ).toBe(0)
    const serve = start(dir, ['serve', '--port', '0'], knob)
    await vi.waitFor(() => expect(serve.stderr()).toMatch(/Running the schedules of 1 provider/), {
      timeout: 15_000,
    })
    await vi.waitFor(
      () =>
        expect(
          recordedRuns(dir).filter((r) => r.status === 'completed').length,
        ).toBeGreaterThanOrEqual(3),
      { timeout: 20_000, interval: 100 },
    )
    serve.child.kill('SIGTERM')
    expect((await serve.finished).code).toBe(0)
    const starts = recordedRuns(dir).map((r) => Date.parse(r.startedAt))
    for (let i = 1; i < starts.length; i++) {
      // Every hour counts from the previous run's start: a second apart, never sooner.
      expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(999)
      expect(starts[i]! - starts[i - 1]!).toBeLessThan(5_000)
    }
    const log = readFileSync(join(dir, 'logs', 'main.log'), 'utf8')
    expect(log.match(/ provider="Ticker"\] scheduled run started/g)?.length).toBe(starts.length)
  })
})
