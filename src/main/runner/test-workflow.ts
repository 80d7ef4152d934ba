// A test of a provider (the editor's Test, `skwirl test`): the workflow's steps, a few of each,
// reported as they go. list_file_ids runs until the test's limit of ids, get_file_metadata for
// the first few (shown as inspect renders the table it returned), download_file for the first
// file whose metadata is usable. Main checks the download's bytes and lets them go.
import type { LuaState } from 'fengari'
import type {
  CallContext,
  FileMetadata,
  LogLevel,
  RunnerOutgoing,
  Stage,
} from '../../shared/runner-protocol'
import { capText, TEXT_LIMITS } from '../../shared/text-limits'
import { inspectValue } from './modules/inspect'
import { LISTING_STOPPED, LuaSandbox, type SandboxOptions } from './sandbox'
import { readDownloadAnswer, readMetadata } from './file-answers'
import { capMessage, REQUIRED_FUNCTIONS } from './workflow'

export interface TestWorkflowOptions {
  providerName: string
  code: string
  cpuMs: number
  host: SandboxOptions['host']
  send: (message: RunnerOutgoing) => void
  settings: Record<string, string>
  listLimit: number
  metadataFiles: number
}

/** Lines print and log may write in one test (main keeps fewer on its console). */
const OUTPUT_LINES_MAX = 5000
/** How deep the metadata's rendering goes. */
const METADATA_DEPTH = 4

export async function runTest(options: TestWorkflowOptions): Promise<void> {
  const { send } = options
  const ids: string[] = []
  const seen = new Set<string>()
  let duplicates = 0
  let written = 0
  let expected: FileMetadata | null = null

  const sandbox = new LuaSandbox({
    providerName: options.providerName,
    cpuMs: options.cpuMs,
    host: options.host,
    emitFileId: (id) => {
      if (ids.length >= options.listLimit) return true
      if (seen.has(id)) {
        duplicates++
        return false
      }
      seen.add(id)
      ids.push(id)
      return ids.length >= options.listLimit
    },
    print: (text, context) => write('print', 'info', text, context),
    log: (level, text, context) => write('log', level, text, context),
    expectedDownload: () =>
      expected ? { size: expected.size, checksum: expected.checksum } : null,
    settings: options.settings,
    onDeclare: (declaration) => send({ type: 'declared', declaration }),
    configureHttp: (policy) => send({ type: 'http-policy', policy }),
  })

  function write(
    source: 'print' | 'log' | 'skwirl',
    level: LogLevel,
    text: string,
    context: CallContext,
  ): void {
    if (++written > OUTPUT_LINES_MAX) return
    send({
      type: 'test-step',
      step: {
        step: 'output',
        source,
        level,
        text: capText(text, TEXT_LIMITS.message),
        context: { ...context },
      },
    })
  }
  const fail = (stage: Stage, message: string): void =>
    send({ type: 'done', status: 'failed', error: { stage, message: capMessage(message) } })
  const fileError = (stage: Stage, fileId: string, message: string): void =>
    send({
      type: 'test-step',
      step: { step: 'error', stage, fileId, message: capMessage(message) },
    })

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
  const stoppedAtLimit = !listed.ok && listed.message === LISTING_STOPPED
  if (!listed.ok && !stoppedAtLimit) return fail('list', listed.message)
  send({
    type: 'test-step',
    step: {
      step: 'listed',
      count: ids.length,
      stoppedAtLimit: stoppedAtLimit || ids.length >= options.listLimit,
      ids: ids.map((id) => capText(id, TEXT_LIMITS.fileText)),
      duplicates,
    },
  })

  let downloadable: string | null = null
  for (const fileId of ids.slice(0, options.metadataFiles)) {
    const metadata = await sandbox.call(
      'get_file_metadata',
      [fileId],
      { stage: 'metadata', fileId },
      (co: LuaState, results: number) => ({
        inspected:
          results < 1
            ? 'nothing'
            : capText(
                inspectValue(co, 1, { depth: METADATA_DEPTH, compact: false }),
                TEXT_LIMITS.message,
              ),
        read: readMetadata(co, results),
      }),
    )
    if (!metadata.ok) {
      if (metadata.budgetSpent) return fail('metadata', metadata.message)
      fileError('metadata', fileId, metadata.message)
      continue
    }
    const { inspected, read } = metadata.value
    const problem = typeof read === 'string' ? capMessage(read) : null
    send({ type: 'test-step', step: { step: 'metadata', fileId, inspected, problem } })
    // A file the provider skips ({ skip = "why" }) is not downloaded.
    if (typeof read !== 'string' && !('skip' in read) && downloadable === null) {
      downloadable = fileId
      expected = read
    }
  }

  if (downloadable !== null) {
    const fileId = downloadable
    const counter = { downloads: 0 }
    const downloaded = await sandbox.call(
      'download_file',
      [fileId],
      { stage: 'download', fileId },
      readDownloadAnswer,
      counter,
    )
    const downloads = counter.downloads
    if (!downloaded.ok) {
      if (downloaded.budgetSpent) return fail('download', downloaded.message)
      fileError('download', fileId, downloaded.message)
    } else if (typeof downloaded.value === 'string') {
      fileError('download', fileId, downloaded.value)
    } else if (downloaded.value !== null) {
      write('skwirl', 'info', `download_file skipped ${fileId}: ${downloaded.value.reason}`, {
        stage: 'download',
        fileId,
      })
    } else if (downloads === 0) {
      fileError('download', fileId, 'download_file returned without calling skwirl.download_url')
    } else {
      send({ type: 'test-step', step: { step: 'download', fileId, ok: true } })
    }
  }
  send({ type: 'done', status: 'completed', error: null })
}
