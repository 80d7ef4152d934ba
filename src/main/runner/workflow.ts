// The backup workflow as the seed notes define it: list every id, then for one file at a time,
// its metadata and its download; with parallel transfers (issue 15), up to N files at a time,
// each in its own coroutine of the one Lua state, each still metadata then download.
import type {
  CallContext,
  FileMetadata,
  FileResult,
  LogLevel,
  PlanMode,
  RunnerOutgoing,
  Stage,
} from '../../shared/runner-protocol'
import { unchangedKey } from '../../shared/runner-protocol'
import { readDownloadAnswer, readMetadata } from './file-answers'
import { FileTable } from './file-table'
import { PlanHints } from './plan-hints'
import { LuaSandbox, type CallResult, type SandboxOptions } from './sandbox'
import { capText, TEXT_LIMITS } from '../../shared/text-limits'
import { TRANSFERS_MAX } from '../../shared/api'

export interface WorkflowOptions {
  providerName: string
  code: string
  cpuMs: number
  host: SandboxOptions['host']
  send: (message: RunnerOutgoing) => void
  /** The run has a destination: ask main before each download whether the file is unchanged. */
  planDownloads: boolean
  /** With planDownloads, how each file's plan is learnt (PlanMode; 'ask' when absent). */
  planMode?: PlanMode
  /** The provider's stored settings that are not secret. */
  settings: Record<string, string>
  /** How many files go through metadata → download at once (1, the default: one at a time). */
  transfers?: number
  /** A Lua state built ahead while the runner waited for its run (LuaSandbox.attach). */
  ahead?: LuaSandbox | null
}

export const REQUIRED_FUNCTIONS = ['list_file_ids', 'get_file_metadata', 'download_file'] as const
/**
 * Emitted ids wait in a plain array and are put in the file table (which checks each for a
 * duplicate) while the listing waits for the host, not while its Lua runs: a page's ids cost the
 * page's loop only an array push. Past ID_BATCH ids, or ID_FLUSH_MS, without a host call (a
 * listing that computes its ids), they are taken in at once, and main hears the count.
 */
const ID_BATCH = 10_000
const ID_FLUSH_MS = 200
const ID_CLOCK_EVERY = 32
/** Lines print and the log module may write in one run, together. */
const OUTPUT_LINES_MAX = 10_000

export async function runWorkflow(options: WorkflowOptions): Promise<void> {
  const { send } = options
  // The listed ids, each held once, and skwirl.cache's values.
  const files = new FileTable()
  /** Ids emitted and not yet in the file table, in their order. */
  let pending: string[] = []
  let unsent: string[] = []
  let unsentCount = 0
  let lastFlush = Date.now()
  let duplicates = 0
  let written = 0
  /** The files under way, by id (more than one with parallel transfers). */
  const active = new Map<string, FileWork>()

  // Main counts the ids as they come; it needs the ids themselves only for a destination.
  const keepForMain = options.planDownloads
  /** Takes the pending ids into the file table, then tells main how many were new. */
  const flushIds = (): void => {
    if (pending.length > 0) {
      const taken = pending
      pending = []
      for (const id of taken) {
        if (!files.emit(id)) {
          duplicates++
          continue
        }
        if (keepForMain) unsent.push(id)
        unsentCount++
      }
    }
    if (unsentCount > 0) {
      send({ type: 'ids', count: unsentCount, ids: keepForMain ? unsent : null })
    }
    unsent = []
    unsentCount = 0
    lastFlush = Date.now()
  }

  const sandboxOptions: SandboxOptions = {
    providerName: options.providerName,
    cpuMs: options.cpuMs,
    host: async (call, context) => {
      // The call goes first (main starts on it), then the listing's ids are taken in meanwhile.
      const asked = options.host(call, context)
      flushIds()
      const reply = await asked
      if (reply.method === 'download_url' && context.fileId !== null) {
        const file = active.get(context.fileId)
        if (file) {
          file.bytes += reply.bytes
          file.downloaded++
          file.verified &&= reply.verified
        }
      }
      return reply
    },
    emitFileId: (id) => {
      const n = pending.push(id)
      // The clock is read every ID_CLOCK_EVERY ids: a listing emits ids by the thousand.
      if (n >= ID_BATCH || (n % ID_CLOCK_EVERY === 0 && Date.now() - lastFlush >= ID_FLUSH_MS)) {
        flushIds()
      }
    },
    print: (text, context) => write('info', `print: ${text}`, context),
    log: (level, text, context) => write(level, text, context),
    expectedDownload: (context) => {
      const expected = context.fileId === null ? null : active.get(context.fileId)?.expected
      return expected ? { size: expected.size, checksum: expected.checksum } : null
    },
    settings: options.settings,
    onDeclare: (declaration) => send({ type: 'declared', declaration }),
    configureHttp: (policy) => send({ type: 'http-policy', policy }),
    files,
  }
  const sandbox = options.ahead ?? new LuaSandbox(sandboxOptions)
  if (options.ahead) options.ahead.attach(sandboxOptions)

  // The provider's own output: capped, so a chatty loop cannot flood the log.
  function write(level: LogLevel, text: string, context: CallContext): void {
    written++
    if (written <= OUTPUT_LINES_MAX) {
      send({
        type: 'log',
        level,
        message: capText(text, TEXT_LIMITS.message),
        context: { ...context },
      })
    } else if (written === OUTPUT_LINES_MAX + 1) {
      send({
        type: 'log',
        level: 'warn',
        message: `further print and log output of this run is dropped (more than ${OUTPUT_LINES_MAX} lines)`,
        context: { ...context },
      })
    }
  }

  const fail = (stage: Stage, message: string): void =>
    send({ type: 'done', status: 'failed', error: { stage, message: capMessage(message) } })

  const loaded = await sandbox.load(options.code)
  if (!loaded.ok) return fail('load', loaded.message)
  const missing = REQUIRED_FUNCTIONS.filter((name) => !sandbox.hasGlobalFunction(name))
  if (missing.length > 0) {
    return fail(
      'load',
      `the provider does not define ${missing.map((n) => `${n}()`).join(', ')}; a provider defines list_file_ids, get_file_metadata and download_file as global functions`,
    )
  }

  const listed = await sandbox.call(
    'list_file_ids',
    [],
    { stage: 'list', fileId: null },
    () => undefined,
  )
  flushIds()
  if (!listed.ok) return fail('list', listed.message)
  if (duplicates > 0) {
    send({
      type: 'log',
      level: 'warn',
      message: `list_file_ids emitted ${duplicates} duplicate id(s); each file is backed up once`,
      context: { stage: 'list', fileId: null },
    })
  }
  send({ type: 'listed', count: files.count })

  async function askPlan(
    fileId: string,
    metadata: FileMetadata,
  ): Promise<'download' | 'unchanged' | { error: string }> {
    try {
      const reply = await options.host(
        { method: 'file.plan', fileId, metadata },
        { stage: 'download', fileId },
      )
      return reply.method === 'file.plan' && !reply.download ? 'unchanged' : 'download'
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) }
    }
  }

  // Each file goes through metadata, then download, in its own coroutine; with transfers > 1,
  // that many files are under way at once (a pool of workers taking the next id in listing
  // order). With one, this is the seed's loop: one file at a time.
  const transfers = Math.max(1, Math.min(TRANSFERS_MAX, Math.floor(options.transfers ?? 1) || 1))
  let next = 0
  let halted = false
  let onHalt: () => void = () => undefined
  const haltedSignal = new Promise<void>((resolve) => (onHalt = resolve))
  const halt = (stage: Stage, message: string): void => {
    if (halted) return
    halted = true
    fail(stage, message)
    onHalt()
  }
  const turns = new PlanTurns()
  const planMode = options.planDownloads ? (options.planMode ?? 'ask') : null
  const hints =
    planMode === 'hints'
      ? new PlanHints(
          files.count,
          (index) => files.idAt(index),
          async (fileIds) => {
            const reply = await options.host(
              { method: 'file.hints', fileIds },
              { stage: 'metadata', fileId: null },
            )
            return reply.method === 'file.hints' ? reply.keys : []
          },
        )
      : null

  async function backUp(index: number): Promise<void> {
    const fileId = files.idAt(index)
    const file: FileWork = {
      expected: null,
      bytes: 0,
      downloaded: 0,
      verified: true,
      counter: { downloads: 0 },
    }
    active.set(fileId, file)
    try {
      await backUpFile(index, fileId, file)
    } finally {
      active.delete(fileId)
      // Whatever became of the file, the next one may ask main for its plan.
      turns.pass(index)
    }
  }

  async function backUpFile(index: number, fileId: string, file: FileWork): Promise<void> {
    const result: FileResult = {
      fileId,
      outcome: 'failed',
      metadata: null,
      bytes: 0,
      verified: false,
      skip: null,
      error: null,
    }

    const metadata = await sandbox.call(
      'get_file_metadata',
      [fileId],
      { stage: 'metadata', fileId },
      readMetadata,
    )
    if (halted) return
    if (stopsRun(metadata)) return halt('metadata', metadata.message)
    if (!metadata.ok || typeof metadata.value === 'string') {
      result.error = {
        stage: 'metadata',
        message: capMessage(metadata.ok ? (metadata.value as string) : metadata.message),
      }
      send({ type: 'file', result })
      return
    }
    if ('skip' in metadata.value) {
      result.outcome = 'skipped'
      result.skip = metadata.value.skip
      send({ type: 'file', result })
      return
    }
    result.metadata = metadata.value
    file.expected = metadata.value
    if (hints) {
      // The manifest holds the file as it is now, its copy in place: unchanged, main not asked.
      const key = await hints.keyFor(index)
      if (halted) return
      if (key !== null && key === unchangedKey(metadata.value)) {
        result.outcome = 'unchanged'
        send({ type: 'file', result })
        return
      }
    }
    if (planMode === 'fresh') {
      // Nothing was kept before this run: main plans where the file goes as it hears of it (in
      // listing order, as below), and its download_url waits for that plan.
      await turns.wait(index)
      if (halted) return
      const { name, size } = metadata.value
      send({ type: 'file-metadata', fileId, name, size, metadata: metadata.value })
      turns.pass(index)
    } else if (options.planDownloads) {
      // Plans reach main in listing order, so that the paths files claim in the destination
      // are the same whatever the transfers (the first listed of two same-named files keeps
      // the name).
      await turns.wait(index)
      if (halted) return
      // Main answers from the destination's manifest; the call also tells it the file's name.
      const asked = askPlan(fileId, metadata.value)
      turns.pass(index)
      const plan = await asked
      if (halted) return
      if (plan !== 'download') {
        if (plan === 'unchanged') result.outcome = 'unchanged'
        else result.error = { stage: 'download', message: plan.error }
        send({ type: 'file', result })
        return
      }
    } else {
      send({ type: 'file-metadata', fileId, name: metadata.value.name, size: metadata.value.size })
    }

    const downloaded = await sandbox.call(
      'download_file',
      [fileId],
      { stage: 'download', fileId },
      readDownloadAnswer,
      file.counter,
    )
    if (halted) return
    if (stopsRun(downloaded)) return halt('download', downloaded.message)
    if (!downloaded.ok) {
      result.error = { stage: 'download', message: capMessage(downloaded.message) }
    } else if (typeof downloaded.value === 'string') {
      result.error = { stage: 'download', message: capMessage(downloaded.value) }
    } else if (downloaded.value !== null) {
      if (file.downloaded > 0) {
        result.error = {
          stage: 'download',
          message: `download_file asked to skip the file (${downloaded.value.reason}) after downloading it`,
        }
      } else {
        result.outcome = 'skipped'
        result.skip = downloaded.value
      }
    } else if (file.counter.downloads === 0) {
      result.error = {
        stage: 'download',
        message: 'download_file returned without calling skwirl.download_url',
      }
    } else {
      result.outcome = 'downloaded'
      result.verified = file.verified
    }
    result.bytes = file.bytes
    send({ type: 'file', result })
  }

  async function worker(): Promise<void> {
    while (!halted && next < files.count) await backUp(next++)
  }

  const workers = Array.from({ length: Math.min(transfers, files.count) }, () => worker())
  // A run the budget stopped ends at once: the other files' host calls are not waited for.
  await Promise.race([Promise.all(workers), haltedSignal])
  if (!halted) send({ type: 'done', status: 'completed', error: null })
}

/** What the workflow knows of a file under way. */
interface FileWork {
  /** Its metadata once read: what its download_url calls are checked against. */
  expected: FileMetadata | null
  /** Bytes its downloads streamed. */
  bytes: number
  /** Its downloads main answered, and whether each was verified against an MD5. */
  downloaded: number
  verified: boolean
  /** Its download_url calls. */
  counter: { downloads: number }
}

/**
 * Files ask main for their plan in listing order: file i waits until every file before it has
 * asked (or has no plan to ask, its metadata failed). Each file passes its turn once, whatever
 * happens to it; passing again is harmless.
 */
class PlanTurns {
  private turn = 0
  private readonly passed = new Set<number>()
  private readonly waiting = new Map<number, () => void>()

  wait(index: number): Promise<void> {
    if (index <= this.turn) return Promise.resolve()
    return new Promise((resolve) => this.waiting.set(index, resolve))
  }

  pass(index: number): void {
    if (index < this.turn) return
    this.passed.add(index)
    while (this.passed.delete(this.turn)) {
      this.turn++
      const wake = this.waiting.get(this.turn)
      if (wake) {
        this.waiting.delete(this.turn)
        wake()
      }
    }
  }
}

function stopsRun(
  result: CallResult<unknown>,
): result is { ok: false; message: string; budgetSpent: true } {
  return !result.ok && result.budgetSpent
}

/** An error message as it may cross to main: a provider decides its length. */
export function capMessage(message: string): string {
  return capText(message, TEXT_LIMITS.message)
}

export interface DeclareOptions {
  providerName: string
  code: string
  cpuMs: number
  send: (message: RunnerOutgoing) => void
}

/**
 * Runs the chunk only to read its declaration: skwirl.declare sends it as it is made, and no
 * provider function is called. The host is not called either: code at the top level that wants
 * the network or the storage fails here (the declaration made before it still counts).
 */
export async function readDeclaration(options: DeclareOptions): Promise<void> {
  const { send } = options
  const sandbox = new LuaSandbox({
    providerName: options.providerName,
    cpuMs: options.cpuMs,
    host: async (call) => {
      throw new Error(
        `${call.method === 'setting' ? 'skwirl.setting of a secret' : call.method} is not available while Skwirl reads the provider's settings (the code at the top level runs then without the network, the storage or secrets); call it from the provider's functions`,
      )
    },
    emitFileId: () => undefined,
    print: () => undefined,
    expectedDownload: () => null,
    settings: {},
    onDeclare: (declaration) => send({ type: 'declared', declaration }),
  })
  const loaded = await sandbox.load(options.code)
  send({ type: 'declare-done', error: loaded.ok ? null : loaded.message })
}
