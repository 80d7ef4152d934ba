// Starts runs, answers their runners' host calls, keeps their state, writes their errors to the
// log, and kills a runner that is stuck, too big, or cancelled. A run with a destination holds it
// (through destination/) from before its runner starts until its record is final.
import { randomUUID } from 'node:crypto'
import {
  DEFAULT_RETENTION_DAYS,
  DEFAULT_TRANSFERS,
  transfersProblem,
  type RunEndReason,
  type RunFilesPage,
  type RunFilesQuery,
  type RunLogPage,
  type RunLogQuery,
  type RunState,
  type RunStatus,
} from '../../shared/api'
import { PaceMeter, secondsLeft } from '../../shared/pace'
import { ApiError, serializeError } from '../../shared/errors'
import {
  checkTypedDeclaration,
  DeclarationError,
  type ProviderDeclaration,
} from '../../shared/provider-declaration'
import type {
  CallContext,
  FileMetadata,
  HostCall,
  MainToRunner,
  RunnerLimits,
  RunnerToMain,
  Stage,
} from '../../shared/runner-protocol'
import type { SettingReader } from './aws'
import { SignInNeededError, type SignIns } from './auth'
import {
  DestinationError,
  DestinationRun,
  type DestinationSummary,
  type WriteChunk,
} from './destination'
import { capText, TEXT_LIMITS } from '../../shared/text-limits'
import { HostCalls, type RunAuth } from './host-calls'
import { resolveHttpPolicy, Pacer, type HttpPolicy, type HttpTiming } from './http'
import { HttpBroker, type HttpRetry } from './http-broker'
import type { LogFields, Logger, LogLevel } from './logger'
import { currentOwner, type ProcessOwner } from './process-owner'
import type { ProviderStorage } from './provider-storage'
import type { Redactor } from './redaction'
import { classifyFailure } from './run-problem'
import type { RunRecorder, RunStore } from './run-store'
import {
  residentLimitMb,
  type RunnerExit,
  type RunnerLauncher,
  type RunnerProcess,
} from './runner-process'
import { codeHash, type ProviderSettings } from './settings'

export interface RunErrorEntry {
  fileId: string | null
  stage: Stage
  message: string
}

export interface RunOutcome extends RunState {
  /** The run's own error and its first TEXT_LIMITS.errorEntries file errors. */
  errors: RunErrorEntry[]
  /** File errors beyond those kept (the counts in the state stay exact). */
  errorsOmitted: number
  /**
   * Why the run could not be recorded (a full disk, a damaged database…), null when its record
   * is complete. The run itself went as its status says; its history is what is missing.
   */
  recordError: string | null
}

export interface RunnableProvider {
  id: string
  name: string
  code: string
}

/** How to run: into a destination (and with what retention), or check only. */
export interface RunOptions {
  /** The folder to keep the files in; absent or null: check only (verified, not kept). */
  destination?: string | null
  /** Download every file again and compare it with the kept copy. */
  verifyAll?: boolean
  /** Versions older than this are pruned after a completed run (DEFAULT_RETENTION_DAYS). */
  retentionDays?: number
  /** How many files go through metadata → download at once (1, the default, to TRANSFERS_MAX). */
  transfers?: number
}

export interface RunManagerOptions {
  launch: RunnerLauncher
  logger: Logger
  /** The process's redactor; each run masks with a child of it that also learns the run's secrets. */
  redactor: Redactor
  limits: RunnerLimits
  /** skwirl.storage: each provider's key/value store. */
  storage: ProviderStorage
  /** Called with each run's state: at once on start and finish, at most every updateEveryMs between. */
  onUpdate?: (state: RunState) => void
  updateEveryMs?: number
  /** How often the watchdog looks at a runner's silence and memory. */
  watchEveryMs?: number
  /** Where runs are recorded; without it (a benchmark's switch) nothing is. */
  store?: RunStore | null
  /** The process recorded as each run's owner (this one by default). */
  owner?: ProcessOwner
  /** Each provider's settings, read in main (aws.sign's keys); none when absent. */
  settingsFor?: (providerId: string) => SettingReader
  /** Tests only: how destinations write each chunk (a disk that fails on cue). */
  writeChunk?: WriteChunk
  /** Provider settings (their values go to the runner; secret ones on request). */
  settings?: ProviderSettings
  /** Sign-ins: the access token for calls that name one. */
  signIns?: SignIns
  /** Shorter retry waits than a real service needs (tests and benchmarks only). */
  httpTiming?: HttpTiming
}

type Outgoing = MainToRunner extends infer M
  ? M extends { seq: number }
    ? Omit<M, 'seq'>
    : never
  : never
type StopReason = 'stopped' | 'closed' | 'watchdog' | 'memory' | 'destination'

export class RunManager {
  private readonly runs = new Map<string, Run>()
  private readonly owner: ProcessOwner
  /** One pace per provider: two runs of it share what the service allows. */
  private readonly pacers = new Map<string, Pacer>()

  constructor(private readonly options: RunManagerOptions) {
    this.owner = options.owner ?? currentOwner()
  }

  start(
    provider: RunnableProvider,
    runOptions: RunOptions = {},
  ): { runId: string; done: Promise<RunOutcome> } {
    const transfers = runOptions.transfers
    const problem = transfers === undefined ? null : transfersProblem(transfers)
    if (problem !== null) throw new ApiError('invalid-argument', problem)
    let pacer = this.pacers.get(provider.id)
    if (!pacer) this.pacers.set(provider.id, (pacer = new Pacer(resolveHttpPolicy({}).pacing)))
    const run = new Run(provider, runOptions, this.options, this.owner, pacer)
    this.runs.set(run.state.runId, run)
    return { runId: run.state.runId, done: run.done }
  }

  /** Runs started by this process, newest first. */
  list(): RunState[] {
    return [...this.runs.values()].map((run) => run.snapshot()).reverse()
  }

  /** The newest recorded run of each provider and every run this process is running. */
  latest(): RunState[] {
    const recorded = this.options.store?.latestPerProvider() ?? []
    const mine = this.list()
    const byId = new Map(recorded.map((run) => [run.runId, run]))
    for (const run of mine) {
      if (run.status === 'running' || byId.has(run.runId) || !this.options.store) {
        byId.set(run.runId, run)
      }
    }
    return newestFirst([...byId.values()])
  }

  /** A provider's recorded runs, newest first; this process's own with what only it knows. */
  history(providerId: string): RunState[] {
    const recorded = this.options.store?.history(providerId) ?? []
    const mine = new Map(
      this.list()
        .filter((run) => run.providerId === providerId)
        .map((run) => [run.runId, run]),
    )
    const merged = recorded.map((run) => mine.get(run.runId) ?? run)
    if (!this.options.store) merged.push(...mine.values())
    return newestFirst(merged)
  }

  /** A page of a run's recorded files (null: no such run); a running one is written first. */
  files(query: RunFilesQuery): RunFilesPage | null {
    this.runs.get(query.runId)?.flushRecord()
    return this.options.store?.files(query) ?? null
  }

  /** A page of a run's recorded log lines (null: no such run); a running one is written first. */
  log(query: RunLogQuery): RunLogPage | null {
    this.runs.get(query.runId)?.flushRecord()
    return this.options.store?.log(query) ?? null
  }

  /** A run of this process, or else as recorded; null when there is no such run. */
  find(runId: string): RunState | null {
    return this.runs.get(runId)?.snapshot() ?? this.options.store?.get(runId) ?? null
  }

  /** Stops a running run of this process: its runner is killed and it is recorded cancelled. */
  cancel(runId: string): boolean {
    const run = this.runs.get(runId)
    if (!run || run.state.status !== 'running') return false
    run.stop('stopped')
    return true
  }

  /** Cancels every running run (Skwirl is closing) and waits until each is recorded. */
  async cancelAll(): Promise<void> {
    const running = [...this.runs.values()].filter((run) => run.state.status === 'running')
    for (const run of running) run.stop('closed')
    await Promise.all(running.map((run) => run.done))
  }
}

function newestFirst(runs: RunState[]): RunState[] {
  return runs.sort((a, b) => (a.startedAt === b.startedAt ? 0 : a.startedAt < b.startedAt ? 1 : -1))
}

class Run {
  readonly state: RunState
  readonly done: Promise<RunOutcome>
  private resolveDone!: (outcome: RunOutcome) => void
  private readonly errors: RunErrorEntry[] = []
  private fileErrors = 0
  private readonly redactor: Redactor
  private runner: RunnerProcess | null = null
  private readonly calls = new AbortController()
  private readonly hostCalls: HostCalls
  private seq = 0
  /** Host calls main is answering: while there is one, the runner waits and is not watched. */
  private callsInFlight = 0
  /** When the host last answered, and the runner's CPU time then (read at the next watch). */
  private answeredAt = Date.now()
  private cpuAtAnswer: number | null = null
  /** The resident size that got the runner killed. */
  private residentAtKill = 0
  private stopReason: StopReason | null = null
  private finished = false
  private lastUpdate = 0
  private updateTimer: NodeJS.Timeout | undefined
  private watchdog: NodeJS.Timeout | undefined
  private readonly recorder: RunRecorder | null = null
  private recordError: string | null = null
  /** The file being backed up, or the last one until the next one's metadata arrives. */
  private currentFile: string | null = null
  private readonly pace = new PaceMeter()
  /** The run's destination, once it holds it; null for a check-only run. */
  private destination: DestinationRun | null = null
  /** Who holds the destination while this run waits for it. */
  private waitingFor: string | null = null
  /** What the provider declared in this run (skwirl.declare), once it has. */
  private declaration: ProviderDeclaration | null = null
  /** A stored provider (a .lua file run from the CLI has no settings or sign-in). */
  private readonly stored: boolean
  private httpPolicy: HttpPolicy

  constructor(
    private readonly provider: RunnableProvider,
    private readonly runOptions: RunOptions,
    private readonly options: RunManagerOptions,
    owner: ProcessOwner,
    private readonly pacer: Pacer,
  ) {
    this.httpPolicy = resolveHttpPolicy({}, options.httpTiming)
    // Until the provider declares its pace (http.configure), its requests go unpaced.
    pacer.setPolicy(this.httpPolicy.pacing)
    this.state = {
      runId: randomUUID(),
      providerId: provider.id,
      providerName: provider.name,
      status: 'running',
      phase: 'starting',
      reason: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      listed: 0,
      downloaded: 0,
      unchanged: 0,
      skipped: 0,
      failed: 0,
      bytes: 0,
      unchangedBytes: 0,
      retries: 0,
      destination: runOptions.destination ?? null,
      problem: null,
      failure: null,
      live: null,
    }
    this.done = new Promise((resolve) => (this.resolveDone = resolve))
    this.redactor = options.redactor.child()
    this.stored = !provider.id.startsWith('file:')
    const settings = this.stored ? options.settings : undefined
    this.hostCalls = new HostCalls({
      providerId: provider.id,
      broker: new HttpBroker({
        silenceMs: options.limits.httpSilenceMs,
        deadlineMs: options.limits.httpDeadlineMs,
        retryPolicy: () => this.httpPolicy.retry,
        pacer,
      }),
      storage: options.storage,
      signal: this.calls.signal,
      redactor: this.redactor,
      settings:
        options.settingsFor?.(provider.id) ??
        (settings ? (key) => this.readSetting(settings, key) : undefined),
      destination: () => this.destination,
      secretSetting: settings ? (key) => settings.secretValue(provider.id, key) : undefined,
      auth: () => this.auth(),
      declaration: () => this.declaration,
      onRetry: (retry, context) => this.onRetry(retry, context),
    })
    try {
      this.recorder =
        options.store?.begin(
          this.state,
          owner,
          () => this.state,
          (error) => this.log('error', `could not record the run: ${describeError(error)}`),
        ) ?? null
    } catch (error) {
      // A run that cannot be recorded still runs: the log keeps what happened, its outcome says so.
      this.recordError = describeError(error)
      this.log('error', `could not record the run: ${this.recordError}`)
    }
    // After the recorder exists, so that the run's own log (on screen) starts with it too.
    const transfers = this.transfers()
    this.log(
      'info',
      (this.state.destination === null
        ? 'run started (check only: files are verified, not kept)'
        : `run started into ${this.state.destination}${runOptions.verifyAll ? ' (verify all: every file is downloaded again and compared)' : ''}`) +
        (transfers > 1 ? `; ${transfers} files at a time` : ''),
    )
    this.emitUpdate(true)
    if (this.state.destination === null) this.launch()
    else void this.openDestination(this.state.destination)
  }

  /** Takes the destination (waiting while another run holds it), then starts the runner. */
  private async openDestination(dir: string): Promise<void> {
    try {
      this.destination = await DestinationRun.open({
        dir,
        runId: this.state.runId,
        runStartedAt: this.state.startedAt,
        providerName: this.provider.name,
        verifyAll: this.runOptions.verifyAll ?? false,
        retentionDays: this.runOptions.retentionDays ?? DEFAULT_RETENTION_DAYS,
        onWaiting: (holder) => {
          this.waitingFor = holder
          this.log('info', `waiting for the destination ${dir}: it is in use by ${holder}`)
          this.emitUpdate(false)
        },
        onNotice: (message) => this.log('info', message),
        signal: this.calls.signal,
        writeChunk: this.options.writeChunk,
      })
    } catch (error) {
      this.waitingFor = null
      if (this.stopReason === 'stopped' || this.stopReason === 'closed') {
        this.finish('cancelled', this.stopReason)
      } else if (error instanceof DestinationError) {
        this.stopForDestination(error, null)
        this.finish('failed', 'destination')
      } else {
        const message = `the destination ${dir} could not be opened: ${describeError(error)}`
        this.stopForDestination(new DestinationError('unusable', message), null)
        this.finish('failed', 'destination')
      }
      return
    }
    if (this.waitingFor !== null) this.log('info', 'the destination is free: the run goes on')
    this.waitingFor = null
    if (this.stopReason) {
      this.finish('cancelled', this.stopReason === 'closed' ? 'closed' : 'stopped')
      return
    }
    this.launch()
  }

  private launch(): void {
    const runner = this.options.launch({ memoryMb: this.options.limits.memoryMb })
    this.runner = runner
    this.answeredAt = Date.now()
    this.cpuAtAnswer = null
    runner.onMessage((message) => this.onMessage(message))
    runner.onExit((exit) => this.onExit(exit))
    this.watchdog = setInterval(() => this.watch(), this.options.watchEveryMs ?? 250)
    this.send({
      type: 'start',
      runId: this.state.runId,
      providerName: this.provider.name,
      code: this.provider.code,
      limits: this.options.limits,
      planDownloads: this.destination !== null,
      planMode: this.destination?.planMode ?? 'ask',
      settings: this.stored ? (this.options.settings?.plainValues(this.provider.id) ?? {}) : {},
      transfers: this.transfers(),
    })
    // After a wait for the destination, the screen hears that the run goes on.
    if (this.destination) this.emitUpdate(false)
  }

  /** Files at a time: the run's option (checked by start), 1 by default. */
  private transfers(): number {
    return this.runOptions.transfers ?? DEFAULT_TRANSFERS
  }

  /** A setting read in main (aws.sign's keys): the stored value, secret or not, or its default. */
  private readSetting(settings: ProviderSettings, key: string): Promise<string | null> {
    return settings.read(this.provider.id, key, this.declaration)
  }

  /** The sign-in the provider declared, for calls that name it (null without one). */
  private auth(): RunAuth | null {
    const declaration = this.declaration
    const signIns = this.stored ? this.options.signIns : undefined
    if (!declaration?.oauth || !signIns) return null
    return {
      accessToken: (rejected) => signIns.accessToken(this.provider, declaration, rejected),
    }
  }

  private onDeclared(raw: ProviderDeclaration): void {
    try {
      this.declaration = checkTypedDeclaration(raw)
    } catch (error) {
      const text = error instanceof DeclarationError ? error.message : String(error)
      this.log('error', `the runner reported a declaration that is not valid: ${text}`)
      return
    }
    const declaration = this.declaration
    if (!this.stored) return
    this.options.settings?.declarations.remember(this.provider.id, codeHash(this.provider.code), {
      declaration,
      error: null,
    })
    // Its tokens and client secret join the run's secrets before any line could show them.
    void this.options.signIns
      ?.secretsOf(this.provider, declaration)
      .then((values) => values.forEach((value) => this.redactor.add(value)))
      .catch(() => undefined)
  }

  stop(reason: StopReason): void {
    if (this.finished || this.stopReason) return
    this.stopReason = reason
    this.calls.abort()
    // Before its runner starts (waiting for the destination), openDestination ends the run.
    this.runner?.kill()
  }

  /** The destination cannot go on (missing, read-only, full): the run stops, with why. */
  private stopForDestination(error: DestinationError, fileId: string | null): void {
    if (this.state.problem === null) {
      this.state.problem = error.message
      this.errors.push({ fileId, stage: 'download', message: error.message })
      this.log('error', `run stopped: ${error.message}`, fileId ? { fileId } : {})
    }
    this.stop('destination')
  }

  /** The state as the screen gets it: with what only this process knows while it runs. */
  snapshot(): RunState {
    const state = { ...this.state }
    if (state.status !== 'running') return state
    const done = filesDone(state)
    const perSecond = this.pace.filesPerSecond(Date.now(), done)
    state.live = {
      currentFile: this.currentFile,
      filesPerSecond: perSecond,
      secondsLeft:
        state.phase === 'backing-up' ? secondsLeft(state.listed - done, perSecond) : null,
      waitingFor: this.waitingFor,
    }
    return state
  }

  /** Writes the run's queued record now (before someone reads it). */
  flushRecord(): void {
    this.recorder?.flush()
  }

  private enterPhase(phase: 'listing' | 'backing-up'): void {
    if (this.state.phase === phase || this.state.phase === 'backing-up') return
    this.state.phase = phase
    if (phase === 'backing-up') this.pace.start(Date.now(), 0)
    this.recorder?.changed()
  }

  private send(message: Outgoing): void {
    this.seq++
    this.runner?.send({ ...message, seq: this.seq } as MainToRunner)
  }

  private onMessage(message: RunnerToMain): void {
    if (this.finished) return
    switch (message.type) {
      case 'ready':
        return
      case 'file-metadata':
        // A fresh destination: the file is downloaded without a file.plan; it is planned now.
        if (message.metadata) this.destination?.expect(message.fileId, message.metadata)
        this.currentFile = this.fileText(message.name)
        this.emitUpdate(false)
        return
      case 'call':
        if (message.context.stage === 'list') this.enterPhase('listing')
        if (message.call.method === 'file.plan') {
          this.currentFile = message.call.metadata.name
          this.emitUpdate(false)
        }
        void this.answer(message.seq, message.call, message.context)
        return
      case 'ids':
        this.enterPhase('listing')
        this.state.listed += message.count
        if (message.ids) this.noteSeen(message.ids)
        this.recorder?.changed()
        this.emitUpdate(false)
        return
      case 'listed':
        this.state.listed = message.count
        this.enterPhase('backing-up')
        this.log('info', `listed ${message.count} file(s)`, { stage: 'list' })
        this.emitUpdate(false)
        return
      case 'file': {
        // Its download may still be flushed and put in place: the outcome waits for that.
        // (The destination failing then stops the run, as it does while a file downloads.)
        const held = this.destination?.holdFile(message.result, (result, problem) => {
          if (problem) void this.destinationFailed(problem, result.fileId)
          else this.onMessage({ ...message, result })
        })
        if (held) return
        const { result } = message
        this.destination?.settle(result.fileId)
        const fileId = this.fileText(result.fileId)
        this.state.bytes += result.bytes
        let failedAt: 'metadata' | 'download' | null = null
        if (result.outcome === 'downloaded') {
          this.state.downloaded++
        } else if (result.outcome === 'unchanged') {
          this.state.unchanged++
          this.state.unchangedBytes += result.metadata?.size ?? 0
          // A file found unchanged in the runner (its fingerprint matched) sends no metadata
          // message of its own: the card's current file follows it here.
          if (result.metadata?.name) this.currentFile = this.fileText(result.metadata.name)
        } else if (result.outcome === 'skipped') {
          this.state.skipped++
          this.log('debug', `skipped: ${result.skip?.reason ?? 'no reason given'}`, {
            fileId: result.fileId,
          })
        } else {
          this.state.failed++
          const error = result.error ?? { stage: 'download' as const, message: 'failed' }
          failedAt = error.stage === 'metadata' ? 'metadata' : 'download'
          const text = this.clean(error.message)
          // Memory and --json stay bounded whatever fails: the first entries, then a count.
          if (++this.fileErrors <= TEXT_LIMITS.errorEntries) {
            this.errors.push({ fileId, stage: error.stage, message: text })
          }
          this.log('error', text, { fileId, stage: error.stage })
        }
        this.recorder?.file({
          fileId,
          metadata: result.metadata && this.metadataText(result.metadata),
          outcome: result.outcome,
          failedAt,
          skip: result.skip && {
            reason: this.clean(result.skip.reason),
            name: result.skip.name,
            path: result.skip.path,
          },
          verified: result.outcome === 'downloaded' ? result.verified : null,
          bytes: result.bytes,
        })
        this.emitUpdate(false)
        return
      }
      case 'http-policy':
        this.httpPolicy = resolveHttpPolicy(message.policy, this.options.httpTiming)
        this.pacer.setPolicy(this.httpPolicy.pacing)
        this.log('debug', `http.configure: ${describePolicy(this.httpPolicy)}`)
        return
      case 'log':
        this.log(message.level, message.message, message.context ?? {})
        return
      case 'declared':
        this.onDeclared(message.declaration)
        return
      case 'declare-done':
        return
      case 'done':
        // A run the destination stopped ends when its runner is gone, as failed.
        if (this.stopReason === 'destination') return
        // The files whose outcome waits for their flush and rename are counted first.
        if (this.destination?.holdDone(() => this.onMessage(message))) return
        if (message.error) {
          this.errors.push({
            fileId: null,
            stage: message.error.stage,
            message: this.clean(message.error.message),
          })
          this.log('error', `run failed: ${message.error.message}`, { stage: message.error.stage })
          this.state.failure = classifyFailure(
            message.error.stage,
            this.clean(message.error.message),
            this.provider.name,
          )
        }
        this.finish(message.status, message.status === 'failed' ? 'error' : null)
        return
    }
  }

  /** The listing's ids are at the source: the destination's manifest notes them. */
  private noteSeen(ids: string[]): void {
    if (!this.destination) return
    try {
      this.destination.saw(ids)
    } catch (error) {
      void this.destinationFailed(error, null)
    }
  }

  private async destinationFailed(error: unknown, fileId: string | null): Promise<void> {
    const dir = this.state.destination ?? ''
    const problem =
      error instanceof DestinationError
        ? error
        : new DestinationError('unusable', `the destination ${dir} failed: ${describeError(error)}`)
    this.stopForDestination(problem, fileId)
  }

  /** A request is tried again: a warn line (attempt, why, wait) and the run's count. */
  private onRetry(retry: HttpRetry, context: CallContext): void {
    this.state.retries++
    this.recorder?.changed()
    this.log(
      'warn',
      `${retry.method} ${retry.url}: attempt ${retry.attempt} of ${retry.attempts} failed (${retry.cause}); trying again in ${formatWait(retry.waitMs)}`,
      { stage: context.stage, ...(context.fileId === null ? {} : { fileId: context.fileId }) },
    )
    this.emitUpdate(false)
  }

  private async answer(seq: number, call: HostCall, context: CallContext): Promise<void> {
    this.callsInFlight++
    let reply: Outgoing
    try {
      const value = await this.hostCalls.perform(call, context)
      reply = { type: 'reply', replyTo: seq, ok: true, value }
    } catch (error) {
      if (error instanceof SignInNeededError) {
        // Every later call would fail the same way: the run stops here, saying why.
        this.callsInFlight--
        this.failForSignIn(error.message, context)
        return
      }
      if (error instanceof DestinationError) {
        // Not this file's problem but the whole destination's: the run stops here.
        this.callsInFlight--
        await this.destinationFailed(error, context.fileId)
        return
      }
      const serialized = serializeError(error)
      this.log('debug', `${call.method} failed: ${serialized.message}`, context)
      reply = { type: 'reply', replyTo: seq, ok: false, error: serialized }
    }
    this.callsInFlight--
    this.answeredAt = Date.now()
    this.cpuAtAnswer = null
    if (!this.finished) this.send(reply)
  }

  private failForSignIn(message: string, context: CallContext): void {
    if (this.finished || this.stopReason) return
    this.errors.push({ fileId: context.fileId, stage: context.stage, message: this.clean(message) })
    this.log('error', `run failed: ${message}`, context)
    this.finish('failed', 'sign-in')
  }

  /**
   * Kills a runner that has computed for watchdogMs of CPU since the host last answered (its own
   * CPU budget cannot stop a builtin such as a pattern match), or that has outgrown its memory.
   * Its messages (log lines, ids) are no sign of life: a loop can send them forever. Where the
   * system does not tell a process's CPU time, the time since the last answer is used.
   */
  private watch(): void {
    if (this.finished || this.stopReason || !this.runner) return
    const { watchdogMs, memoryMb } = this.options.limits
    const usage = this.runner.usage()
    if (usage && usage.residentBytes > residentLimitMb(memoryMb) * 1024 * 1024) {
      this.residentAtKill = usage.residentBytes
      this.stop('memory')
      return
    }
    if (this.callsInFlight > 0) return
    if (usage) {
      this.cpuAtAnswer ??= usage.cpuMs
      if (usage.cpuMs - this.cpuAtAnswer > watchdogMs) this.stop('watchdog')
    } else if (Date.now() - this.answeredAt > watchdogMs) {
      this.stop('watchdog')
    }
  }

  private onExit(exit: RunnerExit): void {
    if (this.finished) return
    // The files whose outcome waits for their flush and rename are counted first.
    if (this.destination?.holdDone(() => this.onExit(exit))) return
    const { limits } = this.options
    let message: string
    let status: RunStatus = 'failed'
    let reason: RunEndReason = 'runner'
    if (this.stopReason === 'stopped' || this.stopReason === 'closed') {
      status = 'cancelled'
      reason = this.stopReason
      message = 'cancelled'
    } else if (this.stopReason === 'destination') {
      // Said when it stopped (stopForDestination).
      this.finish('failed', 'destination')
      return
    } else if (this.stopReason === 'watchdog') {
      message = `the runner was killed: it computed for more than ${Math.round(limits.watchdogMs / 1000)} s without calling the host (a builtin such as string.rep or a pattern match running too long)`
    } else if (this.stopReason === 'memory') {
      message = `the runner was killed: it went over its memory limit of ${limits.memoryMb} MB (${Math.round(this.residentAtKill / 1048576)} MB resident; ${residentLimitMb(limits.memoryMb)} MB is the most with room for what is not yet collected)`
    } else if (exit.outOfMemory) {
      message = `the runner was killed: it went over its memory limit of ${limits.memoryMb} MB`
    } else {
      message = `the runner process ended unexpectedly (exit code ${exit.code ?? 'none'}, signal ${exit.signal ?? 'none'})`
    }
    if (status === 'cancelled') {
      this.log('warn', reason === 'closed' ? 'run cancelled: Skwirl is closing' : 'run cancelled')
    } else {
      this.errors.push({ fileId: null, stage: 'load', message })
      this.log('error', `run failed: ${message}`)
      this.state.failure = classifyFailure(
        STAGE_OF_PHASE[this.state.phase],
        message,
        this.provider.name,
      )
    }
    this.finish(status, reason)
  }

  private finish(status: RunStatus, reason: RunEndReason | null): void {
    if (this.finished) return
    this.finished = true
    clearInterval(this.watchdog)
    clearTimeout(this.updateTimer)
    this.calls.abort()
    this.runner?.kill()
    this.state.status = status
    this.state.reason = reason
    this.currentFile = null
    this.waitingFor = null
    void this.releaseDestination().then(() => this.record())
  }

  /** A completed run marks what the source lost and prunes old versions; the lock goes. */
  private async releaseDestination(): Promise<void> {
    const destination = this.destination
    if (!destination) return
    const s = this.state
    let summary: DestinationSummary
    try {
      summary = await destination.close({
        status: s.status,
        downloaded: s.downloaded,
        unchanged: s.unchanged,
        failed: s.failed,
      })
    } catch (error) {
      // The files are in place; only the manifest's end-of-run notes (or pruning) are missing.
      this.log('warn', `finishing with the destination failed: ${describeError(error)}`)
      return
    }
    if (summary.deletedAtSource > 0) {
      this.log(
        'info',
        `${summary.deletedAtSource} file(s) no longer at the source: kept in the backup, marked deleted in its manifest`,
      )
    }
  }

  private record(): void {
    this.state.finishedAt = new Date().toISOString()
    const s = this.state
    this.log(
      s.status === 'completed' ? 'info' : 'warn',
      `run ${s.status}: ${s.listed} listed, ${s.downloaded} downloaded, ${s.unchanged} unchanged, ${s.skipped} skipped, ${s.failed} failed, ${s.bytes} bytes, ${s.retries} retries`,
    )
    // Recorded before anyone hears of the end: what the screen says is in the record.
    const unrecorded = this.recorder?.finish() ?? null
    if (unrecorded !== null) {
      this.recordError = describeError(unrecorded)
      this.log('error', `the run's record is incomplete: ${this.recordError}`)
    }
    this.emitUpdate(true)
    this.resolveDone({
      ...this.snapshot(),
      errors: this.errors,
      errorsOmitted: Math.max(0, this.fileErrors - TEXT_LIMITS.errorEntries),
      recordError: this.recordError,
    })
  }

  /** Tells the screen, at most every updateEveryMs whatever the run's pace (and at once if now). */
  private emitUpdate(now: boolean): void {
    const every = this.options.updateEveryMs ?? 250
    const wait = this.lastUpdate + every - Date.now()
    if (now || wait <= 0) {
      clearTimeout(this.updateTimer)
      this.updateTimer = undefined
      this.update()
    } else if (!this.updateTimer) {
      this.updateTimer = setTimeout(() => {
        this.updateTimer = undefined
        // A timer may fire a little early (libuv measures from the start of a busy loop turn).
        if (!this.finished) this.emitUpdate(false)
      }, wait)
    }
  }

  private update(): void {
    this.lastUpdate = Date.now()
    this.pace.sample(this.lastUpdate, filesDone(this.state))
    this.options.onUpdate?.(this.snapshot())
  }

  /** A message from the runner or a server as it may be kept and shown: capped, secrets masked. */
  private clean(message: string): string {
    return this.redactor.redact(capText(message, TEXT_LIMITS.message))
  }

  /** A file id or metadata string as it may be recorded and shown. */
  private fileText(text: string): string {
    return this.redactor.redact(capText(text, TEXT_LIMITS.fileText))
  }

  private metadataText(m: FileMetadata): FileMetadata {
    return {
      name: this.fileText(m.name),
      path: this.fileText(m.path),
      checksum: m.checksum === null ? null : this.fileText(m.checksum),
      size: m.size,
      modifiedTime: this.fileText(m.modifiedTime),
    }
  }

  private log(level: LogLevel, message: string, fields: LogFields = {}): void {
    const text = this.clean(message)
    this.options.logger.log(level, text, {
      runId: this.state.runId,
      provider: this.provider.name,
      redactor: this.redactor,
      ...fields,
    })
    // The same line, for the run's log on screen (the file keeps its run id and provider).
    this.recorder?.log({
      at: new Date().toISOString(),
      level,
      stage: (fields.stage as Stage | null | undefined) ?? null,
      fileId: fields.fileId ?? null,
      message: capLine(text),
    })
  }
}

/** The stage a run was at when its runner went away, by its phase. */
const STAGE_OF_PHASE: Record<RunState['phase'], Stage> = {
  starting: 'load',
  listing: 'list',
  'backing-up': 'download',
}

/** The longest line a run's log keeps (a provider's print and log are cut to this already). */
export const LOG_LINE_CHARS = 8192

function capLine(text: string): string {
  return text.length > LOG_LINE_CHARS
    ? `${text.slice(0, LOG_LINE_CHARS)}… (${text.length - LOG_LINE_CHARS} more characters)`
    : text
}

/** Files a run has finished with, whatever became of them. */
function filesDone(state: RunState): number {
  return state.downloaded + state.unchanged + state.skipped + state.failed
}

function formatWait(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}

function describePolicy({ retry, pacing }: HttpPolicy): string {
  const pace =
    pacing.minIntervalMs > 0
      ? `one request per ${pacing.minIntervalMs} ms, bursts of ${pacing.burst}`
      : 'no pacing'
  return `${pace}; ${retry.attempts} attempts, backoff ${retry.backoffBaseMs}-${retry.backoffMaxMs} ms, Retry-After up to ${retry.retryAfterMaxMs} ms`
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
