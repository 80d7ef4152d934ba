// A runner must not outlive the Skwirl process that started it, whatever ended that process
// (SIGKILL, a crash) and whatever the runner is doing: a pattern match can hold its main thread
// for ever. So a thread of its own watches the parent and, once it is gone, kills the runner.
import { Worker } from 'node:worker_threads'

/** How often the watching thread looks (the runner ends within about this long of its parent). */
export const PARENT_WATCH_MS = 500

// Plain JavaScript, run as its own worker: it needs nothing but `process`.
const WATCHER = `
const { workerData } = require('node:worker_threads')
const { parentPid, firstPpid, everyMs } = workerData
function parentGone() {
  // Orphans are adopted by another process (init or a subreaper): the parent pid changes.
  if (process.ppid !== firstPpid) return true
  try {
    process.kill(parentPid, 0)
    return false
  } catch (error) {
    return error.code === 'ESRCH'
  }
}
setInterval(() => {
  if (parentGone()) process.kill(process.pid, 'SIGKILL')
}, everyMs)
`

/** Starts the watching thread for the parent `parentPid` (the pid the launcher passed). */
export function endWithParent(parentPid: number, everyMs = PARENT_WATCH_MS): void {
  const worker = new Worker(WATCHER, {
    eval: true,
    workerData: { parentPid, firstPpid: process.ppid, everyMs },
    // It holds a timer and two numbers.
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    // Not the runner's flags: a profiled runner (--cpu-prof) profiles the Lua, not this thread.
    execArgv: [],
  })
  // The runner's life is its own; the watcher never keeps it running.
  worker.unref()
  worker.on('error', (error) => {
    process.stderr.write(`skwirl runner: the parent watch stopped: ${error.message}\n`)
  })
}

/** The parent's pid as the launcher passed it (argv), or the process's parent. */
export function parentPidFromArgv(argv: string[] = process.argv): number {
  const given = Number(argv[2])
  return Number.isSafeInteger(given) && given > 0 ? given : process.ppid
}
