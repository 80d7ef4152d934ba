// The runner's messages to main, written to the channel in as few writes as possible. Each write
// wakes main (about 100 µs on a loaded machine, more than the work it carries), so the messages
// main only notes (a file's result, its name, listed ids) wait for the next message main must
// act on (a host call, the end of the run) and go with it in one write, in their order.
import type { RunnerToMain } from '../../shared/runner-protocol'

/** Messages that may wait for the next urgent one: main only notes them. */
const DEFERRABLE: ReadonlySet<RunnerToMain['type']> = new Set([
  'file',
  'file-metadata',
  'ids',
  'listed',
])
/** A queue is written once it holds this many messages, or is this old (a long computation). */
const MAX_QUEUED = 64
const MAX_AGE_MS = 100

export class Outbox {
  private queue: RunnerToMain[] = []
  private queuedAt = 0
  private flushScheduled = false

  constructor(
    private readonly write: (message: RunnerToMain | RunnerToMain[]) => void,
    private readonly now: () => number = Date.now,
  ) {}

  send(message: RunnerToMain): void {
    this.queue.push(message)
    if (!DEFERRABLE.has(message.type)) return this.flush()
    if (this.queue.length === 1) this.queuedAt = this.now()
    if (this.queue.length >= MAX_QUEUED || this.now() - this.queuedAt >= MAX_AGE_MS) {
      return this.flush()
    }
    // Whatever comes next, nothing waits past the runner's next pause.
    if (!this.flushScheduled) {
      this.flushScheduled = true
      setImmediate(() => {
        this.flushScheduled = false
        this.flush()
      })
    }
  }

  /** Writes what is queued: one message as it is, several as one array. */
  flush(): void {
    const queue = this.queue
    if (queue.length === 0) return
    this.queue = []
    this.write(queue.length === 1 ? (queue[0] as RunnerToMain) : queue)
  }
}
