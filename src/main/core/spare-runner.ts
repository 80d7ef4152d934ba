// A runner started ahead of the next run, while the app is idle, so that Execute does not wait for
// a process to start and load the runner (about 60 ms here, a tenth of a 100,000-id listing).
// Each spare is handed over once: the runner itself takes one 'start' (or 'test', 'declare') and
// refuses any other, and a run's Lua state lives and dies with its process, so nothing is shared
// between runs. The next spare is started only once the runner handed over has ended, so that
// starting it never competes with a run for the CPU; an idle spare costs one Node process
// (about 45 MB resident) and no CPU.
import type { RunnerToMain } from '../../shared/runner-protocol'
import type { LaunchOptions, RunnerLauncher, RunnerProcess } from './runner-process'

export interface SpareRunners {
  /** Launches runners as `launch` does, handing over the spare when it fits. */
  launch: RunnerLauncher
  /** Resolves once a spare is up and ready (or there is none to wait for). */
  ready(): Promise<void>
  /** Ends the spare; no other is started. */
  close(): void
}

interface Spare {
  options: LaunchOptions
  runner: RunnerProcess
  /** The run's listeners, once handed over (messages before that are the spare's 'ready'). */
  listeners: Array<(message: RunnerToMain) => void>
  exited: boolean
  ready: Promise<void>
}

/** Keeps one spare runner for runs launched with `options` (the core's limits). */
export function spareRunners(inner: RunnerLauncher, options: LaunchOptions): SpareRunners {
  let spare: Spare | null = null
  let closed = false

  const startSpare = (): void => {
    if (closed || spare !== null) return
    const runner = inner(options)
    let onReady: () => void = () => undefined
    const started: Spare = {
      options,
      runner,
      listeners: [],
      exited: false,
      ready: new Promise<void>((resolve) => (onReady = resolve)),
    }
    // One listener for the process's whole life: it forwards to the run once handed over.
    runner.onMessage((message) => {
      if (message.type === 'ready') onReady()
      for (const listener of started.listeners) listener(message)
    })
    runner.onExit(() => {
      started.exited = true
      onReady()
      // A spare that died while waiting is simply gone; the next launch starts one as before.
      if (spare === started) spare = null
    })
    spare = started
  }

  const handOver = (taken: Spare): RunnerProcess => {
    const { runner } = taken
    // The next spare once this runner has ended (its run, test or declaration is over).
    runner.onExit(() => startSpare())
    return {
      get pid() {
        return runner.pid
      },
      usage: () => runner.usage(),
      send: (message) => runner.send(message),
      onMessage: (listener) => void taken.listeners.push(listener),
      onExit: (listener) => runner.onExit(listener),
      kill: () => runner.kill(),
    }
  }

  startSpare()
  return {
    launch: (wanted) => {
      const taken = spare
      if (taken && !taken.exited && taken.options.memoryMb === wanted.memoryMb) {
        spare = null
        return handOver(taken)
      }
      return inner(wanted)
    },
    ready: () => spare?.ready ?? Promise.resolve(),
    close: () => {
      closed = true
      spare?.runner.kill()
      spare = null
    },
  }
}
