// The editor's Test and `skwirl test` (issue 14): the provider's text run as a dry run in a real
// runner against the Drive double, through the same host calls as a run. What its console holds
// (print and log with their lines, each host call with its status and masked URL, metadata as
// inspect renders it, errors with their line), that the listing stops at the limit, and that
// nothing is kept: no run recorded, no storage written, no destination touched.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { TestEntry, TestReport } from '../../src/shared/api'
import {
  DEFAULT_TOKEN,
  makeFiles,
  startDriveDouble,
  type DriveDouble,
} from '../drive-double/server'
import { dispatch } from '../../src/main/core/handlers'
import { killStartedSkwirls, skwirl } from '../support/cli'
import {
  googleDriveCodeFor,
  makeDataDir,
  startTestCore,
  TEST_ENV,
  type TestCore,
} from '../support/fixtures'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function setUp(count = 12): Promise<{ core: TestCore; drive: DriveDouble }> {
  const drive = await startDriveDouble({ files: makeFiles(count, { docsEvery: 4 }) })
  cleanups.push(() => drive.close())
  const core = startTestCore()
  cleanups.push(() => core.dispose())
  return { core, drive }
}

const ofKind = <K extends TestEntry['kind']>(report: TestReport, kind: K) =>
  report.entries.filter((e): e is Extract<TestEntry, { kind: K }> => e.kind === kind)

describe('a test of a provider', () => {
  it('lists until the limit, reads the first files’ metadata, downloads one, and shows each call', async () => {
    const { core, drive } = await setUp(2500)
    const code = googleDriveCodeFor(drive.url).replace(
      'function list_file_ids()',
      'function list_file_ids()\n  print("listing from " .. "the double")',
    )
    const report = await core.handlers.testProvider({ providerId: null, name: 'Drive', code })

    expect(report).toMatchObject({
      providerName: 'Drive',
      status: 'completed',
      failure: null,
      limit: 20,
    })
    const [listed] = ofKind(report, 'listed')
    // One page of 1,000 ids came back; the listing stopped at 20 without asking for the next.
    expect(listed).toMatchObject({ count: 20, stoppedAtLimit: true })
    expect(listed?.ids.slice(0, 2)).toEqual(['f000001', 'f000002'])
    expect(drive.requests.filter((r) => r.path === '/drive/v3/files')).toHaveLength(1)

    const [printed] = ofKind(report, 'output')
    expect(printed).toMatchObject({ level: 'info', text: 'listing from the double', stage: 'list' })

    const calls = ofKind(report, 'call')
    expect(calls.map((c) => `${c.method} ${c.stage} ${c.statuses.join(',')}`)).toEqual([
      'GET list 200',
      'GET metadata 200',
      'GET metadata 200',
      'GET metadata 200',
      'DOWNLOAD download 200',
    ])
    expect(calls[0]?.target).toBe(
      `${drive.url}/drive/v3/files?pageSize=1000&fields=nextPageToken%2C%20files%28id%29&q=trashed%3Dfalse`,
    )
    expect(calls[4]).toMatchObject({ fileId: 'f000001', error: null })
    expect(calls[4]?.bytes).toBeGreaterThan(0)
    for (const call of calls) expect(call.ms).toBeGreaterThanOrEqual(0)

    const metadata = ofKind(report, 'metadata')
    expect(metadata.map((m) => m.fileId)).toEqual(['f000001', 'f000002', 'f000003'])
    expect(metadata[0]?.inspected).toMatch(/^\{\n {2}checksum = "[0-9a-f]{32}",\n/)
    expect(metadata[0]?.inspected).toContain('name = "')
    expect(metadata[0]?.problem).toBeNull()
    expect(ofKind(report, 'download')).toEqual([
      expect.objectContaining({ fileId: 'f000001', ok: true, bytes: calls[4]?.bytes }),
    ])
    expect(drive.requests.filter((r) => r.query.alt === 'media')).toHaveLength(1)
    // Nothing recorded as a run, and the token is nowhere in what the screen gets.
    expect(core.runRecords.latestPerProvider()).toEqual([])
    expect(JSON.stringify(report)).not.toContain(DEFAULT_TOKEN)
  })

  it('shows an error with its line, a secret in the URL masked, and a failing call’s status', async () => {
    const { core, drive } = await setUp(8)
    const code = [
      'function list_file_ids()',
      `  local r = http.request({ method = "GET", url = "${drive.url}/drive/v3/files/missing", params = { access_token = "s3cr3t-token-value" } })`,
      '  require("log").warn("status", r.status)',
      '  for i = 1, 3 do skwirl.emit_file_id("id" .. i) end',
      'end',
      'function get_file_metadata(id)',
      '  if id == "id2" then return { name = "two" } end',
      '  return { name = id, path = id, checksum = "", size = 0, modified_time = "" }',
      'end',
      'function download_file(id)',
      '  error("cannot download " .. id)',
      'end',
    ].join('\n')
    const report = await core.handlers.testProvider({
      providerId: null,
      name: 'Mine',
      code,
      limit: 5,
    })

    expect(report.status, JSON.stringify(report.entries, null, 1)).toBe('completed')
    const [call] = ofKind(report, 'call')
    expect(call?.statuses).toEqual([401])
    expect(call?.target).toContain('/drive/v3/files/missing?access_token=')
    expect(JSON.stringify(report)).not.toContain('s3cr3t-token-value')
    expect(ofKind(report, 'listed')[0]).toMatchObject({ count: 3, stoppedAtLimit: false })
    expect(ofKind(report, 'output').map((o) => o.text)).toContain('Mine:3: status 401')
    // id2's table lacks fields: shown as returned, with what is wrong.
    const two = ofKind(report, 'metadata').find((m) => m.fileId === 'id2')
    expect(two?.inspected).toBe('{ name = "two" }')
    expect(two?.problem).toMatch(/path is nil, not a string/)
    const [failed] = ofKind(report, 'error')
    expect(failed).toMatchObject({ stage: 'download', fileId: 'id1', line: 11 })
    expect(failed?.message).toMatch(/^Mine:11: in download_file: cannot download id1/)
  })

  it('fails with the line of a Lua error, and keeps no storage write', async () => {
    const { core } = await setUp(0)
    const provider = core.providers.create({
      name: 'Stored',
      code: 'function list_file_ids() end function get_file_metadata() end function download_file() end',
    })
    core.storage.set(provider.id, 'cursor', '"saved"')
    const code = [
      'function list_file_ids()',
      '  print("cursor was " .. skwirl.storage.get("cursor"))',
      '  skwirl.storage.set("cursor", "moved")',
      '  print("cursor is " .. skwirl.storage.get("cursor"))',
      '  local t = nil',
      '  return t.x',
      'end',
      'function get_file_metadata() end',
      'function download_file() end',
    ].join('\n')
    const report = await core.handlers.testProvider({
      providerId: provider.id,
      name: 'Stored',
      code,
    })
    expect(report.status).toBe('failed')
    expect(report.failure).toMatchObject({ stage: 'list', kind: 'lua', line: 6 })
    expect(ofKind(report, 'output').map((o) => o.text)).toEqual([
      'cursor was saved',
      'cursor is moved',
    ])
    expect(ofKind(report, 'call').map((c) => `${c.method} ${c.target}`)).toEqual([
      'storage.get cursor',
      'storage.set cursor',
      'storage.get cursor',
    ])
    const errors = ofKind(report, 'error')
    expect(errors.at(-1)).toMatchObject({ stage: 'list', line: 6 })
    // The stored provider's storage and history are as they were.
    expect(core.storage.get(provider.id, 'cursor')).toBe('"saved"')
    expect(await core.handlers.listProviderRuns(provider.id)).toEqual([])
  })

  it('refuses a provider that is not stored, and a limit out of range', async () => {
    const { core } = await setUp(0)
    const refusal = async (request: unknown) => {
      const result = await dispatch(core.handlers, 'testProvider', [request], core.logger)
      return result.ok ? null : result.error
    }
    expect(await refusal({ providerId: 'nope', name: 'X', code: '' })).toMatchObject({
      code: 'not-found',
    })
    expect(await refusal({ providerId: null, name: 'X', code: '', limit: 0 })).toEqual({
      code: 'invalid-argument',
      message: 'testProvider: limit must be a whole number from 1 to 1000, got number 0.',
    })
  })

  it('runs from the CLI: `skwirl test file.lua` prints the console, --json the report', async () => {
    // Every second file is a Google Doc: no checksum, so its metadata fails (a file's step).
    const drive = await startDriveDouble({ files: makeFiles(30, { docsEvery: 2 }) })
    cleanups.push(() => drive.close())
    const data = makeDataDir()
    cleanups.push(() => data.remove())
    cleanups.push(killStartedSkwirls)
    const file = join(data.dir, 'drive.lua')
    writeFileSync(file, googleDriveCodeFor(drive.url))

    const text = await skwirl(['test', file, '-n', '4'], data.dir, TEST_ENV)
    expect(text.code).toBe(3)
    expect(text.stdout).toMatch(
      /error f000002: drive:\d+: in get_file_metadata: No checksum available for file: Document 000002$/m,
    )
    expect(text.stdout).toMatch(
      /^ +[\d.]+s {2}GET http:\/\/127\.0\.0\.1:\d+\/drive\/v3\/files\?\S+ {2}200 {2}\d+ ms$/m,
    )
    expect(text.stdout).toContain(
      'listed 4 id(s) (stopped at the limit; there may be more): f000001, f000002, f000003, f000004',
    )
    expect(text.stdout).toMatch(/downloaded f000001: .*, checked and let go/)
    expect(text.stderr).toMatch(/Test completed in [\d.]+ s/)
    expect(text.stdout + text.stderr).not.toContain(DEFAULT_TOKEN)

    const json = await skwirl(['test', file, '--limit', '8', '--json'], data.dir, TEST_ENV)
    expect(json.code).toBe(3)
    const report = JSON.parse(json.stdout) as TestReport
    expect(report).toMatchObject({ providerName: 'drive', status: 'completed', limit: 8 })
    expect(ofKind(report, 'listed')[0]?.count).toBe(8)
    expect(ofKind(report, 'error')).toEqual([
      expect.objectContaining({ stage: 'metadata', fileId: 'f000002', line: expect.any(Number) }),
    ])

    const missing = await skwirl(['test', 'Nope'], data.dir, TEST_ENV)
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('no provider named "Nope"')
    // Nothing recorded: the history is empty.
    const runs = await skwirl(['runs', '--json'], data.dir, TEST_ENV)
    expect(JSON.parse(runs.stdout)).toEqual([])
  })
})
