// One runner child process, whichever way it was forked: child_process here (CLI, browser mode,
// tests), Electron's utilityProcess in the desktop shell (src/main/utility-runner.ts).
import { fork } from 'node:child_process'
import type { MainToRunner, RunnerToMain } from '../../shared/runner-protocol'

export interface RunnerExit {
  code: number | null
  signal: string | null
  /** True when the process died because its JavaScript heap was full. */
  outOfMemory: boolean
}

export interface RunnerProcess {
  readonly pid: number | undefined
  send(message: MainToRunner): void
  onMessage(listener: (message: RunnerToMain) => void): void
  onExit(listener: (exit: RunnerExit) => void): void
  kill(): void
}

export interface LaunchOptions {
  memoryMb: number
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
    const child = fork(runnerScript, [], {
      execArgv: [`--max-old-space-size=${memoryMb}`, ...extraExecArgv],
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
      send: (message) => {
        if (child.connected) child.send(message)
      },
      onMessage: (listener) => child.on('message', (message) => listener(message as RunnerToMain)),
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
