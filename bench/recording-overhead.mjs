// What recording runs costs: the same run of 10,000 small files against the Drive double, through
// the real CLI (`skwirl run`, its main process and its runner), with recording on and with it
// switched off (SKWIRL_BENCH_NO_RECORDING=1, a benchmark's knob). Runs alternate, each in a fresh
// data directory, after one warm-up of each; prints the medians and their ratio.
//
//   npx node bench/recording-overhead.mjs [--files 10000] [--runs 5]
//
// Needs the build (`npm run build`). The double runs in this process, Skwirl in its own.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { runnerImport } from 'vite'

const ROOT = resolve(import.meta.dirname, '..')
const BIN = join(ROOT, 'bin', 'skwirl.cjs')

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`)
  const value = index === -1 ? fallback : Number(process.argv[index + 1])
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} needs a whole number`)
  return value
}

const FILES = option('files', 10_000)
const RUNS = option('runs', 5)

const { module: double } = await runnerImport(join(ROOT, 'test', 'drive-double', 'server.ts'))
const { module: database } = await runnerImport(join(ROOT, 'src', 'main', 'core', 'database.ts'))
const { module: runStore } = await runnerImport(join(ROOT, 'src', 'main', 'core', 'run-store.ts'))
const { module: owner } = await runnerImport(join(ROOT, 'src', 'main', 'core', 'process-owner.ts'))

/**
 * The recorder's own cost, in this process: a run's worth of files through RunRecorder (queued,
 * written in batches, finished), without the runner or the network. Its time in milliseconds.
 */
function recorderCost() {
  const dataDir = mkdtempSync(join(tmpdir(), 'skwirl-overhead-recorder-'))
  const db = database.openDatabase(dataDir)
  try {
    const state = {
      runId: 'bench',
      providerId: 'bench',
      providerName: 'Bench',
      status: 'running',
      phase: 'backing-up',
      reason: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      listed: FILES,
      downloaded: 0,
      failed: 0,
      bytes: 0,
      live: null,
    }
    const started = performance.now()
    const store = new runStore.RunStore(db)
    const recorder = store.begin(
      state,
      owner.currentOwner(),
      () => state,
      (error) => {
        throw error
      },
    )
    for (let i = 1; i <= FILES; i++) {
      const name = `file-${String(i).padStart(6, '0')}.bin`
      recorder.file({
        fileId: `f${String(i).padStart(6, '0')}`,
        metadata: {
          name,
          path: name,
          checksum: 'd41d8cd98f00b204e9800998ecf8427e',
          size: 512,
          modifiedTime: '2026-01-02T03:04:05.000Z',
        },
        outcome: 'downloaded',
        failedAt: null,
        bytes: 512,
      })
      state.downloaded++
      state.bytes += 512
      // What the half-second timer does in a real run of this pace (about 700 files a second).
      if (i % 350 === 0) recorder.flush()
    }
    state.status = 'completed'
    state.finishedAt = new Date().toISOString()
    recorder.finish()
    return performance.now() - started
  } finally {
    db.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
/** The shipped Google Drive provider with its base URL pointed at the double (as the tests do). */
const driveCodeFor = (url) =>
  readFileSync(join(ROOT, 'resources', 'providers', 'google-drive.lua'), 'utf8').replaceAll(
    'https://www.googleapis.com',
    url,
  )

/** One `skwirl run` in a fresh data directory: its wall time, and what it recorded. */
async function runOnce(providerFile, recording) {
  const dataDir = mkdtempSync(join(tmpdir(), 'skwirl-overhead-'))
  try {
    const env = { ...process.env, SKWIRL_DATA_DIR: dataDir }
    if (recording) delete env.SKWIRL_BENCH_NO_RECORDING
    else env.SKWIRL_BENCH_NO_RECORDING = '1'
    const started = performance.now()
    const child = spawn(process.execPath, [BIN, 'run', providerFile, '--json'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr = (stderr + chunk).slice(-2000)))
    const code = await new Promise((done) => child.once('close', done))
    const ms = performance.now() - started
    const report = JSON.parse(stdout)
    if (code !== 0 || report.status !== 'completed' || report.downloaded !== FILES) {
      throw new Error(`the run did not complete: exit ${code}, ${stdout.slice(0, 300)} ${stderr}`)
    }
    const db = new BetterSqlite3(join(dataDir, 'skwirl.db'), { readonly: true })
    const recordedFiles = db.prepare('SELECT COUNT(*) AS n FROM run_files').get().n
    db.close()
    if (recordedFiles !== (recording ? FILES : 0)) {
      throw new Error(`expected ${recording ? FILES : 0} recorded files, found ${recordedFiles}`)
    }
    return ms
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

const drive = await double.startDriveDouble({
  files: double.makeFiles(FILES, { minSize: 1, maxSize: 1024 }),
})
const work = mkdtempSync(join(tmpdir(), 'skwirl-overhead-provider-'))
try {
  const providerFile = join(work, 'drive.lua')
  writeFileSync(providerFile, driveCodeFor(drive.url))
  console.log(`${FILES} small files, ${RUNS} runs each way (after one warm-up each)…`)
  await runOnce(providerFile, true)
  await runOnce(providerFile, false)
  const times = { on: [], off: [] }
  for (let i = 0; i < RUNS; i++) {
    // Alternate, and swap who goes first, so drift on the machine hits both alike.
    const order = i % 2 === 0 ? [true, false] : [false, true]
    for (const recording of order) {
      const ms = await runOnce(providerFile, recording)
      times[recording ? 'on' : 'off'].push(ms)
      console.log(
        `  run ${i + 1}, recording ${recording ? 'on ' : 'off'}: ${(ms / 1000).toFixed(2)} s`,
      )
    }
  }
  const recorder = median([recorderCost(), recorderCost(), recorderCost()])
  const on = median(times.on)
  const off = median(times.off)
  const result = {
    files: FILES,
    runs: RUNS,
    recordingOnMs: Math.round(on),
    recordingOffMs: Math.round(off),
    ratio: Number((on / off).toFixed(3)),
    recorderAloneMs: Math.round(recorder),
    onMs: times.on.map(Math.round),
    offMs: times.off.map(Math.round),
  }
  console.log(
    `median with recording ${(on / 1000).toFixed(2)} s, without ${(off / 1000).toFixed(2)} s: ratio ${result.ratio} (${((on / off - 1) * 100).toFixed(1)} %)`,
  )
  console.log(
    `the recorder alone (in process, no runner): ${Math.round(recorder)} ms for ${FILES} files`,
  )
  console.log(JSON.stringify(result))
} finally {
  await drive.close()
  rmSync(work, { recursive: true, force: true })
}
