// The backup workflow as the seed notes define it: list every id, then for one file at a time,
// its metadata and its download.
import type {
  CallContext,
  FileMetadata,
  FileResult,
  LogLevel,
  RunnerToMain,
  Stage,
} from '../../shared/runner-protocol'
import { readDownloadAnswer, readMetadata } from './file-answers'
import { FileTable } from './file-table'
import { LuaSandbox, type CallResult, type SandboxOptions } from './sandbox'
import { capText, TEXT_LIMITS } from '../../shared/text-limits'

type Outgoing = RunnerToMain extends infer M
  ? M extends { seq: number }
    ? Omit<M, 'seq'>
    : never
  : never

export interface WorkflowOptions {
  providerName: string
  code: string
  cpuMs: number
  host: SandboxOptions['host']
  send: (message: Outgoing) => void
  /** The run has a destination: ask main before each download whether the file is unchanged. */
  planDownloads: boolean
  /** The provider's stored settings that are not secret. */
  settings: Record<string, string>
}

const REQUIRED_FUNCTIONS = ['list_file_ids', 'get_file_metadata', 'download_file'] as const
const ID_BATCH = 1000
const ID_FLUSH_MS = 200
const ID_CLOCK_EVERY = 32
/** Lines print and the log module may write in one run, together. */
const OUTPUT_LINES_MAX = 10_000

export async function runWorkflow(options: WorkflowOptions): Promise<void> {
  const { send } = options
  // The listed ids, each held once, and skwirl.cache's values.
  const files = new FileTable()
  let unsent: string[] = []
  let unsentCount = 0
  let lastFlush = Date.now()
  let duplicates = 0
  let written = 0
  let expected: FileMetadata | null = null
  let fileBytes = 0
  let fileDownloads = 0
  let fileVerified = true

  // Main counts the ids as they come; it needs the ids themselves only for a destination.
  const keepForMain = options.planDownloads
  const flushIds = (): void => {
    if (unsentCount > 0) {
      send({ type: 'ids', count: unsentCount, ids: keepForMain ? unsent : null })
    }
    unsent = []
    unsentCount = 0
    lastFlush = Date.now()
  }

  const sandbox = new LuaSandbox({
    providerName: options.providerName,
    cpuMs: options.cpuMs,
    host: async (call, context) => {
      flushIds()
      const reply = await options.host(call, context)
      if (reply.method === 'download_url') {
        fileBytes += reply.bytes
        fileDownloads++
        fileVerified &&= reply.verified
      }
      return reply
    },
    emitFileId: (id) => {
      if (!files.emit(id)) {
        duplicates++
        return
      }
      if (keepForMain) unsent.push(id)
      unsentCount++
      // The clock is read every ID_CLOCK_EVERY ids: a listing emits ids by the thousand.
      if (
        unsentCount >= ID_BATCH ||
        (unsentCount % ID_CLOCK_EVERY === 0 && Date.now() - lastFlush >= ID_FLUSH_MS)
      ) {
        flushIds()
      }
    },
    print: (text, context) => write('info', `print: ${text}`, context),
    log: (level, text, context) => write(level, text, context),
    expectedDownload: () =>
      expected ? { size: expected.size, checksum: expected.checksum } : null,
    settings: options.settings,
    onDeclare: (declaration) => send({ type: 'declared', declaration }),
    configureHttp: (policy) => send({ type: 'http-policy', policy }),
    files,
  })

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

  for (let index = 0; index < files.count; index++) {
    const fileId = files.idAt(index)
    expected = null
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
    if (stopsRun(metadata)) return fail('metadata', metadata.message)
    if (!metadata.ok || typeof metadata.value === 'string') {
      result.error = {
        stage: 'metadata',
        message: capMessage(metadata.ok ? (metadata.value as string) : metadata.message),
      }
      send({ type: 'file', result })
      continue
    }
    if ('skip' in metadata.value) {
      result.outcome = 'skipped'
      result.skip = metadata.value.skip
      send({ type: 'file', result })
      continue
    }
    result.metadata = metadata.value
    expected = metadata.value
    if (options.planDownloads) {
      // Main answers from the destination's manifest; the call also tells it the file's name.
      const plan = await askPlan(fileId, metadata.value)
      if (plan !== 'download') {
        if (plan === 'unchanged') result.outcome = 'unchanged'
        else result.error = { stage: 'download', message: plan.error }
        send({ type: 'file', result })
        continue
      }
    } else {
      send({ type: 'file-metadata', fileId, name: metadata.value.name, size: metadata.value.size })
    }

    fileBytes = 0
    fileDownloads = 0
    fileVerified = true
    sandbox.takeDownloadCount()
    const downloaded = await sandbox.call(
      'download_file',
      [fileId],
      { stage: 'download', fileId },
      readDownloadAnswer,
    )
    if (stopsRun(downloaded)) return fail('download', downloaded.message)
    const downloads = sandbox.takeDownloadCount()
    if (!downloaded.ok) {
      result.error = { stage: 'download', message: capMessage(downloaded.message) }
    } else if (typeof downloaded.value === 'string') {
      result.error = { stage: 'download', message: capMessage(downloaded.value) }
    } else if (downloaded.value !== null) {
      if (fileDownloads > 0) {
        result.error = {
          stage: 'download',
          message: `download_file asked to skip the file (${downloaded.value.reason}) after downloading it`,
        }
      } else {
        result.outcome = 'skipped'
        result.skip = downloaded.value
      }
    } else if (downloads === 0) {
      result.error = {
        stage: 'download',
        message: 'download_file returned without calling skwirl.download_url',
      }
    } else {
      result.outcome = 'downloaded'
      result.verified = fileVerified
    }
    result.bytes = fileBytes
    send({ type: 'file', result })
  }
  send({ type: 'done', status: 'completed', error: null })
}

function stopsRun(
  result: CallResult<unknown>,
): result is { ok: false; message: string; budgetSpent: true } {
  return !result.ok && result.budgetSpent
}

/** An error message as it may cross to main: a provider decides its length. */
function capMessage(message: string): string {
  return capText(message, TEXT_LIMITS.message)
}

export interface DeclareOptions {
  providerName: string
  code: string
  cpuMs: number
  send: (message: Outgoing) => void
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
