// The Skwirl side of a measurement: a fresh process hosting the real core (as the CLI does) that
// runs the shipped Google Drive provider once against the double and reports times and peak
// memory. A fresh process per run keeps each peak its own; the runner is Skwirl's own child.
import { spawn } from 'node:child_process'
import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunnerToMain } from '../src/shared/runner-protocol'
import { createLogger } from '../src/main/core/logger'
import type { RunnerLauncher } from '../src/main/core/runner-process'
import { childProcessLauncher } from '../src/main/core/runner-process'
import { createCore } from '../src/main/core/skwirl-core'
import { DEFAULT_TOKEN } from '../test/drive-double/server'
import {
  googleDriveCodeFor,
  RESOURCES_DIR,
  RUNNER_SCRIPT,
  shippedGoogleDriveCode,
} from '../test/support/fixtures'
import type { HostResult, HostTask } from './protocol'
import { seedPageAtATime } from './seed-page'
import { monotonicMs, peakResidentBytes } from './protocol'

/** What the host sees of the runner: its pid, message times and its peak memory when it mattered. */
interface RunnerWatch {
  pid: number | undefined
  readyAt: number | null
  downloadCallAt: number | null
  downloadMs: number | null
  listedAt: number | null
  peakBytes: number | null
  /** The runner's CPU time, read when it said it is done. */
  cpuMs: number | null
  /** Sum over host calls of call reaching main → main sending its reply (the HTTP work). */
  answeringMs: number
  /** Sum of main's reply sent → the runner's next call reaching main (IPC both ways + Lua). */
  betweenCallsMs: number
  calls: number
  callAt: number | null
  /** The first host call reaching main. */
  firstCallAt: number | null
  replyAt: number | null
  onListed: (() => void) | null
  usage: (() => { cpuMs: number } | null) | null
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1000
}

/** The real launcher, with a look at each message before RunManager gets it. */
function watchedLauncher(launch: RunnerLauncher, watch: RunnerWatch): RunnerLauncher {
  const observe = (message: RunnerToMain): void => {
    const now = monotonicMs()
    const peak = (): void => {
      if (watch.pid === undefined) return
      watch.peakBytes = Math.max(watch.peakBytes ?? 0, peakResidentBytes(watch.pid) ?? 0)
    }
    switch (message.type) {
      case 'ready':
        watch.readyAt = now
        return
      case 'call':
        if (message.call.method === 'download_url') watch.downloadCallAt = now
        if (watch.replyAt !== null) watch.betweenCallsMs += now - watch.replyAt
        watch.callAt = now
        watch.firstCallAt ??= now
        watch.calls++
        return
      case 'file':
        if (watch.downloadCallAt !== null) watch.downloadMs = now - watch.downloadCallAt
        watch.downloadCallAt = null
        return
      case 'listed':
        watch.listedAt = now
        peak()
        watch.onListed?.()
        return
      case 'done':
        // Read before RunManager kills the runner.
        peak()
        watch.cpuMs = watch.usage?.()?.cpuMs ?? null
        return
    }
  }
  return (options) => {
    const runner = launch(options)
    watch.pid = runner.pid
    watch.usage = () => runner.usage()
    return {
      get pid() {
        return runner.pid
      },
      usage: () => runner.usage(),
      send: (message) => {
        if (message.type === 'reply' && watch.callAt !== null) {
          watch.replyAt = monotonicMs()
          watch.answeringMs += watch.replyAt - watch.callAt
        }
        runner.send(message)
      },
      onMessage: (listener) =>
        runner.onMessage((message) => {
          observe(message)
          listener(message)
        }),
      onExit: (listener) => runner.onExit(listener),
      kill: () => runner.kill(),
    }
  }
}

/** `node -e 0` spawned with the options the runner is forked with: spawn to exit. */
async function nodeStartMs(): Promise<number> {
  const started = monotonicMs()
  const child = spawn(process.execPath, ['--max-old-space-size=512', '-e', '0'], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    detached: true,
    windowsHide: true,
    serialization: 'advanced',
  })
  await once(child, 'exit')
  return monotonicMs() - started
}

/** The built runner; SKWIRL_BENCH_RUNNER measures another build of it (an experiment's). */
function runnerScript(task: HostTask): string {
  if (task.runner === 'stand-in') return join(__dirname, 'stand-in-runner.js')
  return process.env.SKWIRL_BENCH_RUNNER || RUNNER_SCRIPT
}

/** The highest heapUsed seen right after a full (mark-compact) collection. */
function watchLiveHeap(): { stop: () => number } {
  let most = 0
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind
      if (kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) {
        most = Math.max(most, process.memoryUsage().heapUsed)
      }
    }
  })
  observer.observe({ entryTypes: ['gc'] })
  return {
    stop: () => {
      observer.disconnect()
      // A run too short for a full collection: the heap as it is (an upper bound).
      return most || process.memoryUsage().heapUsed
    },
  }
}

async function main(task: HostTask): Promise<HostResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skwirl-bench-'))
  const watch: RunnerWatch = {
    pid: undefined,
    readyAt: null,
    downloadCallAt: null,
    downloadMs: null,
    listedAt: null,
    peakBytes: null,
    cpuMs: null,
    usage: null,
    onListed: null,
    answeringMs: 0,
    betweenCallsMs: 0,
    calls: 0,
    callAt: null,
    firstCallAt: null,
    replyAt: null,
  }
  const core = createCore({
    dataDir,
    resourcesDir: RESOURCES_DIR,
    logger: createLogger({ dataDir, console: false }),
    launchRunner: watchedLauncher(childProcessLauncher(runnerScript(task)), watch),
    spareRunner: task.spareRunner === true,
  })
  try {
    const nodeMs = task.nodeBaseline ? await nodeStartMs() : undefined
    const code =
      task.provider === 'shipped'
        ? shippedCodeFor(task.url, task.unpaced === true)
        : task.provider === 'seed-page'
          ? seedPageAtATime(googleDriveCodeFor(task.url))
          : googleDriveCodeFor(task.url)
    const provider = { id: 'bench', name: 'Google Drive', code }
    await core.spareRunnerReady()
    const startedAt = monotonicMs()
    const cpuAtStart = process.cpuUsage()
    const liveHeap = watchLiveHeap()
    const { runId, done } = core.runs.start(provider, {
      ...(task.destination ? { destination: task.destination } : {}),
      ...(task.transfers ? { transfers: task.transfers } : {}),
    })
    if (task.mode === 'list') {
      watch.onListed = () => setImmediate(() => core.runs.cancel(runId))
    }
    const outcome = await done
    const endedAt = task.mode === 'list' ? (watch.listedAt ?? monotonicMs()) : monotonicMs()
    const expected = task.mode === 'list' ? 'cancelled' : 'completed'
    return {
      status: outcome.status === expected ? 'ok' : outcome.status,
      listed: outcome.listed,
      downloaded: outcome.downloaded,
      unchanged: outcome.unchanged,
      skipped: outcome.skipped,
      failed: outcome.failed,
      bytes: outcome.bytes,
      retries: outcome.retries,
      errors: outcome.errors.slice(0, 5).map((e) => `${e.fileId ?? '-'} ${e.stage}: ${e.message}`),
      elapsedMs: endedAt - startedAt,
      startedAt,
      readyMs: watch.readyAt === null ? null : watch.readyAt - startedAt,
      firstCallMs: watch.firstCallAt === null ? null : watch.firstCallAt - startedAt,
      downloadMs: watch.downloadMs,
      mainPeakBytes: peakResidentBytes('self') ?? 0,
      mainLiveHeapBytes: liveHeap.stop(),
      runnerPeakBytes: watch.peakBytes,
      calls: watch.calls,
      answeringMs: watch.answeringMs,
      betweenCallsMs: watch.betweenCallsMs,
      mainCpuMs: cpuMsSince(cpuAtStart),
      runnerCpuMs: watch.cpuMs,
      ...(nodeMs === undefined ? {} : { nodeMs }),
    }
  } finally {
    await core.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/**
 * The shipped Google Drive provider pointed at the double, as it runs for a user with the
 * settings' defaults: its declaration kept as a plain table, skwirl.setting answered with the
 * declared defaults, and the double's token sent where main would add the sign-in's.
 */
function shippedCodeFor(url: string, unpaced: boolean): string {
  const pace = 'http.configure { min_interval = 0.0052, burst = 100 }'
  const shipped = shippedGoogleDriveCode()
  if (unpaced && !shipped.includes(pace)) {
    throw new Error('the shipped Google Drive provider changed its pace: update shippedCodeFor')
  }
  const code = (unpaced ? shipped.replace(pace, '-- (its pace lifted for the bench)') : shipped)
    .replaceAll('https://www.googleapis.com', url)
    .replace('skwirl.declare {', 'local DECLARED = {')
    .replaceAll('skwirl.setting(', 'declared_default(')
    .replaceAll('auth = "oauth"', `headers = { Authorization = "Bearer ${DEFAULT_TOKEN}" }`)
  const lookup = `
local function declared_default(key)
  for _, s in ipairs(DECLARED.settings) do
    if s.key == key then return s.default end
  end
end
`
  // After the declaration's table, before the first function that reads a setting.
  const at = code.indexOf('\nlocal log = require')
  if (at < 0) throw new Error('the shipped Google Drive provider changed: update shippedCodeFor')
  return `${code.slice(0, at)}${lookup}${code.slice(at)}`
}

const task = JSON.parse(process.argv[2] ?? '{}') as HostTask
main(task).then(
  (result) => process.send?.(result, () => process.exit(0)),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
