// The desktop app forks runners as Electron utility processes; the core only sees RunnerProcess.
import { utilityProcess } from 'electron'
import type { MainToRunner, RunnerToMain } from '../shared/runner-protocol'
import type { RunnerExit, RunnerLauncher } from './core/runner-process'

const STDERR_TAIL = 4096

export function utilityProcessLauncher(runnerScript: string): RunnerLauncher {
  return ({ memoryMb }) => {
    const child = utilityProcess.fork(runnerScript, [], {
      serviceName: 'Skwirl runner',
      execArgv: [`--max-old-space-size=${memoryMb}`],
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
      send: (message: MainToRunner) => {
        if (!exited) child.postMessage(message)
      },
      onMessage: (listener) =>
        child.on('message', (message: unknown) => listener(message as RunnerToMain)),
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
