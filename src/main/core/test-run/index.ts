// A test of a provider as it is in the editor (issue 14): its text, saved or not, in a runner of
// its own with the stored provider's settings and sign-in, through the same host calls as a run.
// The runner lists until the test's limit, reads the first few files' metadata and downloads one
// (test-workflow.ts); this side answers its host calls and writes the console: print and log,
// each host call (method, URL with the run's secrets masked, status, time), the metadata as
// inspect renders it, and errors with the provider's line. Nothing is recorded as a run,
// nothing is written to a destination, and skwirl.storage's writes last only as long as the test.
import {
  TEST_DEADLINE_MS,
  TEST_ENTRIES_MAX,
  TEST_LIMIT_DEFAULT,
  TEST_METADATA_FILES,
  type RunFailure,
  type TestEntry,
  type TestReport,
} from '../../../shared/api'
import { serializeError } from '../../../shared/errors'
import {
  checkTypedDeclaration,
  type ProviderDeclaration,
} from '../../../shared/provider-declaration'
import type {
  CallContext,
  HostCall,
  MainToRunner,
  RunnerLimits,
  RunnerToMain,
  Stage,
  TestStep,
} from '../../../shared/runner-protocol'
import { STORAGE_LIMITS } from '../../../shared/runner-protocol'
import { capText, TEXT_LIMITS } from '../../../shared/text-limits'
import type { SettingReader } from '../aws'
import { SignInNeededError, type SignIns } from '../auth'
import { HostCalls } from '../host-calls'
import { resolveHttpPolicy, Pacer, type HttpPolicy } from '../http'
import { buildUrl, HttpBroker } from '../http-broker'
import type { ProviderStorage } from '../provider-storage'
import type { Redactor } from '../redaction'
import { classifyFailure, providerLine } from '../run-problem'
import type { RunnerLauncher, RunnerProcess } from '../runner-process'
import type { ProviderSettings } from '../settings'

export interface TestTarget {
  /** The stored provider whose settings, sign-in and storage the test reads; null: none. */
  id: string | null
  name: string
  /** The text to test (the editor's, unsaved included). */
  code: string
}

export interface TestDeps {
  launch: RunnerLauncher
  /** The process's redactor: the test masks with a child that also learns its secrets. */
  redactor: Redactor
  limits: RunnerLimits
  storage: ProviderStorage
  settings?: ProviderSettings
  signIns?: SignIns
  /** Each provider's settings as main reads them (tests); otherwise from `settings`. */
  settingsFor?: (providerId: string) => SettingReader
  /** The whole test's deadline (TEST_DEADLINE_MS). */
  deadlineMs?: number
}

export interface TestOptions {
  /** list_file_ids runs until this many ids. */
  limit?: number
  /** get_file_metadata for the first this many. */
  metadataFiles?: number
}

export interface TestHandle {
  done: Promise<TestReport>
  /** Stops the test (Ctrl-C in the CLI): it ends as failed, "stopped". */
  stop(): void
}

export function startTest(target: TestTarget, options: TestOptions, deps: TestDeps): TestHandle {
  const test = new TestRun(target, options, deps)
  return { done: test.done, stop: () => test.end('failed', 'load', 'the test was stopped') }
}

type Outgoing = MainToRunner extends infer M
  ? M extends { seq: number }
    ? Omit<M, 'seq'>
    : never
  : never
type CallEntry = Extract<TestEntry, { kind: 'call' }>

class TestRun {
  readonly done: Promise<TestReport>
  private resolveDone!: (report: TestReport) => void
  private readonly started = Date.now()
  private readonly entries: TestEntry[] = []
  private omitted = 0
  private readonly redactor: Redactor
  private readonly calls = new AbortController()
  private readonly hostCalls: HostCalls
  private readonly runner: RunnerProcess
  private readonly limit: number
  private declaration: ProviderDeclaration | null = null
  /** Retries and pace: the defaults until the provider's http.configure says otherwise. */
  private httpPolicy: HttpPolicy = resolveHttpPolicy({})
  private readonly pacer = new Pacer(this.httpPolicy.pacing)
  /** The host call being answered: the broker's statuses go to it (a test calls one at a time). */
  private current: CallEntry | null = null
  private lastDownloadBytes = 0
  private callsInFlight = 0
  private answeredAt = Date.now()
  private seq = 0
  private finished = false
  private failure: RunFailure | null = null
  private readonly timers: NodeJS.Timeout[] = []

  constructor(
    private readonly target: TestTarget,
    options: TestOptions,
    private readonly deps: TestDeps,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve))
    this.limit = options.limit ?? TEST_LIMIT_DEFAULT
    this.redactor = deps.redactor.child()
    const id = target.id
    const settings = id === null ? undefined : deps.settings
    this.hostCalls = new HostCalls({
      providerId: id ?? `test:${target.name}`,
      broker: new HttpBroker({
        silenceMs: deps.limits.httpSilenceMs,
        deadlineMs: deps.limits.httpDeadlineMs,
        onResponse: (status) => this.current?.statuses.push(status),
        retryPolicy: () => this.httpPolicy.retry,
        pacer: this.pacer,
      }),
      storage: new TestStorage(id, deps.storage),
      signal: this.calls.signal,
      redactor: this.redactor,
      settings:
        id === null
          ? undefined
          : (deps.settingsFor?.(id) ??
            (settings ? (key) => settings.read(id, key, this.declaration) : undefined)),
      destination: () => null,
      secretSetting: settings && id !== null ? (key) => settings.secretValue(id, key) : undefined,
      auth: () => {
        const declaration = this.declaration
        const signIns = id === null ? undefined : deps.signIns
        if (!declaration?.oauth || !signIns || id === null) return null
        const provider = { id, name: target.name }
        return { accessToken: (rejected) => signIns.accessToken(provider, declaration, rejected) }
      },
      declaration: () => this.declaration,
    })
    this.runner = deps.launch({ memoryMb: deps.limits.memoryMb })
    this.runner.onMessage((message) => this.onMessage(message))
    this.runner.onExit((exit) => {
      if (this.finished) return
      this.end(
        'failed',
        'load',
        `the runner process ended unexpectedly (exit code ${exit.code ?? 'none'}, signal ${exit.signal ?? 'none'})`,
      )
    })
    const deadline = deps.deadlineMs ?? TEST_DEADLINE_MS
    this.timers.push(
      setTimeout(
        () => this.end('failed', 'load', `the test stopped after ${Math.round(deadline / 1000)} s`),
        deadline,
      ),
      setInterval(() => this.watch(), 250),
    )
    this.send({
      type: 'test',
      providerName: target.name,
      code: target.code,
      limits: deps.limits,
      settings: settings && id !== null ? settings.plainValues(id) : {},
      listLimit: this.limit,
      metadataFiles: options.metadataFiles ?? TEST_METADATA_FILES,
    })
  }

  private send(message: Outgoing): void {
    this.seq++
    this.runner.send({ ...message, seq: this.seq } as MainToRunner)
  }

  private at(): number {
    return Date.now() - this.started
  }

  private add(entry: TestEntry): void {
    if (this.entries.length < TEST_ENTRIES_MAX) this.entries.push(entry)
    else this.omitted++
  }

  private clean(text: string): string {
    return this.redactor.redact(capText(text, TEXT_LIMITS.message))
  }

  private line(text: string): number | null {
    return providerLine(text, this.target.name)
  }

  private onMessage(message: RunnerToMain): void {
    if (this.finished) return
    switch (message.type) {
      case 'call':
        void this.answer(message.seq, message.call, message.context)
        return
      case 'test-step':
        this.onStep(message.step)
        return
      case 'declared':
        this.onDeclared(message.declaration)
        return
      case 'http-policy':
        this.httpPolicy = resolveHttpPolicy(message.policy)
        this.pacer.setPolicy(this.httpPolicy.pacing)
        return
      case 'done':
        if (message.error) this.end('failed', message.error.stage, message.error.message)
        else this.end('completed', 'load', null)
        return
      default:
        return
    }
  }

  private onStep(step: TestStep): void {
    const atMs = this.at()
    switch (step.step) {
      case 'output': {
        const text = this.clean(step.text)
        this.add({
          kind: 'output',
          atMs,
          source: step.source,
          level: step.level,
          text,
          stage: step.context.stage,
          fileId: step.context.fileId === null ? null : this.clean(step.context.fileId),
          line: this.line(text),
        })
        return
      }
      case 'listed':
        this.add({
          kind: 'listed',
          atMs,
          count: step.count,
          stoppedAtLimit: step.stoppedAtLimit,
          ids: step.ids.map((id) => this.clean(id)),
        })
        if (step.duplicates > 0) {
          this.add({
            kind: 'output',
            atMs,
            source: 'skwirl',
            level: 'warn',
            text: `list_file_ids emitted ${step.duplicates} duplicate id(s); each file is backed up once`,
            stage: 'list',
            fileId: null,
            line: null,
          })
        }
        return
      case 'metadata':
        this.add({
          kind: 'metadata',
          atMs,
          fileId: this.clean(step.fileId),
          inspected: this.clean(step.inspected),
          problem: step.problem === null ? null : this.clean(step.problem),
        })
        return
      case 'download':
        this.add({
          kind: 'download',
          atMs,
          fileId: this.clean(step.fileId),
          bytes: this.lastDownloadBytes,
          ok: step.ok,
        })
        return
      case 'error': {
        const message = this.clean(step.message)
        this.add({
          kind: 'error',
          atMs,
          stage: step.stage,
          fileId: step.fileId === null ? null : this.clean(step.fileId),
          message,
          line: this.line(message),
        })
      }
    }
  }

  private onDeclared(raw: ProviderDeclaration): void {
    try {
      this.declaration = checkTypedDeclaration(raw)
    } catch {
      return
    }
    const { signIns } = this.deps
    const id = this.target.id
    if (!signIns || id === null) return
    // Its tokens and client secret join the test's secrets before a line could show them.
    void signIns
      .secretsOf({ id, name: this.target.name }, this.declaration)
      .then((values) => values.forEach((value) => this.redactor.add(value)))
      .catch(() => undefined)
  }

  private async answer(seq: number, call: HostCall, context: CallContext): Promise<void> {
    const entry: CallEntry = {
      kind: 'call',
      atMs: this.at(),
      method: methodOf(call),
      target: '',
      statuses: [],
      ms: 0,
      bytes: null,
      error: null,
      stage: context.stage,
      fileId: context.fileId === null ? null : this.clean(context.fileId),
    }
    this.current = entry
    this.callsInFlight++
    let reply: Outgoing
    try {
      const value = await this.hostCalls.perform(call, context)
      if (value.method === 'download_url') {
        entry.bytes = value.bytes
        this.lastDownloadBytes = value.bytes
      }
      reply = { type: 'reply', replyTo: seq, ok: true, value }
    } catch (error) {
      const serialized = serializeError(error)
      entry.error = this.clean(serialized.message)
      if (error instanceof SignInNeededError) {
        this.finishCall(entry, call)
        this.end('failed', context.stage, serialized.message)
        return
      }
      reply = { type: 'reply', replyTo: seq, ok: false, error: serialized }
    }
    this.finishCall(entry, call)
    this.answeredAt = Date.now()
    if (!this.finished) this.send(reply)
  }

  /** The call's line, written once it is answered (its secrets are known to the redactor then). */
  private finishCall(entry: CallEntry, call: HostCall): void {
    this.callsInFlight--
    this.current = null
    entry.ms = Date.now() - this.started - entry.atMs
    entry.target = this.clean(targetOf(call))
    this.add(entry)
  }

  /** A runner computing too long without calling the host, or grown too big, is stopped. */
  private watch(): void {
    if (this.finished) return
    const { watchdogMs, memoryMb } = this.deps.limits
    const usage = this.runner.usage()
    if (usage && usage.residentBytes > (memoryMb + 128) * 1024 * 1024) {
      this.end(
        'failed',
        'load',
        `the runner was killed: it went over its memory limit of ${memoryMb} MB`,
      )
      return
    }
    if (this.callsInFlight === 0 && Date.now() - this.answeredAt > watchdogMs) {
      this.end(
        'failed',
        'load',
        `the runner was killed: it neither called the host nor reported for more than ${Math.round(watchdogMs / 1000)} s`,
      )
    }
  }

  end(status: 'completed' | 'failed', stage: Stage, message: string | null): void {
    if (this.finished) return
    this.finished = true
    for (const timer of this.timers) clearTimeout(timer)
    this.calls.abort()
    this.runner.kill()
    if (message !== null) {
      const text = this.clean(message)
      this.failure = classifyFailure(stage, text, this.target.name)
      this.add({
        kind: 'error',
        atMs: this.at(),
        stage,
        fileId: null,
        message: text,
        line: this.line(text),
      })
    }
    this.resolveDone({
      providerName: this.target.name,
      status,
      failure: this.failure,
      limit: this.limit,
      durationMs: this.at(),
      entries: this.entries,
      omitted: this.omitted,
    })
  }
}

function methodOf(call: HostCall): string {
  switch (call.method) {
    case 'http.get':
      return 'GET'
    case 'http.request':
      return call.verb.toUpperCase()
    case 'download_url':
      return 'DOWNLOAD'
    default:
      return call.method
  }
}

function targetOf(call: HostCall): string {
  switch (call.method) {
    case 'http.get':
    case 'http.request':
      try {
        return buildUrl(call.url, call.params).href
      } catch {
        return call.url
      }
    case 'download_url':
    case 'aws.sign':
      return call.url
    case 'setting':
    case 'storage.get':
    case 'storage.set':
    case 'storage.delete':
      return call.key
    case 'file.plan':
      return call.fileId
    case 'file.hints':
      return `${call.fileIds.length} file(s)`
  }
}

/**
 * skwirl.storage for a test: reads see the stored values, writes are kept here for the test's
 * length only (a test must not move a real run's saved cursor or change token).
 */
class TestStorage {
  private readonly written = new Map<string, string | null>()

  constructor(
    private readonly providerId: string | null,
    private readonly stored: ProviderStorage,
  ) {}

  get(_providerId: string, key: string): string | null {
    if (this.written.has(key)) return this.written.get(key) ?? null
    return this.providerId === null ? null : this.stored.get(this.providerId, key)
  }

  set(_providerId: string, key: string, json: string): void {
    const bytes = Buffer.byteLength(json, 'utf8')
    if (Buffer.byteLength(key, 'utf8') > STORAGE_LIMITS.keyBytes || key.length === 0) {
      throw new Error(
        `skwirl.storage.set: the key must be a non-empty string of at most ${STORAGE_LIMITS.keyBytes} bytes`,
      )
    }
    if (bytes > STORAGE_LIMITS.valueBytes) {
      throw new Error(
        `skwirl.storage.set: the value is ${bytes} bytes as JSON; a value may be at most ${STORAGE_LIMITS.valueBytes / 1024} KiB`,
      )
    }
    this.written.set(key, json)
  }

  delete(_providerId: string, key: string): boolean {
    const had = this.get(_providerId, key) !== null
    this.written.set(key, null)
    return had
  }
}
