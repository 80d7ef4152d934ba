// Parallel transfers (issue 15): up to N files go through metadata → download at once, each in its
// own coroutine of the one Lua state, through the real core, a real runner and a real folder.
// The server here records every request (when it came, when it was answered) and answers after a
// random delay, so that files finish out of order; what it saw and what lands on disk are checked.
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { verifyDestination } from '../../src/main/core/destination'
import type { RunOptions, RunOutcome } from '../../src/main/core/run-manager'
import { makeFiles, startDriveDouble } from '../drive-double/server'
import { googleDriveCodeFor, startTestCore, type TestCore } from '../support/fixtures'

interface SourceFile {
  id: string
  path: string
  bytes: Buffer
}

interface Seen {
  id: string
  kind: 'meta' | 'data'
  /** Order of arrival and of answer, on one counter. */
  at: number
  answeredAt: number | null
}

interface Source {
  url: string
  seen: Seen[]
  /** Most requests under way at once, and most distinct files among them. */
  maxInFlight: number
  maxFilesInFlight: number
  /** Downloads of these ids send half their bytes and then wait until the server closes. */
  stall: Set<string>
  /** Metadata of these ids answers 500. */
  failMeta: Set<string>
  /** Downloads of these ids answer 500. */
  failData: Set<string>
  /** Fixed delays (ms) for some ids' metadata or download, in place of the random one. */
  delays: Map<string, { meta?: number; data?: number }>
  stalled(): number
  close(): Promise<void>
}

function md5(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('hex')
}

/** A small seeded generator, so that a failing run can be told apart from bad luck. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

async function startSource(files: SourceFile[], seed = 1): Promise<Source> {
  const byId = new Map(files.map((file) => [file.id, file]))
  const next = random(seed)
  let clock = 0
  const inFlight = new Map<number, string>()
  let requestCount = 0
  const hanging = new Set<ServerResponse>()
  const source: Source = {
    url: '',
    seen: [],
    maxInFlight: 0,
    maxFilesInFlight: 0,
    stall: new Set(),
    failMeta: new Set(),
    failData: new Set(),
    delays: new Map(),
    stalled: () => hanging.size,
    close: async () => {
      for (const res of hanging) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/(list|meta|data)(?:\/([^/?]+))?$/.exec(req.url ?? '')
    const kind = match?.[1]
    const id = match?.[2] ? decodeURIComponent(match[2]) : ''
    if (kind === 'list') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ ids: files.map((file) => file.id) }))
      return
    }
    const file = byId.get(id)
    if (!file || (kind !== 'meta' && kind !== 'data')) {
      res.writeHead(404).end()
      return
    }
    const key = ++requestCount
    inFlight.set(key, id)
    source.maxInFlight = Math.max(source.maxInFlight, inFlight.size)
    source.maxFilesInFlight = Math.max(source.maxFilesInFlight, new Set(inFlight.values()).size)
    const seen: Seen = { id, kind, at: ++clock, answeredAt: null }
    source.seen.push(seen)
    const done = (): void => {
      inFlight.delete(key)
      seen.answeredAt = ++clock
    }
    // 0–12 ms: enough for files to overtake one another.
    setTimeout(
      () => {
        if (kind === 'meta') {
          if (source.failMeta.has(id)) {
            done()
            res.writeHead(500, { 'content-type': 'text/plain' }).end('metadata broke')
            return
          }
          done()
          res.writeHead(200, { 'content-type': 'application/json' })
          res.end(
            JSON.stringify({
              name: file.path.split('/').pop(),
              path: file.path,
              size: file.bytes.length,
              md5: md5(file.bytes),
              modified: '2026-11-30T10:00:00.000Z',
            }),
          )
          return
        }
        if (source.failData.has(id)) {
          done()
          res.writeHead(500, { 'content-type': 'text/plain' }).end('download broke')
          return
        }
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': String(file.bytes.length),
        })
        if (source.stall.has(id)) {
          // Half the bytes, then silence: the download is under way when the run is stopped.
          res.write(file.bytes.subarray(0, file.bytes.length >> 1))
          hanging.add(res)
          res.on('close', () => {
            hanging.delete(res)
            done()
          })
          return
        }
        done()
        res.end(file.bytes)
      },
      source.delays.get(id)?.[kind] ?? Math.floor(next() * 13),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  source.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return source
}

/** A provider over the source above; `extra` is Lua run at the top of get_file_metadata. */
function providerFor(source: Source, extra = '') {
  const code = `
local base = ${JSON.stringify(source.url)}
function list_file_ids()
  for _, id in ipairs(http.get(base .. "/list").ids) do skwirl.emit_file_id(id) end
end
function get_file_metadata(id)
  ${extra}
  local m = http.get(base .. "/meta/" .. id)
  return { name = m.name, path = m.path, size = m.size, checksum = m.md5,
           modified_time = m.modified }
end
function download_file(id)
  skwirl.download_url(base .. "/data/" .. id)
end
`
  return { id: 'transfers-test', name: 'Transfers', code }
}

/** A tree with what makes paths interesting: folders, same names, a file where a folder goes. */
function makeTree(count: number): SourceFile[] {
  const files: SourceFile[] = []
  const bytes = (i: number): Buffer =>
    Buffer.from(`file ${i} `.repeat(1 + ((i * 37) % 300)), 'utf8')
  for (let i = 0; i < count; i++) {
    const folder = ['', 'Photos/', 'Photos/2026/', 'Docs/', 'Docs/old/'][i % 5] as string
    files.push({
      id: `id${String(i).padStart(4, '0')}`,
      path: `${folder}f${i}.txt`,
      bytes: bytes(i),
    })
  }
  // Two files of the same path, one differing only in case, a file where a folder is, and a
  // file below a path that is a file (see sameNames for their timing).
  files.push({ id: 'dupA', path: 'Docs/report.txt', bytes: Buffer.from('report A') })
  files.push({ id: 'under', path: 'Docs/report.txt/inside.txt', bytes: Buffer.from('inside') })
  files.push({ id: 'dupB', path: 'Docs/report.txt', bytes: Buffer.from('report B, longer') })
  files.push({ id: 'dupC', path: 'docs/REPORT.txt', bytes: Buffer.from('report C') })
  files.push({
    id: 'asFile',
    path: 'Photos/2026',
    bytes: Buffer.from('a file named like a folder'),
  })
  return files
}

/**
 * The same-named files race: dupA's metadata is slow, so the files after it have theirs first
 * and ask for their plans the moment dupA has asked; dupA's download is slow too, so it is still
 * in flight (its path claimed, not yet kept) while the others claim theirs.
 */
function sameNames(source: Source): void {
  source.delays.set('dupA', { meta: 60, data: 150 })
  for (const id of ['under', 'dupB', 'dupC']) source.delays.set(id, { meta: 0, data: 0 })
}

/** Every file of a folder (its .skwirl records aside), by path, as bytes' MD5. */
function contents(dir: string): Record<string, string> {
  const found: Record<string, string> = {}
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name)
      if (entry.isDirectory()) {
        if (path !== join(dir, '.skwirl')) walk(path)
      } else {
        found[relative(dir, path)] = md5(readFileSync(path))
      }
    }
  }
  walk(dir)
  return found
}

let core: TestCore
const cleanups: Array<() => Promise<void> | void> = []

beforeAll(() => {
  core = startTestCore()
})

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

afterAll(async () => {
  await core.dispose()
})

async function source(files: SourceFile[], seed?: number): Promise<Source> {
  const started = await startSource(files, seed)
  cleanups.push(() => started.close())
  return started
}

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'skwirl-transfers-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

function run(src: Source, options: RunOptions, extra = ''): Promise<RunOutcome> {
  return core.runs.start(providerFor(src, extra), options).done
}

/** Each file's requests in order: its metadata answered before its download was asked. */
function expectMetadataThenDownload(seen: Seen[], ids: string[]): void {
  for (const id of ids) {
    const mine = seen.filter((s) => s.id === id)
    expect(
      mine.map((s) => s.kind),
      id,
    ).toEqual(['meta', 'data'])
    const [meta, data] = mine as [Seen, Seen]
    expect(meta.answeredAt, `${id}: metadata answered before the download was asked`).toBeLessThan(
      data.at,
    )
  }
}

describe('parallel transfers', () => {
  it('backs up the same tree with 1 and with 4 transfers to the same files, paths and counts', async () => {
    const files = makeTree(100)
    const ids = files.map((f) => f.id)
    const one = await source(files, 7)
    const four = await source(files, 11)
    sameNames(one)
    sameNames(four)
    const dirOne = folder()
    const dirFour = folder()

    const a = await run(one, { destination: dirOne })
    const b = await run(four, { destination: dirFour, transfers: 4 })

    for (const outcome of [a, b]) {
      expect(outcome).toMatchObject({
        status: 'completed',
        listed: files.length,
        downloaded: files.length,
        unchanged: 0,
        failed: 0,
        bytes: files.reduce((sum, f) => sum + f.bytes.length, 0),
      })
    }
    // One at a time really is one request at a time; four really are four files at once.
    expect(one.maxInFlight).toBe(1)
    // (How many overlap depends on the machine's pace; never more than four.)
    expect(four.maxFilesInFlight).toBeGreaterThanOrEqual(2)
    expect(four.maxFilesInFlight).toBeLessThanOrEqual(4)
    expectMetadataThenDownload(one.seen, ids)
    expectMetadataThenDownload(four.seen, ids)
    // Files finished out of listing order with four (else this test proves little).
    // (Finished: a run into an empty folder starts the downloads in listing order, each file
    // as soon as the ones before it have started theirs.)
    const downloadsOfFour = four.seen
      .filter((s) => s.kind === 'data')
      .sort((x, y) => (x.answeredAt ?? 0) - (y.answeredAt ?? 0))
      .map((s) => s.id)
    expect(downloadsOfFour).not.toEqual(ids)

    const stored = contents(dirOne)
    expect(Object.keys(stored)).toHaveLength(files.length)
    expect(contents(dirFour)).toEqual(stored)
    // The first listed of two same-named files keeps the name in both.
    expect(readFileSync(join(dirFour, 'Docs', 'report.txt'), 'utf8')).toBe('report A')
    for (const dir of [dirOne, dirFour]) {
      const report = await verifyDestination(dir)
      expect(report.problems).toEqual([])
      expect(report.files).toBe(files.length)
    }

    // A second run with four finds everything unchanged, as one does.
    const again = await run(four, { destination: dirFour, transfers: 4 })
    expect(again).toMatchObject({ status: 'completed', unchanged: files.length, downloaded: 0 })
    expect(contents(dirFour)).toEqual(stored)
  }, 90_000)

  it('keeps each file’s order, metadata then download, and at most N files at once, in a check-only run', async () => {
    const files = makeTree(60)
    const src = await source(files, 3)
    const outcome = await run(src, { transfers: 8 })
    expect(outcome).toMatchObject({ status: 'completed', downloaded: files.length, failed: 0 })
    expectMetadataThenDownload(
      src.seen,
      files.map((f) => f.id),
    )
    expect(src.maxFilesInFlight).toBeGreaterThanOrEqual(2)
    expect(src.maxFilesInFlight).toBeLessThanOrEqual(8)
    // Files are started in listing order: file k's metadata is asked before file k+8's.
    const metaOrder = src.seen.filter((s) => s.kind === 'meta').map((s) => s.id)
    const position = new Map(metaOrder.map((id, i) => [id, i]))
    files.forEach((file, k) => {
      const later = files[k + 8]
      if (later) {
        expect(position.get(file.id) as number).toBeLessThan(position.get(later.id) as number)
      }
    })
  })

  it('fails only the file whose coroutine failed: a Lua error, a failed metadata request, a failed download', async () => {
    const files = makeTree(40)
    const src = await source(files, 5)
    src.failMeta.add('id0011')
    src.failData.add('id0020')
    const outcome = await run(
      src,
      { destination: folder(), transfers: 4 },
      'if id == "id0005" then error("this provider cannot read " .. id) end',
    )
    expect(outcome).toMatchObject({
      status: 'completed',
      listed: files.length,
      downloaded: files.length - 3,
      failed: 3,
    })
    const failed = Object.fromEntries(outcome.errors.map((e) => [e.fileId, e]))
    expect(Object.keys(failed).sort()).toEqual(['id0005', 'id0011', 'id0020'])
    expect(failed.id0005).toMatchObject({ stage: 'metadata' })
    expect(failed.id0005?.message).toContain('this provider cannot read id0005')
    expect(failed.id0011).toMatchObject({ stage: 'metadata' })
    expect(failed.id0011?.message).toContain('500')
    expect(failed.id0020).toMatchObject({ stage: 'download' })
    // The failing file did not stop its neighbours: every other file went through.
    const downloadedIds = new Set(src.seen.filter((s) => s.kind === 'data').map((s) => s.id))
    for (const file of files) {
      if (!['id0005', 'id0011'].includes(file.id)) expect(downloadedIds.has(file.id)).toBe(true)
    }
  })

  it('leaves no half file when stopped with 4 downloads under way', async () => {
    const files = makeTree(30)
    const src = await source(files, 9)
    // Files 8 to 11 stall halfway: four downloads under way at once.
    for (const file of files.slice(8, 12)) src.stall.add(file.id)
    const dir = folder()
    const { runId, done } = core.runs.start(providerFor(src), { destination: dir, transfers: 4 })
    await expect.poll(() => src.stalled(), { timeout: 20_000, interval: 20 }).toBe(4)
    expect(core.runs.cancel(runId)).toBe(true)
    const outcome = await done
    expect(outcome.status).toBe('cancelled')
    expect(outcome.downloaded).toBe(8)

    // What is in the folder is whole: the eight finished files, exactly their bytes; nothing
    // of the four stopped ones, not even a temporary file.
    const stored = contents(dir)
    expect(Object.keys(stored)).toHaveLength(8)
    const byPath = new Map(files.map((f) => [f.path, f]))
    for (const [path, sum] of Object.entries(stored)) {
      expect(sum, path).toBe(md5((byPath.get(path) as SourceFile).bytes))
    }
    const tmp = join(dir, '.skwirl', 'tmp')
    let leftovers: string[] = []
    try {
      leftovers = readdirSync(tmp)
    } catch {
      leftovers = []
    }
    expect(leftovers).toEqual([])
    expect(statSync(join(dir, '.skwirl', 'manifest.db')).isFile()).toBe(true)
    const report = await verifyDestination(dir)
    expect(report.problems).toEqual([])
    expect(report.files).toBe(8)
  })

  it('stops the whole run when one coroutine spins past the CPU budget, as with one at a time', async () => {
    const strict = startTestCore({ cpuMs: 400, watchdogMs: 20_000 })
    cleanups.push(() => strict.dispose())
    const files = makeTree(20)
    const src = await source(files, 13)
    const outcome = await strict.runs.start(
      providerFor(src, 'if id == "id0006" then while true do end end'),
      { transfers: 4 },
    ).done
    expect(outcome.status).toBe('failed')
    expect(outcome.errors.at(-1)).toMatchObject({ fileId: null, stage: 'metadata' })
    expect(outcome.errors.at(-1)?.message).toMatch(
      /ran for more than \d+ s of CPU without calling the host/,
    )
    // The files after it were never started.
    const started = new Set(src.seen.map((s) => s.id))
    expect(started.has('id0015')).toBe(false)
  })

  it('retries and paces 4 transfers as it does one: the Drive double with transient faults and a declared pace', async () => {
    const files = makeFiles(40, { minSize: 100, maxSize: 3000, seed: 21 })
    const drive = await startDriveDouble({
      files,
      faults: { transient: { rate: 0.15, seed: 4, retryAfter: 0 } },
    })
    cleanups.push(() => drive.close())
    const dir = folder()
    const paced = (code: string): string =>
      `http.configure { min_interval = 0.01, burst = 1 }\n${code}`
    const provider = {
      id: 'transfers-drive',
      name: 'Google Drive',
      code: paced(googleDriveCodeFor(drive.url)),
    }
    const outcome = await core.runs.start(provider, { destination: dir, transfers: 4 }).done
    expect(outcome).toMatchObject({ status: 'completed', downloaded: 40, failed: 0 })
    expect(outcome.retries).toBeGreaterThan(0)
    // Four files were under way: the first four file requests are four files' metadata.
    const first = drive.requests.filter((r) => r.path !== '/drive/v3/files').slice(0, 4)
    expect(first.map((r) => r.query.alt ?? 'metadata')).toEqual(Array(4).fill('metadata'))
    expect(new Set(first.map((r) => r.path)).size).toBe(4)
    // The pace holds for all four together: no faster than one request per 10 ms overall.
    const at = drive.requests.map((r) => r.at)
    const span = (at.at(-1) as number) - (at[0] as number)
    expect(span).toBeGreaterThanOrEqual((at.length - 1) * 10 * 0.9)
    const report = await verifyDestination(dir)
    expect(report).toMatchObject({ files: 40, problems: [] })
  })

  it('refuses a number of transfers out of range with a clear error', () => {
    const provider = { id: 'x', name: 'X', code: '' }
    for (const n of [0, 17, 2.5, Number.NaN]) {
      expect(() => core.runs.start(provider, { transfers: n })).toThrow(
        /transfers must be a whole number from 1 \(one file at a time\) to 16/,
      )
    }
  })
})
