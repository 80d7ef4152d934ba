// Run records against a real database and real runner processes: what a run writes as it goes,
// what is left when its runner or its whole Skwirl process is killed, the fix-up of runs whose
// process is gone, Stop and closing, and the pace of events to the screen.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { RunState } from '../../src/shared/api'
import { DATABASE_FILE, openDatabase } from '../../src/main/core/database'
import { MIGRATIONS } from '../../src/main/core/migrations'
import { createLogger } from '../../src/main/core/logger'
import { currentOwner, type ProcessOwner } from '../../src/main/core/process-owner'
import { childProcessLauncher, type RunnerLauncher } from '../../src/main/core/runner-process'
import { RunStore } from '../../src/main/core/run-store'
import { createCore, type SkwirlCore } from '../../src/main/core/skwirl-core'
import {
  contentMd5,
  contentSize,
  makeFiles,
  startDriveDouble,
  type DriveDouble,
  type DriveFile,
  type Faults,
} from '../drive-double/server'
import {
  FAST_HTTP_ENV,
  googleDriveCodeFor,
  makeDataDir,
  REPO_ROOT,
  RESOURCES_DIR,
  RUNNER_SCRIPT,
} from '../support/fixtures'

interface Harness {
  core: SkwirlCore
  dataDir: string
  updates: RunState[]
  /** When each update arrived (Date.now()), in the same order. */
  updateTimes: number[]
  /** The pid of every runner this core launched, in order. */
  runnerPids: number[]
}

const cleanups: Array<() => Promise<void> | void> = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function harness(dataDir = makeDataDir().dir): Harness {
  const runnerPids: number[] = []
  const base = childProcessLauncher(RUNNER_SCRIPT)
  const launch: RunnerLauncher = (options) => {
    const runner = base(options)
    if (runner.pid !== undefined) runnerPids.push(runner.pid)
    return runner
  }
  const updates: RunState[] = []
  const updateTimes: number[] = []
  const core = createCore({
    dataDir,
    resourcesDir: RESOURCES_DIR,
    logger: createLogger({ dataDir, console: false }),
    launchRunner: launch,
    emit: (event, payload) => {
      if (event !== 'run:update') return
      updates.push(payload as RunState)
      updateTimes.push(Date.now())
    },
  })
  cleanups.push(() => core.close())
  return { core, dataDir, updates, updateTimes, runnerPids }
}

async function double(files: DriveFile[], faults: Faults = {}): Promise<DriveDouble> {
  const started = await startDriveDouble({ files, faults })
  cleanups.push(() => started.close())
  return started
}

function driveProvider(core: SkwirlCore, target: DriveDouble, name = 'Drive double') {
  return core.providers.create({ name, code: googleDriveCodeFor(target.url) })
}

/** Another connection to the same file, as a second Skwirl process would read it. */
function reader(dataDir: string): BetterSqlite3.Database {
  const db = new BetterSqlite3(join(dataDir, DATABASE_FILE), { readonly: true })
  cleanups.push(() => void db.close())
  return db
}

interface RunRow {
  status: string
  phase: string
  reason: string | null
  finished_at: string | null
  listed: number
  downloaded: number
  failed: number
  bytes: number
  updated_at: string
  files: number
}

function readRun(db: BetterSqlite3.Database, runId: string): RunRow | undefined {
  return db
    .prepare(
      `SELECT status, phase, reason, finished_at, listed, downloaded, failed, bytes, updated_at,
         (SELECT COUNT(*) FROM run_files WHERE run_key = runs.key) AS files
       FROM runs WHERE id = ?`,
    )
    .get(runId) as RunRow | undefined
}

const slowFiles = (count: number): DriveFile[] =>
  makeFiles(count, { minSize: 200_000, maxSize: 200_000 })

describe('recording a run', () => {
  it('records the run and every file it reached, with metadata and outcome', async () => {
    const { core } = harness()
    const files = makeFiles(12, { docsEvery: 4 })
    const drive = await double(files)
    const provider = driveProvider(core, drive)
    const { runId } = await core.handlers.execute(provider.id)
    const outcome = await vi.waitFor(
      () => {
        const run = core.runs.find(runId)
        if (run?.status !== 'completed') throw new Error('still running')
        return run
      },
      { timeout: 15_000, interval: 20 },
    )

    const [recorded] = await core.handlers.listProviderRuns(provider.id)
    expect(recorded).toEqual({ ...outcome, live: null })
    expect(recorded).toMatchObject({
      status: 'completed',
      phase: 'backing-up',
      reason: null,
      failure: null,
      listed: 12,
      downloaded: 9,
      failed: 3,
    })

    const page = await core.handlers.listRunFiles({ runId, filter: 'all', offset: 0, limit: 500 })
    expect(page).toMatchObject({ total: 12, offset: 0, kept: true })
    expect(page.files.map((f) => f.position)).toEqual([...Array(12).keys()])
    const firstFile = files[0] as DriveFile
    const content = firstFile.content as NonNullable<DriveFile['content']>
    expect(page.files[0]).toEqual({
      position: 0,
      fileId: firstFile.id,
      name: firstFile.name,
      path: firstFile.name,
      size: contentSize(content),
      checksum: await contentMd5(content),
      modifiedTime: firstFile.modifiedTime,
      outcome: 'downloaded',
      failedAt: null,
      skipReason: null,
      verified: true,
      bytes: contentSize(content),
    })
    // A Google Doc has no checksum: its metadata fails, so the record has no name for it.
    expect(page.files[3]).toMatchObject({
      fileId: 'f000004',
      name: null,
      outcome: 'failed',
      failedAt: 'metadata',
      bytes: 0,
    })

    const failed = await core.handlers.listRunFiles({
      runId,
      filter: 'failed',
      offset: 1,
      limit: 5,
    })
    expect(failed.total).toBe(3)
    expect(failed.files.map((f) => f.fileId)).toEqual(['f000008', 'f000012'])
    const second = await core.handlers.listRunFiles({ runId, filter: 'all', offset: 10, limit: 5 })
    expect(second.files.map((f) => f.fileId)).toEqual(['f000011', 'f000012'])

    await expect(
      core.handlers.listRunFiles({ runId: 'no-such-run', filter: 'all', offset: 0, limit: 5 }),
    ).rejects.toMatchObject({ code: 'not-found' })
  })

  it('writes the record as the run goes: counts and files agree at every moment', async () => {
    const { core, dataDir } = harness()
    const drive = await double(slowFiles(12), { downloadDelayMs: 60 })
    const provider = driveProvider(core, drive)
    const { runId, done } = core.runs.start(provider)
    const db = reader(dataDir)

    const seen: RunRow[] = []
    let finished = false
    void done.then(() => (finished = true))
    while (!finished) {
      const row = readRun(db, runId)
      if (row) seen.push(row)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const running = seen.filter((row) => row.status === 'running')
    // The record was there from the start and moved while the run went on.
    expect(running.length).toBeGreaterThan(5)
    expect(running.some((row) => row.phase === 'backing-up' && row.downloaded > 0)).toBe(true)
    expect(new Set(running.map((row) => row.downloaded)).size).toBeGreaterThan(3)
    for (const row of seen) expect(row.files).toBe(row.downloaded + row.failed)
    expect(readRun(db, runId)).toMatchObject({ status: 'completed', downloaded: 12, files: 12 })
  })

  it('keeps the newest runs of a provider, and the files of the newest few', async () => {
    const data = makeDataDir()
    cleanups.push(data.remove)
    const db = openDatabase(data.dir)
    cleanups.push(() => void db.close())
    const store = new RunStore(db, { historyMax: 4, fileListsKept: 2 })
    const ids: string[] = []
    for (let n = 0; n < 6; n++) {
      const state: RunState = {
        runId: `run-${n}`,
        providerId: 'p1',
        providerName: 'P',
        status: 'running',
        phase: 'starting',
        reason: null,
        failure: null,
        startedAt: new Date(Date.UTC(2025, 0, 1, 0, n)).toISOString(),
        finishedAt: null,
        listed: 1,
        downloaded: 0,
        unchanged: 0,
        skipped: 0,
        failed: 0,
        bytes: 0,
        unchangedBytes: 0,
        retries: 0,
        destination: null,
        problem: null,
        live: null,
      }
      const recorder = store.begin(
        state,
        currentOwner(),
        () => state,
        () => undefined,
      )
      recorder.file({
        fileId: 'a',
        metadata: null,
        outcome: 'failed',
        failedAt: 'metadata',
        skip: null,
        verified: null,
        bytes: 0,
      })
      state.failed = 1
      state.status = 'completed'
      recorder.finish()
      ids.push(state.runId)
    }
    expect(store.history('p1').map((run) => run.runId)).toEqual([
      'run-5',
      'run-4',
      'run-3',
      'run-2',
    ])
    const kept = (runId: string) => store.files({ runId, filter: 'all', offset: 0, limit: 10 })
    expect(kept('run-5')).toMatchObject({ kept: true, total: 1 })
    expect(kept('run-4')).toMatchObject({ kept: true, total: 1 })
    expect(kept('run-3')).toEqual({ kept: false, total: 0, offset: 0, files: [] })
    expect(kept('run-0')).toBeNull()
    expect(db.prepare('SELECT COUNT(*) AS n FROM run_files').get()).toEqual({ n: 2 })
  })
})

describe('the record of skipped files and retries (migration 9)', () => {
  it('keeps older runs, says which of their downloads were verified, and takes the new outcomes', () => {
    const data = makeDataDir()
    cleanups.push(data.remove)
    // The schema as it was before skipped files: every migration up to the one adding skip_reason.
    const raw = new BetterSqlite3(join(data.dir, DATABASE_FILE))
    let version = 0
    const columns = (): string[] =>
      (raw.prepare('PRAGMA table_info(run_files)').all() as Array<{ name: string }>).map(
        (c) => c.name,
      )
    for (const step of MIGRATIONS) {
      const probe = new BetterSqlite3(':memory:')
      for (const earlier of MIGRATIONS.slice(0, version + 1)) earlier(probe)
      const next = (probe.prepare('PRAGMA table_info(run_files)').all() as Array<{ name: string }>)
        .map((c) => c.name)
        .includes('skip_reason')
      probe.close()
      if (next) break
      step(raw)
      version++
    }
    raw.pragma(`user_version = ${version}`)
    expect(columns()).not.toContain('skip_reason')
    raw
      .prepare(
        `INSERT INTO runs (key, id, provider_id, provider_name, status, phase, started_at, listed,
          downloaded, failed, bytes, updated_at, owner_pid, owner_host)
         VALUES (1, 'old', 'p', 'P', 'completed', 'backing-up', '2025-01-01T00:00:00.000Z', 3, 2,
          1, 20, '2025-01-01T00:00:00.000Z', 1, 'h')`,
      )
      .run()
    const file = raw.prepare(
      `INSERT INTO run_files (run_key, position, file_id, name, path, size, checksum,
        modified_time, outcome, failed_at, bytes) VALUES (1, ?, ?, 'n', 'p', 10, ?, 't', ?, ?, ?)`,
    )
    file.run(0, 'md5', 'D41D8CD98F00B204E9800998ECF8427E', 'downloaded', null, 10)
    file.run(
      1,
      'dropbox',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'downloaded',
      null,
      10,
    )
    file.run(2, 'bad', null, 'failed', 'metadata', 0)
    raw.close()

    const db = openDatabase(data.dir)
    cleanups.push(() => void db.close())
    const store = new RunStore(db)
    expect(store.get('old')).toMatchObject({ downloaded: 2, skipped: 0, failed: 1, retries: 0 })
    const page = store.files({ runId: 'old', filter: 'all', offset: 0, limit: 10 })
    expect(page?.files.map((f) => [f.fileId, f.outcome, f.verified, f.skipReason])).toEqual([
      ['md5', 'downloaded', true, null],
      ['dropbox', 'downloaded', false, null],
      ['bad', 'failed', null, null],
    ])
    expect(() =>
      db
        .prepare(
          `INSERT INTO run_files (run_key, position, file_id, outcome, bytes, skip_reason)
           VALUES (1, 3, 'folder', 'skipped', 0, 'a folder')`,
        )
        .run(),
    ).not.toThrow()
    expect(() =>
      db
        .prepare(
          `INSERT INTO run_files (run_key, position, file_id, outcome, bytes) VALUES (1, 4, 'x', 'lost', 0)`,
        )
        .run(),
    ).toThrow(/CHECK/)
  })
})

describe('a crash mid-run', () => {
  it('SIGKILL of the runner: the run is recorded failed (runner) with what it had done', async () => {
    const { core, dataDir, runnerPids } = harness()
    const drive = await double(slowFiles(30), { downloadDelayMs: 100 })
    const provider = driveProvider(core, drive)
    const { runId, done } = core.runs.start(provider)
    const db = reader(dataDir)
    await vi.waitFor(() => expect(readRun(db, runId)?.downloaded).toBeGreaterThanOrEqual(3), {
      timeout: 20_000,
      interval: 50,
    })
    process.kill(runnerPids[0] as number, 'SIGKILL')
    const outcome = await done
    expect(outcome).toMatchObject({ status: 'failed', reason: 'runner' })

    const row = readRun(db, runId) as RunRow
    expect(row).toMatchObject({
      status: 'failed',
      reason: 'runner',
      phase: 'backing-up',
      listed: 30,
      downloaded: outcome.downloaded,
      failed: 0,
      bytes: outcome.bytes,
    })
    expect(row.downloaded).toBeGreaterThanOrEqual(3)
    expect(row.downloaded).toBeLessThan(30)
    expect(row.files).toBe(row.downloaded)
    expect(row.finished_at).not.toBeNull()
  })

  it('SIGKILL of the whole Skwirl process: the next start marks the run failed (interrupted)', async () => {
    const data = makeDataDir()
    cleanups.push(data.remove)
    const drive = await double(slowFiles(40), { downloadDelayMs: 100 })
    const file = join(data.dir, 'drive.lua')
    writeFileSync(file, googleDriveCodeFor(drive.url))
    const cli = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'skwirl.cjs'), 'run', file], {
      env: { ...process.env, ...FAST_HTTP_ENV, SKWIRL_DATA_DIR: data.dir },
      stdio: 'ignore',
    })
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      cli.once('exit', (_code, signal) => resolve(signal)),
    )
    cleanups.push(() => killIfRunning(cli))

    // Wait, from outside, until the record shows the run under way.
    let runId = ''
    await vi.waitFor(
      () => {
        const db = new BetterSqlite3(join(data.dir, DATABASE_FILE), { readonly: true })
        try {
          const row = db
            .prepare(`SELECT id, downloaded FROM runs WHERE status = 'running'`)
            .get() as { id: string; downloaded: number } | undefined
          expect(row?.downloaded).toBeGreaterThanOrEqual(3)
          runId = (row as { id: string }).id
        } finally {
          db.close()
        }
      },
      { timeout: 20_000, interval: 100 },
    )
    cli.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')
    const left = readRun(reader(data.dir), runId) as RunRow
    expect(left.status).toBe('running')

    // The next Skwirl to start (here the app's core) sees its owner is gone.
    const { core } = harness(data.dir)
    const [recorded] = await core.handlers.listRuns()
    expect(recorded).toMatchObject({
      runId,
      status: 'failed',
      reason: 'interrupted',
      phase: 'backing-up',
      listed: 40,
      downloaded: left.downloaded,
      finishedAt: left.updated_at,
    })
    const files = await core.handlers.listRunFiles({ runId, filter: 'all', offset: 0, limit: 500 })
    expect(files.total).toBe(left.downloaded)
    expect(files.files).toHaveLength(left.downloaded)
    expect(files.files.every((f) => f.outcome === 'downloaded')).toBe(true)
  })
})

describe('runs left running at start', () => {
  it('marks failed (interrupted) only the runs whose process is gone', async () => {
    const data = makeDataDir()
    cleanups.push(data.remove)
    const gonePid = await exitedProcessPid()
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'])
    cleanups.push(() => killIfRunning(sleeper))
    const me = currentOwner()
    const owners: Record<string, ProcessOwner> = {
      gone: { ...me, pid: gonePid, startToken: null },
      alive: { ...me, pid: sleeper.pid as number, startToken: null },
      me,
      elsewhere: { pid: gonePid, host: `${me.host}-other-machine`, startToken: null },
      // This very pid, but started at another time: a new process that reused a dead one's pid.
      reused: { ...me, startToken: me.startToken === null ? null : `${me.startToken}-earlier` },
    }
    const setup = openDatabase(data.dir)
    const store = new RunStore(setup)
    for (const [name, owner] of Object.entries(owners)) {
      const state: RunState = {
        runId: name,
        providerId: `p-${name}`,
        providerName: name,
        status: 'running',
        phase: 'listing',
        reason: null,
        failure: null,
        startedAt: new Date().toISOString(),
        finishedAt: null,
        listed: 7,
        downloaded: 0,
        unchanged: 0,
        skipped: 0,
        failed: 0,
        bytes: 0,
        unchangedBytes: 0,
        retries: 0,
        destination: null,
        problem: null,
        live: null,
      }
      store
        .begin(
          state,
          owner,
          () => state,
          () => undefined,
        )
        .flush()
    }
    setup.close()

    const { core } = harness(data.dir)
    const status = (runId: string) => core.runRecords.get(runId)
    expect(status('gone')).toMatchObject({ status: 'failed', reason: 'interrupted', listed: 7 })
    expect(status('alive')).toMatchObject({ status: 'running', reason: null })
    expect(status('me')).toMatchObject({ status: 'running' })
    expect(status('elsewhere')).toMatchObject({ status: 'running' })
    if (me.startToken !== null) {
      expect(status('reused')).toMatchObject({ status: 'failed', reason: 'interrupted' })
    }
    // Another process's running run is shown as it was recorded, with nothing live, and this
    // process cannot stop it.
    const alive = (await core.handlers.listRuns()).find((run) => run.runId === 'alive')
    expect(alive).toMatchObject({ status: 'running', live: null })
    await expect(core.handlers.cancelRun('alive')).rejects.toMatchObject({ code: 'unsupported' })
    await expect(core.handlers.cancelRun('nobody')).rejects.toMatchObject({ code: 'not-found' })
  })
})

describe('stopping runs', () => {
  it('Stop ends the runner at once; the run is recorded cancelled (stopped) with what it did', async () => {
    const { core, dataDir, runnerPids } = harness()
    const drive = await double(slowFiles(30), { downloadDelayMs: 100 })
    const provider = driveProvider(core, drive)
    const { runId } = await core.handlers.execute(provider.id)
    const db = reader(dataDir)
    await vi.waitFor(() => expect(readRun(db, runId)?.downloaded).toBeGreaterThanOrEqual(2), {
      timeout: 20_000,
      interval: 50,
    })
    const stoppedAt = Date.now()
    await core.handlers.cancelRun(runId)
    await vi.waitFor(() => expect(readRun(db, runId)?.status).toBe('cancelled'), {
      timeout: 5_000,
      interval: 10,
    })
    expect(Date.now() - stoppedAt).toBeLessThan(2_000)
    expect(isRunning(runnerPids[0] as number)).toBe(false)
    const row = readRun(db, runId) as RunRow
    expect(row).toMatchObject({ reason: 'stopped', listed: 30 })
    expect(row.downloaded).toBeGreaterThanOrEqual(2)
    expect(row.files).toBe(row.downloaded)
    // A second Stop, after the end, is no error.
    await expect(core.handlers.cancelRun(runId)).resolves.toBeUndefined()
  })

  it('closing Skwirl cancels its running runs and records them (closed) before the database closes', async () => {
    const data = makeDataDir()
    cleanups.push(data.remove)
    const { core } = harness(data.dir)
    const drive = await double(slowFiles(30), { downloadDelayMs: 100 })
    const provider = driveProvider(core, drive)
    const first = await core.handlers.execute(provider.id)
    const second = await core.handlers.execute(provider.id)
    await vi.waitFor(
      () => expect(core.runs.find(first.runId)?.downloaded).toBeGreaterThanOrEqual(1),
      { timeout: 20_000, interval: 50 },
    )
    await core.close()
    const db = reader(data.dir)
    for (const { runId } of [first, second]) {
      const row = readRun(db, runId) as RunRow
      expect(row).toMatchObject({ status: 'cancelled', reason: 'closed' })
      expect(row.files).toBe(row.downloaded + row.failed)
    }
  })
})

describe('events to the screen', () => {
  it('come a few times a second whatever the pace: 20,000 quick files, all recorded', async () => {
    const { core, updates } = harness()
    // No network: every file's metadata is made up and its download_file does nothing (so each
    // file fails in microseconds), the fastest pace a run can have.
    const code = `
      function list_file_ids()
        for i = 1, 20000 do skwirl.emit_file_id("id" .. i) end
      end
      function get_file_metadata(id)
        return { name = id .. ".txt", path = "/" .. id, checksum = "", size = 0, modified_time = "" }
      end
      function download_file(id) end
    `
    const provider = core.providers.create({ name: 'Quick', code })
    const started = Date.now()
    const { runId, done } = core.runs.start(provider)
    const outcome = await done
    const elapsed = Date.now() - started
    expect(outcome).toMatchObject({ status: 'completed', listed: 20_000, failed: 20_000 })

    const mine = updates.filter((update) => update.runId === runId)
    // One at the start, one at the end, and between them at most one per 250 ms.
    expect(mine.length).toBeLessThanOrEqual(Math.ceil(elapsed / 250) + 2)
    const live = mine.filter((update) => update.status === 'running')
    expect(live.length).toBeGreaterThan(1)
    expect(live.every((update) => update.live !== null)).toBe(true)
    expect(mine.at(-1)).toMatchObject({ status: 'completed', live: null })
    const page = await core.handlers.listRunFiles({
      runId,
      filter: 'failed',
      offset: 19_990,
      limit: 500,
    })
    expect(page.total).toBe(20_000)
    expect(page.files.map((f) => f.fileId)).toEqual(
      Array.from({ length: 10 }, (_, i) => `id${19_991 + i}`),
    )
    expect(page.files[0]).toMatchObject({ name: 'id19991.txt', failedAt: 'download' })
  })

  it('say the current file in a second run too, where every file is found unchanged', async () => {
    const { core, updates } = harness()
    const folder = mkdtempSync(join(tmpdir(), 'skwirl-current-file-'))
    cleanups.push(() => rmSync(folder, { recursive: true, force: true }))
    const drive = await double(makeFiles(150, { minSize: 10, maxSize: 10 }))
    const provider = driveProvider(core, drive)
    expect((await core.runs.start(provider, { destination: folder }).done).status).toBe('completed')
    // Slow enough for several throttled updates while the files are checked.
    drive.faults.latencyMs = 8
    updates.length = 0
    const second = await core.runs.start(provider, { destination: folder }).done
    expect(second).toMatchObject({ status: 'completed', unchanged: 150, downloaded: 0 })
    const names = new Set(
      updates
        .filter((u) => u.status === 'running' && u.phase === 'backing-up')
        .map((u) => u.live?.currentFile ?? null),
    )
    names.delete(null)
    expect(names.size).toBeGreaterThan(1)
    for (const name of names) expect(name).toMatch(/^file-\d+\.bin$/)
  })

  it('are spaced by the throttle, and say the phase, the current file and the pace', async () => {
    const { core, updates, updateTimes } = harness()
    // Two 64 KiB chunks a file with a pause between: the run lasts 2 s or more however fast the
    // machine, long enough for several throttled updates.
    const files = makeFiles(200, { minSize: 70_000, maxSize: 70_000 })
    const drive = await double(files, { downloadDelayMs: 10 })
    const provider = driveProvider(core, drive)
    const { done } = core.runs.start(provider)
    await done
    expect(updates.at(-1)?.status).toBe('completed')
    expect(updates.length).toBeGreaterThan(4)
    // Never two within 250 ms, except the last, which says at once that the run has ended.
    for (let i = 1; i < updateTimes.length - 1; i++) {
      expect((updateTimes[i] as number) - (updateTimes[i - 1] as number)).toBeGreaterThanOrEqual(
        249,
      )
    }
    const order = ['starting', 'listing', 'backing-up']
    const phases = updates.map((update) => order.indexOf(update.phase))
    expect(phases).toEqual([...phases].sort())
    const backingUp = updates.filter((u) => u.status === 'running' && u.phase === 'backing-up')
    expect(backingUp.length).toBeGreaterThan(2)
    expect(backingUp.some((u) => /^file-\d+\.bin$/.test(u.live?.currentFile ?? ''))).toBe(true)
    const paced = backingUp.filter((u) => u.live?.filesPerSecond != null)
    for (const update of paced) {
      expect(update.live?.filesPerSecond).toBeGreaterThan(0)
      expect(update.live?.secondsLeft).toBeGreaterThanOrEqual(0)
    }
  })
})

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function exitedProcessPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''])
  await new Promise((resolve) => child.once('exit', resolve))
  return child.pid as number
}

function killIfRunning(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })
}
