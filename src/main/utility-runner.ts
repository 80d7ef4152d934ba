// The desktop app forks runners as Electron utility processes; the core only sees RunnerProcess.
import { app, utilityProcess } from 'electron'
import { eachRunnerMessage, type MainToRunner, type RunnerWire } from '../shared/runner-protocol'
import {
  procUsage,
  runnerNodeFlags,
  type RunnerExit,
  type RunnerLauncher,
  type RunnerUsage,
} from './core/runner-process'

const STDERR_TAIL = 4096

export function utilityProcessLauncher(runnerScript: string): RunnerLauncher {
  return ({ memoryMb }) => {
    // The runner watches this pid from a thread of its own and ends itself when it is gone.
    const child = utilityProcess.fork(runnerScript, [String(process.pid)], {
      serviceName: 'Skwirl runner',
      execArgv: runnerNodeFlags(memoryMb),
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderrTail = ''
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL)
    })
    let exited: RunnerExit | null = null
    const exitListeners: Array<(exit: RunnerExit) => void> = []
    child.on('exit', (code) => {
      exited = {
        code,
        signal: null,
        outOfMemory: /heap out of memory|Allocation failed/i.test(stderrTail),
      }
      for (const listener of exitListeners) listener(exited)
    })
    return {
      get pid() {
        return child.pid
      },
      usage: () => procUsage(child.pid) ?? metricsUsage(child.pid),
      send: (message: MainToRunner) => {
        if (!exited) child.postMessage(message)
      },
      onMessage: (listener) =>
        child.on('message', (message: unknown) =>
          eachRunnerMessage(message as RunnerWire, listener),
        ),
      onExit: (listener) => {
        if (exited) listener(exited)
        else exitListeners.push(listener)
      },
      kill: () => {
        if (!exited) child.kill()
      },
    }
  }
}

/** Electron's own figures for a child, where /proc is not there (macOS, Windows). */
function metricsUsage(pid: number | undefined): RunnerUsage | null {
  const metric = app.getAppMetrics().find((m) => m.pid === pid)
  const seconds = metric?.cpu.cumulativeCPUUsage
  if (!metric || seconds === undefined) return null
  return { cpuMs: seconds * 1000, residentBytes: metric.memory.workingSetSize * 1024 }
}
