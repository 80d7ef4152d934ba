// The backup workflow end to end: the SEED's Google Drive provider (only its base URL pointed at
// the local Drive double) through the real core and real runner processes. What the double saw,
// what the run reports, what the log says, and the seed's edge-case table.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createLogger } from '../../src/main/core/logger'
import type { RunOutcome } from '../../src/main/core/run-manager'
import { childProcessLauncher, type RunnerLauncher } from '../../src/main/core/runner-process'
import { createCore, type SkwirlCore } from '../../src/main/core/skwirl-core'
import {
  contentSize,
  DEFAULT_TOKEN,
  makeFiles,
  startDriveDouble,
  type DriveDouble,
  type DriveFile,
  type Faults,
  type RecordedRequest,
} from '../drive-double/server'
import {
  googleDriveCodeFor,
  makeDataDir,
  RESOURCES_DIR,
  RUNNER_SCRIPT,
  startTestCore,
  type TestCore,
} from '../support/fixtures'

const PROVIDER = 'Google Drive'
const LIST_PATH = '/drive/v3/files'
const LIST_QUERY = { pageSize: '1000', fields: 'nextPageToken, files(id)', q: 'trashed=false' }
const FILE_QUERY = { fields: 'id, name, size, modifiedTime, md5Checksum, mimeType' }
const MEDIA_QUERY = { alt: 'media' }

let core: TestCore
const doubles: DriveDouble[] = []

beforeAll(() => {
  core = startTestCore()
})

afterEach(async () => {
  await Promise.all(doubles.splice(0).map((double) => double.close()))
})

afterAll(async () => {
  await core.dispose()
})

async function double(files: DriveFile[], faults: Faults = {}): Promise<DriveDouble> {
  const started = await startDriveDouble({ files, faults })
  doubles.push(started)
  return started
}

/** The seed's provider, pointed at the double, with `edit` applied to its source. */
function providerFor(target: DriveDouble, edit: (code: string) => string = (code) => code) {
  return { id: 'google-drive-test', name: PROVIDER, code: edit(googleDriveCodeFor(target.url)) }
}

async function run(
  target: DriveDouble,
  edit?: (code: string) => string,
  on: SkwirlCore = core,
): Promise<RunOutcome> {
  return on.runs.start(providerFor(target, edit)).done
}

function sizeOf(file: DriveFile): number {
  return file.content === undefined ? 0 : contentSize(file.content)
}

function sumOfSizes(files: DriveFile[]): number {
  return files.reduce((sum, file) => sum + sizeOf(file), 0)
}

function ids(files: DriveFile[]): string[] {
  return files.map((file) => file.id)
}

/** Each request as [path, query], the form the order checks compare. */
function shape(requests: RecordedRequest[]): Array<[string, Record<string, string>]> {
  return requests.map((r) => [r.path, r.query])
}

/** Metadata then download for each id, in order; `noDownload` ids stop after their metadata. */
function perFile(
  fileIds: string[],
  noDownload: string[] = [],
): Array<[string, Record<string, string>]> {
  return fileIds.flatMap((id): Array<[string, Record<string, string>]> => {
    const path = `${LIST_PATH}/${id}`
    return noDownload.includes(id)
      ? [[path, FILE_QUERY]]
      : [
          [path, FILE_QUERY],
          [path, MEDIA_QUERY],
        ]
  })
}

function logOf(runId: string, on: TestCore = core): string[] {
  return on
    .readLog()
    .split('\n')
    .filter((line) => line.includes(`run=${runId}`))
}

/** The log's error line for one file, which must carry run id, provider, file id and stage. */
function errorLine(runId: string, fileId: string, stage: string, on: TestCore = core): string {
  const lines = logOf(runId, on).filter(
    (line) => line.includes('[error]') && line.includes(`file=${fileId} `),
  )
  expect(lines, `one error line for ${fileId}`).toHaveLength(1)
  const line = lines[0] as string
  expect(line).toContain(`[run=${runId} provider="${PROVIDER}" file=${fileId} stage=${stage}]`)
  return line
}

describe('the seed’s Google Drive provider (its hard-coded token)', () => {
  it('fetches every listing page, then each file’s metadata then its download, one request at a time', async () => {
    const files = makeFiles(2_500, { minSize: 1, maxSize: 512 })
    const drive = await double(files)
    const { runId, done } = core.runs.start(providerFor(drive))
    const outcome = await done

    expect(outcome).toMatchObject({
      runId,
      providerName: PROVIDER,
      status: 'completed',
      listed: 2_500,
      downloaded: 2_500,
      failed: 0,
      bytes: sumOfSizes(files),
      errors: [],
    })

    const requests = drive.requests
    // Three listing pages (1000 + 1000 + 500), each with the provider's params; pages 2 and 3
    // carry the token the page before handed out (the double rejects any other with a 400).
    const pages = requests.slice(0, 3)
    expect(pages.map((r) => r.path)).toEqual([LIST_PATH, LIST_PATH, LIST_PATH])
    expect(pages[0]?.query).toEqual(LIST_QUERY)
    for (const page of pages.slice(1)) {
      const { pageToken, ...rest } = page.query
      expect(rest).toEqual(LIST_QUERY)
      expect(pageToken).toMatch(/^[\w-]{20,}$/)
    }
    expect(new Set(pages.map((r) => r.query.pageToken)).size).toBe(3)

    // Then, in listing order, each file's metadata followed by its download, and nothing else.
    expect(shape(requests.slice(3))).toEqual(perFile(ids(files)))
    expect(requests).toHaveLength(3 + 2 * 2_500)
    expect(requests.every((r) => r.status === 200 && r.method === 'GET')).toBe(true)
    expect(requests.every((r) => r.authorization === `Bearer ${DEFAULT_TOKEN}`)).toBe(true)
    expect(drive.maxInFlight).toBe(1)
    // Ordered arrival: each request reached the double no earlier than the one before.
    expect(requests.every((r, i) => i === 0 || r.at >= (requests[i - 1]?.at ?? 0))).toBe(true)

    // The run was recorded and reported: an update at the start and a final one.
    const updates = core.updates.filter((u) => u.runId === runId)
    expect(updates[0]?.status).toBe('running')
    expect(updates.at(-1)).toMatchObject({ status: 'completed', downloaded: 2_500 })
    const log = logOf(runId)
    expect(log.some((line) => line.includes('listed 2500 file(s)'))).toBe(true)
    expect(log.some((line) => line.includes('run completed: 2500 listed, 2500 downloaded'))).toBe(
      true,
    )
    // 2,500 files are some 5,000 requests: a machine shared with other work needs more than 30 s.
  }, 90_000)

  it('completes an empty listing with no downloads', async () => {
    const drive = await double([])
    const outcome = await run(drive)
    expect(outcome).toMatchObject({
      status: 'completed',
      listed: 0,
      downloaded: 0,
      failed: 0,
      bytes: 0,
      errors: [],
    })
    expect(shape(drive.requests)).toEqual([[LIST_PATH, LIST_QUERY]])
  })
})

describe('the seed’s edge cases', () => {
  it('a syntax error fails the run at load, logged with its line number, and nothing crashes', async () => {
    const drive = await double(makeFiles(2))
    const broken = (code: string): string =>
      code.replace('local page_token = nil', 'local page_token = = nil')
    const { runId, done } = core.runs.start(providerFor(drive, broken))
    const outcome = await done
    expect(outcome).toMatchObject({ status: 'failed', listed: 0, downloaded: 0, failed: 0 })
    expect(outcome.errors).toEqual([
      { fileId: null, stage: 'load', message: `${PROVIDER}:3: unexpected symbol near '='` },
    ])
    expect(drive.requests).toHaveLength(0)
    const failed = logOf(runId).filter((line) => line.includes('[error]'))
    expect(failed).toHaveLength(1)
    expect(failed[0]).toContain(
      `[run=${runId} provider="${PROVIDER}" stage=load] run failed: ${PROVIDER}:3: unexpected symbol`,
    )
    // The same core runs the next provider as if nothing happened.
    const after = await run(drive)
    expect(after).toMatchObject({ status: 'completed', downloaded: 2 })
  })

  it.each([
    ['list_file_ids', 'function list_file_ids()', 'function list_files()'],
    ['get_file_metadata', 'function get_file_metadata(file_id)', 'local function _meta(file_id)'],
    ['download_file', 'function download_file(file_id)', 'function download(file_id)'],
  ])('a provider without %s fails at load before any HTTP request', async (missing, from, to) => {
    const drive = await double(makeFiles(3))
    const { runId, done } = core.runs.start(providerFor(drive, (c) => c.replace(from, to)))
    const outcome = await done
    expect(outcome).toMatchObject({ status: 'failed', listed: 0, downloaded: 0, failed: 0 })
    expect(outcome.errors).toHaveLength(1)
    expect(outcome.errors[0]).toMatchObject({ fileId: null, stage: 'load' })
    expect(outcome.errors[0]?.message).toContain(`does not define ${missing}()`)
    expect(drive.requests).toHaveLength(0)
    expect(logOf(runId).find((line) => line.includes('[error]'))).toContain(
      `provider="${PROVIDER}" stage=load] run failed: the provider does not define ${missing}()`,
    )
  })

  it('an HTTP failure during metadata (404, 500) or download (500) is logged; the next file goes on', async () => {
    const files = makeFiles(5)
    const drive = await double(files, {
      metadataStatus: { f000001: 404, f000003: 500 },
      mediaStatus: { f000004: 500 },
    })
    const { runId, done } = core.runs.start(providerFor(drive))
    const outcome = await done
    expect(outcome).toMatchObject({ status: 'completed', listed: 5, downloaded: 2, failed: 3 })
    expect(outcome.bytes).toBe(sizeOf(files[1] as DriveFile) + sizeOf(files[4] as DriveFile))
    // A 404 is final; a 500 may be transient: tried 5 times in all before it fails the file.
    expect(outcome.retries).toBe(8)
    expect(outcome.errors).toEqual([
      {
        fileId: 'f000001',
        stage: 'metadata',
        message: expect.stringMatching(
          /^Google Drive:\d+: in get_file_metadata: HTTP 404: File not found: f000001\.$/,
        ),
      },
      {
        fileId: 'f000003',
        stage: 'metadata',
        message: expect.stringMatching(
          /^Google Drive:\d+: in get_file_metadata: HTTP 500: .* \(after 5 attempts\)$/,
        ),
      },
      {
        fileId: 'f000004',
        stage: 'download',
        message: expect.stringMatching(
          /^Google Drive:\d+: in download_file: HTTP 500: .* \(after 5 attempts\)$/,
        ),
      },
    ])
    const meta = (id: string): [string, Record<string, string>] => [
      `${LIST_PATH}/${id}`,
      FILE_QUERY,
    ]
    const media = (id: string): [string, Record<string, string>] => [
      `${LIST_PATH}/${id}`,
      MEDIA_QUERY,
    ]
    expect(shape(drive.requests)).toEqual([
      [LIST_PATH, LIST_QUERY],
      meta('f000001'),
      meta('f000002'),
      media('f000002'),
      ...Array.from({ length: 5 }, () => meta('f000003')),
      meta('f000004'),
      ...Array.from({ length: 5 }, () => media('f000004')),
      meta('f000005'),
      media('f000005'),
    ])
    expect(errorLine(runId, 'f000001', 'metadata')).toMatch(/HTTP 404: File not found: f000001\./)
    expect(errorLine(runId, 'f000003', 'metadata')).toContain('HTTP 500')
    expect(errorLine(runId, 'f000004', 'download')).toContain('HTTP 500')
    const retryLines = logOf(runId).filter((line) => line.includes('[warn]'))
    expect(retryLines).toHaveLength(8)
    expect(retryLines[0]).toMatch(
      new RegExp(
        `\\[run=${runId} provider="${PROVIDER}" file=f000003 stage=metadata\\] GET ${drive.url}/drive/v3/files/f000003: attempt 1 of 5 failed \\(HTTP 500: Internal Error\\); trying again in \\d+ ms$`,
      ),
    )
  })

  it('a Google Doc without md5Checksum is logged and skipped at metadata, never downloaded', async () => {
    const files = makeFiles(4, { docsEvery: 2 })
    const drive = await double(files)
    const { runId, done } = core.runs.start(providerFor(drive))
    const outcome = await done
    expect(outcome).toMatchObject({ status: 'completed', listed: 4, downloaded: 2, failed: 2 })
    expect(outcome.errors).toEqual([
      {
        fileId: 'f000002',
        stage: 'metadata',
        message: expect.stringMatching(
          /^Google Drive:\d+: in get_file_metadata: No checksum available for file: Document 000002$/,
        ),
      },
      {
        fileId: 'f000004',
        stage: 'metadata',
        message: expect.stringMatching(/No checksum available for file: Document 000004$/),
      },
    ])
    expect(shape(drive.requests.slice(1))).toEqual(perFile(ids(files), ['f000002', 'f000004']))
    expect(errorLine(runId, 'f000002', 'metadata')).toContain('No checksum available')
  })

  it('a download that breaks mid-stream every time is logged; the next file goes on', async () => {
    const files = makeFiles(3, { minSize: 100_000, maxSize: 200_000 })
    const drive = await double(files, { resetMidDownload: ['f000002'] })
    const { runId, done } = core.runs.start(providerFor(drive))
    const outcome = await done
    expect(outcome).toMatchObject({ status: 'completed', downloaded: 2, failed: 1, retries: 4 })
    expect(outcome.bytes).toBe(sizeOf(files[0] as DriveFile) + sizeOf(files[2] as DriveFile))
    expect(outcome.errors).toEqual([
      {
        fileId: 'f000002',
        stage: 'download',
        message: expect.stringMatching(
          /^Google Drive:\d+: in download_file: the download broke after \d+ bytes: .* \(after 5 attempts\)$/,
        ),
      },
    ])
    expect(errorLine(runId, 'f000002', 'download')).toContain('the download broke')
    // Each try resumed from the byte the one before reached.
    const tries = drive.requests.filter((r) => r.path.endsWith('/f000002') && r.query.alt)
    expect(tries).toHaveLength(5)
    expect(tries.map((r) => r.status)).toEqual([200, 206, 206, 206, 206])
  })

  it('a download that goes silent fails that file after httpSilenceMs; the next file goes on', async () => {
    const quick = startTestCore({ httpSilenceMs: 500 })
    try {
      const files = makeFiles(2, { minSize: 200_000, maxSize: 200_000 })
      const drive = await double(files, { silentDownload: ['f000001'] })
      const { runId, done } = quick.runs.start(providerFor(drive))
      const outcome = await done
      expect(outcome).toMatchObject({ status: 'completed', downloaded: 1, failed: 1 })
      expect(outcome.errors).toEqual([
        {
          fileId: 'f000001',
          stage: 'download',
          message: expect.stringMatching(
            /^Google Drive:\d+: in download_file: the download broke after \d+ bytes: no data for 500 ms \(after 5 attempts\)$/,
          ),
        },
      ])
      expect(errorLine(runId, 'f000001', 'download', quick)).toContain('no data for 500 ms')
    } finally {
      await quick.dispose()
    }
  })

  it('several Execute clicks start several independent runs at once', async () => {
    const launched: Array<{ pid: number | undefined }> = []
    const data = makeDataDir()
    const base = childProcessLauncher(RUNNER_SCRIPT)
    const launch: RunnerLauncher = (options) => {
      const runner = base(options)
      launched.push({ pid: runner.pid })
      return runner
    }
    const logger = createLogger({ dataDir: data.dir, console: false })
    const multi = createCore({
      dataDir: data.dir,
      resourcesDir: RESOURCES_DIR,
      logger,
      launchRunner: launch,
    })
    try {
      const files = makeFiles(40, { docsEvery: 10 })
      const drive = await double(files)
      const provider = multi.providers.create({
        name: 'Drive double',
        code: googleDriveCodeFor(drive.url),
      })
      // Three clicks, each answered at once with its own run.
      const clicks = await Promise.all([1, 2, 3].map(() => multi.handlers.execute(provider.id)))
      const runIds = clicks.map((click) => click.runId)
      expect(new Set(runIds).size).toBe(3)
      expect(multi.runs.list().filter((r) => r.status === 'running')).toHaveLength(3)
      expect(new Set(launched.map((l) => l.pid)).size).toBe(3)

      await vi.waitFor(
        () => expect(multi.runs.list().every((r) => r.status !== 'running')).toBe(true),
        { timeout: 20_000, interval: 20 },
      )
      for (const state of multi.runs.list()) {
        expect(runIds).toContain(state.runId)
        expect(state).toMatchObject({
          providerId: provider.id,
          status: 'completed',
          listed: 40,
          downloaded: 36,
          failed: 4,
          bytes: sumOfSizes(files),
        })
      }
      // Every run did its own listing and its own metadata and download of every file.
      const count = (path: string, query: Record<string, string>): number =>
        drive.requests.filter(
          (r) => r.path === path && JSON.stringify(r.query) === JSON.stringify(query),
        ).length
      expect(count(LIST_PATH, LIST_QUERY)).toBe(3)
      for (const file of files) {
        expect(count(`${LIST_PATH}/${file.id}`, FILE_QUERY)).toBe(3)
        expect(count(`${LIST_PATH}/${file.id}`, MEDIA_QUERY)).toBe(file.content ? 3 : 0)
      }
    } finally {
      await multi.close()
      data.remove()
    }
  })

  it('a failed listing fails the run before any file is fetched', async () => {
    const files = makeFiles(1_500)
    const drive = await double(files, { listStatus: { page: 1, status: 500 } })
    const { runId, done } = core.runs.start(providerFor(drive))
    const outcome = await done
    expect(outcome).toMatchObject({ status: 'failed', downloaded: 0, failed: 0, bytes: 0 })
    expect(outcome.errors).toEqual([
      {
        fileId: null,
        stage: 'list',
        message: expect.stringMatching(
          /^Google Drive:\d+: in list_file_ids: HTTP 500: .* \(after 5 attempts\)$/,
        ),
      },
    ])
    // The page was tried 5 times; then the run failed, before any file was fetched.
    expect(drive.requests.map((r) => [r.path, r.status])).toEqual([
      [LIST_PATH, 200],
      ...Array.from({ length: 5 }, () => [LIST_PATH, 500]),
    ])
    expect(logOf(runId).find((line) => line.includes('[error]'))).toContain(
      `[run=${runId} provider="${PROVIDER}" stage=list] run failed: Google Drive:`,
    )
  })
})

describe('metadata and downloads the workflow will not accept', () => {
  it('metadata without a field fails that file, naming the field', async () => {
    const files = makeFiles(2)
    const drive = await double(files)
    const outcome = await run(drive, (code) => code.replace('checksum = response.md5Checksum,', ''))
    expect(outcome).toMatchObject({ status: 'completed', downloaded: 0, failed: 2 })
    for (const error of outcome.errors) {
      expect(error.stage).toBe('metadata')
      expect(error.message).toMatch(/checksum is nil, not a string/)
      expect(error.message).not.toMatch(/\b(name|path|size|modified_time) is/)
    }
    // A file whose metadata is refused is not downloaded.
    expect(drive.requests.filter((r) => r.query.alt === 'media')).toHaveLength(0)
  })

  it('a negative size fails that file, naming the field', async () => {
    const drive = await double(makeFiles(1))
    const outcome = await run(drive, (code) =>
      code.replace('size = tonumber(response.size) or 0,', 'size = -1,'),
    )
    expect(outcome).toMatchObject({ status: 'completed', downloaded: 0, failed: 1 })
    expect(outcome.errors[0]).toMatchObject({ fileId: 'f000001', stage: 'metadata' })
    expect(outcome.errors[0]?.message).toMatch(/size is -1, not ≥ 0/)
  })

  it('download_file that never calls download_url fails that file', async () => {
    const files = makeFiles(2)
    const drive = await double(files)
    const outcome = await run(drive, (code) =>
      code.replace(/function download_file\(file_id\)[\s\S]*$/, 'function download_file(id) end\n'),
    )
    expect(outcome).toMatchObject({ status: 'completed', downloaded: 0, failed: 2, bytes: 0 })
    expect(outcome.errors).toEqual(
      ids(files).map((fileId) => ({
        fileId,
        stage: 'download',
        message: 'download_file returned without calling skwirl.download_url',
      })),
    )
  })

  it('a non-JSON 200 metadata body fails that file at metadata; the next file goes on', async () => {
    const files = makeFiles(3)
    const drive = await double(files, { nonJson: ['f000002'] })
    const { runId, done } = core.runs.start(providerFor(drive))
    const outcome = await done
    expect(outcome).toMatchObject({ status: 'completed', downloaded: 2, failed: 1 })
    // http.get hands a text/html body to Lua as a string; the shipped provider then finds no
    // md5Checksum and no name in it.
    expect(outcome.errors).toEqual([
      {
        fileId: 'f000002',
        stage: 'metadata',
        message: expect.stringMatching(/^Google Drive:\d+: in get_file_metadata: /),
      },
    ])
    errorLine(runId, 'f000002', 'metadata')
    expect(shape(drive.requests.slice(1))).toEqual(perFile(ids(files), ['f000002']))
  })
})

describe('the log', () => {
  it('carries run id, provider, file id and stage, and never the token', async () => {
    const drive = await double(makeFiles(4, { docsEvery: 3 }), {
      metadataStatus: { f000001: 401 },
      mediaStatus: { f000002: 500 },
    })
    // A careless provider: it quotes the token in its own error message after using it.
    const careless = (code: string): string =>
      code.replace(
        'error("No checksum available for file: " .. response.name)',
        'error("No checksum for " .. response.name .. " (credential " .. access_token .. ")")',
      )
    const { runId, done } = core.runs.start(providerFor(drive, careless))
    const outcome = await done
    expect(outcome).toMatchObject({ status: 'completed', downloaded: 1, failed: 3 })
    expect(outcome.errors.map((e) => [e.fileId, e.stage])).toEqual([
      ['f000001', 'metadata'],
      ['f000002', 'download'],
      ['f000003', 'metadata'],
    ])
    expect(outcome.errors[2]?.message).toMatch(
      /No checksum for Document 000003 \(credential \[redacted]\)$/,
    )

    const lines = logOf(runId)
    expect(lines.length).toBeGreaterThanOrEqual(5)
    for (const line of lines) expect(line).toContain(`[run=${runId} provider="${PROVIDER}"`)
    expect(errorLine(runId, 'f000001', 'metadata')).toMatch(/HTTP 401: /)
    expect(errorLine(runId, 'f000002', 'download')).toMatch(/HTTP 500: /)
    expect(errorLine(runId, 'f000003', 'metadata')).toContain('(credential [redacted])')

    // The whole log file, every run of this suite so far included.
    const log = core.readLog()
    expect(log).not.toContain(DEFAULT_TOKEN)
    expect(log).not.toMatch(/hardcoded_token/)
    for (const match of log.matchAll(/Bearer\s+(\S+)/gi)) expect(match[1]).toBe('[redacted]')
    expect(JSON.stringify(outcome.errors)).not.toContain(DEFAULT_TOKEN)
  })
  it('keeps one entry per line: a line break in a print or a Lua error cannot forge an entry', async () => {
    const drive = await double(makeFiles(2, { docsEvery: 2 }))
    const forging = (code: string): string =>
      code
        .replace(
          'local page_token = nil',
          'local page_token = nil\n  print("paging\\n[2026-01-01 00:00:00.000] [error] forged")',
        )
        .replace(
          'error("No checksum available for file: " .. response.name)',
          'error("No checksum\\nfor " .. response.name)',
        )
    const { runId, done } = core.runs.start(providerFor(drive, forging))
    const outcome = await done
    expect(outcome).toMatchObject({ status: 'completed', downloaded: 1, failed: 1 })
    expect(outcome.errors[0]?.message).toMatch(/No checksum\nfor Document 000002$/)
    expect(
      logOf(runId).some((line) =>
        line.endsWith('print: paging\\n[2026-01-01 00:00:00.000] [error] forged'),
      ),
    ).toBe(true)
    expect(errorLine(runId, 'f000002', 'metadata')).toMatch(/No checksum\\nfor Document 000002$/)
    // Every line of the whole log is an entry of its own, about a run.
    const entry =
      /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] \[(debug|info|warn|error)\] +\[run=[0-9a-f-]{36} provider="[^"]+"/
    const lines = core
      .readLog()
      .split('\n')
      .filter((line) => line !== '')
    for (const line of lines) expect(line).toMatch(entry)
  })
})

describe('figures', () => {
  it('measures a run of 1,000 small files and the runner’s start time', async () => {
    const files = makeFiles(1_000, { minSize: 1, maxSize: 4_096 })
    const drive = await double(files)
    const startedAt = performance.now()
    const startedWall = Date.now()
    const outcome = await core.runs.start(providerFor(drive)).done
    const elapsedMs = performance.now() - startedAt
    expect(outcome).toMatchObject({ status: 'completed', downloaded: 1_000, failed: 0 })
    expect(outcome.bytes).toBe(sumOfSizes(files))

    const first = drive.requests[0] as RecordedRequest
    const startMs = first.at - startedWall
    const perFileMs = (elapsedMs - startMs) / files.length
    console.log(
      `1,000 small files (${outcome.bytes} bytes): ${Math.round(elapsedMs)} ms in all; ` +
        `runner start (runs.start → first request at the double): ${startMs} ms; ` +
        `${perFileMs.toFixed(2)} ms per file (metadata + download)`,
    )
    // Sane upper bounds only: shared machines are noisy.
    expect(startMs).toBeLessThan(10_000)
    expect(elapsedMs).toBeLessThan(60_000)
  })

  it('measures the runner’s start time over several runs', async () => {
    const drive = await double([])
    const samples: number[] = []
    for (let i = 0; i < 7; i++) {
      const before = drive.requests.length
      const startedWall = Date.now()
      const outcome = await core.runs.start(providerFor(drive)).done
      expect(outcome.status).toBe('completed')
      samples.push((drive.requests[before] as RecordedRequest).at - startedWall)
    }
    const sorted = [...samples].sort((a, b) => a - b)
    console.log(
      `runner start (runs.start → first request at the double), 7 runs: ` +
        `min ${sorted[0]} ms, median ${sorted[3]} ms, max ${sorted[6]} ms (${samples.join(', ')})`,
    )
    expect(sorted[3]).toBeLessThan(10_000)
  })
})
