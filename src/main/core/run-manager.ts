// Starts runs, answers their runners' host calls, keeps their state, writes their errors to the
// log, and kills a runner that is stuck, too big, or cancelled.
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { RunState, RunStatus } from '../../shared/api'
import { serializeError } from '../../shared/errors'
import { redactSecrets } from '../../shared/redact'
import type {
  CallContext,
  HostCall,
  HostReply,
  MainToRunner,
  RunnerLimits,
  RunnerToMain,
  Stage,
} from '../../shared/runner-protocol'
import { HttpBroker } from './http-broker'
import type { LogFields, Logger, LogLevel } from './logger'
import type { RunnerExit, RunnerLauncher, RunnerProcess } from './runner-process'

export interface RunErrorEntry {
  fileId: string | null
  stage: Stage
  message: string
}

export interface RunOutcome extends RunState {
  errors: RunErrorEntry[]
}

export interface RunnableProvider {
  id: string
  name: string
  code: string
}

export interface RunManagerOptions {
  launch: RunnerLauncher
  logger: Logger
  limits: RunnerLimits
  /** Called with each run's state: at once on start and finish, at most every updateEveryMs between. */
  onUpdate?: (state: RunState) => void
  updateEveryMs?: number
  /** How often the watchdog looks at a runner's silence and memory. */
  watchEveryMs?: number
}

type Outgoing = MainToRunner extends infer M
  ? M extends { seq: number }
    ? Omit<M, 'seq'>
    : never
  : never
type StopReason = 'cancelled' | 'watchdog' | 'memory'

export class RunManager {
  private readonly runs = new Map<string, Run>()

  constructor(private readonly options: RunManagerOptions) {}

  start(provider: RunnableProvider): { runId: string; done: Promise<RunOutcome> } {
    const run = new Run(provider, this.options)
    this.runs.set(run.state.runId, run)
    return { runId: run.state.runId, done: run.done }
  }

  /** Runs started by this process, newest first. */
  list(): RunState[] {
    return [...this.runs.values()].map((run) => ({ ...run.state })).reverse()
  }

  cancel(runId: string): boolean {
    const run = this.runs.get(runId)
    if (!run || run.state.status !== 'running') return false
    run.stop('cancelled')
    return true
  }

  /** Cancels every running run and waits until each is recorded. */
  async cancelAll(): Promise<void> {
    const running = [...this.runs.values()].filter((run) => run.state.status === 'running')
    for (const run of running) run.stop('cancelled')
    await Promise.all(running.map((run) => run.done))
  }
}

class Run {
  readonly state: RunState
  readonly done: Promise<RunOutcome>
  private resolveDone!: (outcome: RunOutcome) => void
  private readonly errors: RunErrorEntry[] = []
  private readonly secrets = new Set<string>()
  private readonly runner: RunnerProcess
  private readonly broker: HttpBroker
  private readonly calls = new AbortController()
  private seq = 0
  private callInFlight = false
  private lastActivity = Date.now()
  private stopReason: StopReason | null = null
  private finished = false
  private lastUpdate = 0
  private updateTimer: NodeJS.Timeout | undefined
  private readonly watchdog: NodeJS.Timeout

  constructor(
    private readonly provider: RunnableProvider,
    private readonly options: RunManagerOptions,
  ) {
    this.state = {
      runId: randomUUID(),
      providerId: provider.id,
      providerName: provider.name,
      status: 'running',
      startedAt: new Date().toISOString(),
      finishedAt: null,
      listed: 0,
      downloaded: 0,
      failed: 0,
      bytes: 0,
    }
    this.done = new Promise((resolve) => (this.resolveDone = resolve))
    this.broker = new HttpBroker({ silenceMs: options.limits.httpSilenceMs })
    this.log('info', 'run started')
    this.runner = options.launch({ memoryMb: options.limits.memoryMb })
    this.runner.onMessage((message) => this.onMessage(message))
    this.runner.onExit((exit) => this.onExit(exit))
    this.watchdog = setInterval(() => this.watch(), options.watchEveryMs ?? 250)
    this.send({
      type: 'start',
      runId: this.state.runId,
      providerName: provider.name,
      code: provider.code,
      limits: options.limits,
    })
    this.emitUpdate(true)
  }

  stop(reason: StopReason): void {
    if (this.finished || this.stopReason) return
    this.stopReason = reason
    this.calls.abort()
    this.runner.kill()
  }

  private send(message: Outgoing): void {
    this.seq++
    this.runner.send({ ...message, seq: this.seq } as MainToRunner)
  }

  private onMessage(message: RunnerToMain): void {
    if (this.finished) return
    this.lastActivity = Date.now()
    switch (message.type) {
      case 'ready':
      case 'file-start':
        return
      case 'call':
        void this.answer(message.seq, message.call, message.context)
        return
      case 'ids':
        this.state.listed += message.ids.length
        this.emitUpdate(false)
        return
      case 'listed':
        this.state.listed = message.count
        this.log('info', `listed ${message.count} file(s)`, { stage: 'list' })
        this.emitUpdate(false)
        return
      case 'file': {
        const { result } = message
        this.state.bytes += result.bytes
        if (result.outcome === 'downloaded') {
          this.state.downloaded++
        } else {
          this.state.failed++
          const error = result.error ?? { stage: 'download' as const, message: 'failed' }
          this.errors.push({
            fileId: result.fileId,
            stage: error.stage,
            message: this.clean(error.message),
          })
          this.log('error', error.message, { fileId: result.fileId, stage: error.stage })
        }
        this.emitUpdate(false)
        return
      }
      case 'log':
        this.log(message.level, message.message, message.context ?? {})
        return
      case 'done':
        if (message.error) {
          this.errors.push({
            fileId: null,
            stage: message.error.stage,
            message: this.clean(message.error.message),
          })
          this.log('error', `run failed: ${message.error.message}`, { stage: message.error.stage })
        }
        this.finish(message.status)
        return
    }
  }

  private async answer(seq: number, call: HostCall, context: CallContext): Promise<void> {
    this.callInFlight = true
    for (const [name, value] of Object.entries(call.headers)) {
      if (!/^(authorization|proxy-authorization|x-api-key|cookie)$/i.test(name)) continue
      this.secrets.add(value)
      // The credential alone too ("Bearer <token>" → "<token>"): a script may quote it bare.
      const credential = /^\s*[A-Za-z][\w-]*\s+(\S+)\s*$/.exec(value)?.[1]
      if (credential) this.secrets.add(credential)
    }
    let reply: Outgoing
    try {
      const value: HostReply =
        call.method === 'http.get'
          ? await this.broker.get(call.url, call.headers, call.params, this.calls.signal)
          : await this.broker.download(call.url, call.headers, call.expected, this.calls.signal)
      reply = { type: 'reply', replyTo: seq, ok: true, value }
    } catch (error) {
      const serialized = serializeError(error)
      this.log('debug', `${call.method} failed: ${serialized.message}`, context)
      reply = { type: 'reply', replyTo: seq, ok: false, error: serialized }
    }
    this.callInFlight = false
    this.lastActivity = Date.now()
    if (!this.finished) this.send(reply)
  }

  private watch(): void {
    if (this.finished || this.stopReason) return
    const { watchdogMs, memoryMb } = this.options.limits
    if (!this.callInFlight && Date.now() - this.lastActivity > watchdogMs) {
      this.stop('watchdog')
      return
    }
    const rss = residentBytes(this.runner.pid)
    if (rss !== null && rss > memoryMb * 1024 * 1024) this.stop('memory')
  }

  private onExit(exit: RunnerExit): void {
    if (this.finished) return
    const { limits } = this.options
    let message: string
    let status: RunStatus = 'failed'
    if (this.stopReason === 'cancelled') {
      status = 'cancelled'
      message = 'cancelled'
    } else if (this.stopReason === 'watchdog') {
      message = `the runner was killed: it neither called the host nor reported for ${Math.round(limits.watchdogMs / 1000)} s (a builtin such as string.rep or a pattern match running too long)`
    } else if (this.stopReason === 'memory' || exit.outOfMemory) {
      message = `the runner was killed: it went over its memory limit of ${limits.memoryMb} MB`
    } else {
      message = `the runner process ended unexpectedly (exit code ${exit.code ?? 'none'}, signal ${exit.signal ?? 'none'})`
    }
    if (status === 'cancelled') {
      this.log('warn', 'run cancelled')
    } else {
      this.errors.push({ fileId: null, stage: 'load', message })
      this.log('error', `run failed: ${message}`)
    }
    this.finish(status)
  }

  private finish(status: RunStatus): void {
    if (this.finished) return
    this.finished = true
    clearInterval(this.watchdog)
    clearTimeout(this.updateTimer)
    this.calls.abort()
    this.runner.kill()
    this.state.status = status
    this.state.finishedAt = new Date().toISOString()
    const s = this.state
    this.log(
      status === 'completed' ? 'info' : 'warn',
      `run ${status}: ${s.listed} listed, ${s.downloaded} downloaded, ${s.failed} failed, ${s.bytes} bytes`,
    )
    this.emitUpdate(true)
    this.resolveDone({ ...this.state, errors: this.errors })
  }

  private emitUpdate(now: boolean): void {
    const onUpdate = this.options.onUpdate
    if (!onUpdate) return
    const every = this.options.updateEveryMs ?? 250
    const wait = this.lastUpdate + every - Date.now()
    if (now || wait <= 0) {
      clearTimeout(this.updateTimer)
      this.updateTimer = undefined
      this.lastUpdate = Date.now()
      onUpdate({ ...this.state })
    } else if (!this.updateTimer) {
      this.updateTimer = setTimeout(() => {
        this.updateTimer = undefined
        this.lastUpdate = Date.now()
        if (!this.finished) onUpdate({ ...this.state })
      }, wait)
    }
  }

  private clean(message: string): string {
    return redactSecrets(message, this.secrets)
  }

  private log(level: LogLevel, message: string, fields: LogFields = {}): void {
    this.options.logger.log(level, this.clean(message), {
      runId: this.state.runId,
      provider: this.provider.name,
      ...fields,
    })
  }
}

/** The runner's resident memory on Linux (null elsewhere, where the V8 heap cap alone applies). */
function residentBytes(pid: number | undefined): number | null {
  if (pid === undefined || process.platform !== 'linux') return null
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1])
    return Number.isFinite(pages) ? pages * 4096 : null
  } catch {
    return null
  }
}
