// One runner child process, whichever way it was forked: child_process here (CLI, browser mode,
// tests), Electron's utilityProcess in the desktop shell (src/main/utility-runner.ts).
import { fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import {
  eachRunnerMessage,
  type MainToRunner,
  type RunnerToMain,
  type RunnerWire,
} from '../../shared/runner-protocol'

export interface RunnerExit {
  code: number | null
  signal: string | null
  /** True when the process died because its JavaScript heap was full. */
  outOfMemory: boolean
}

/** What the system says a runner has used so far. */
export interface RunnerUsage {
  /** CPU time (user and system), in milliseconds. */
  cpuMs: number
  /** Resident memory, in bytes. */
  residentBytes: number
}

export interface RunnerProcess {
  readonly pid: number | undefined
  /** Its CPU time and memory, or null where the system does not tell (the watchdog then uses time). */
  usage(): RunnerUsage | null
  send(message: MainToRunner): void
  onMessage(listener: (message: RunnerToMain) => void): void
  onExit(listener: (exit: RunnerExit) => void): void
  kill(): void
}

export interface LaunchOptions {
  /** The runner's JavaScript heap limit (its resident memory is watched with headroom above). */
  memoryMb: number
}

/**
 * Resident memory a runner may use beyond its heap limit before it is killed: V8's young
 * generation and code, fengari's strings (outside the heap) and garbage not yet collected.
 */
export function residentLimitMb(memoryMb: number): number {
  return memoryMb + Math.max(128, Math.round(memoryMb / 4))
}

/**
 * V8's young generation of a runner, per semi-space. V8 grows it to 64 MB a semi-space under a
 * listing's churn (each page's tables, ~10 MB for 2,000 Dropbox entries, die after the page):
 * 128 MB of resident memory that holds nothing. At 8 MB, as fast (runner-micro, CPU time of
 * interleaved runs: a Dropbox listing of 200,000 files, the seed's of 100,000, 10,000 small
 * files), and a listing of 1,000,000 Dropbox files peaks ~15–25 MB lower than at 16 MB.
 */
export const RUNNER_SEMI_SPACE_MB = 8

/** The Node flags every runner gets, however it is forked: its heap cap and young generation. */
export function runnerNodeFlags(memoryMb: number): string[] {
  return [`--max-old-space-size=${memoryMb}`, `--max-semi-space-size=${RUNNER_SEMI_SPACE_MB}`]
}

/** Linux's clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on every Linux). */
const CLOCK_TICKS = 100
const PAGE_BYTES = 4096

/** A process's CPU time and resident memory from /proc on Linux; null elsewhere or when gone. */
export function procUsage(pid: number | undefined): RunnerUsage | null {
  if (pid === undefined || process.platform !== 'linux') return null
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name may hold spaces and parentheses: the fields start after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // After the name: state is field 3, utime 14, stime 15, rss 24 (in pages).
    const utime = Number(fields[11])
    const stime = Number(fields[12])
    const rssPages = Number(fields[21])
    if (![utime, stime, rssPages].every(Number.isFinite)) return null
    return {
      cpuMs: ((utime + stime) * 1000) / CLOCK_TICKS,
      residentBytes: rssPages * PAGE_BYTES,
    }
  } catch {
    return null
  }
}

export type RunnerLauncher = (options: LaunchOptions) => RunnerProcess

const STDERR_TAIL = 4096
/** How long a profiled runner gets to write its profile after it is told to go. */
const PROFILE_GRACE_MS = 10_000

/**
 * Extra Node flags for every runner, for profiling and diagnosis only:
 * SKWIRL_RUNNER_EXEC_ARGV="--cpu-prof --cpu-prof-dir=/tmp/prof".
 */
export function runnerExecArgvFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.SKWIRL_RUNNER_EXEC_ARGV ?? '').split(/\s+/).filter((flag) => flag !== '')
}

export function childProcessLauncher(runnerScript: string): RunnerLauncher {
  const extraExecArgv = runnerExecArgvFromEnv()
  // A profile is written on a normal exit only: a profiled runner is disconnected (it then
  // exits by itself) rather than killed, and killed only if it has not gone after a grace.
  const profiled = extraExecArgv.some((flag) => /^--(cpu|heap)-prof/.test(flag))
  return ({ memoryMb }) => {
    // The runner watches this pid from a thread of its own and ends itself when it is gone.
    const child = fork(runnerScript, [String(process.pid)], {
      execArgv: [...runnerNodeFlags(memoryMb), ...extraExecArgv],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // Its own process group: a Ctrl-C in the terminal reaches the CLI, which cancels the run itself.
      detached: true,
      windowsHide: true,
    })
    let stderrTail = ''
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL)
    })
    let exited: RunnerExit | null = null
    const exitListeners: Array<(exit: RunnerExit) => void> = []
    const report = (code: number | null, signal: string | null): void => {
      if (exited) return
      exited = {
        code,
        signal,
        outOfMemory: /heap out of memory|Allocation failed/i.test(stderrTail),
      }
      for (const listener of exitListeners) listener(exited)
    }
    // 'close' rather than 'exit': by then stderr has been read to the end.
    child.on('close', report)
    let disconnected = false
    // Node never emits 'close' for a child whose IPC channel the parent disconnected.
    child.on('exit', (code, signal) => {
      if (disconnected) setImmediate(() => report(code, signal))
    })
    // A send to a process that just died is not an error worth crashing main for.
    child.on('error', () => undefined)
    return {
      pid: child.pid,
      usage: () => procUsage(child.pid),
      send: (message) => {
        if (child.connected) child.send(message)
      },
      onMessage: (listener) =>
        child.on('message', (message) => eachRunnerMessage(message as RunnerWire, listener)),
      onExit: (listener) => {
        if (exited) listener(exited)
        else exitListeners.push(listener)
      },
      kill: () => {
        if (child.exitCode !== null || child.signalCode !== null) return
        if (profiled && child.connected) {
          disconnected = true
          child.disconnect()
          setTimeout(() => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
          }, PROFILE_GRACE_MS).unref()
          return
        }
        child.kill('SIGKILL')
      },
    }
  }
}
