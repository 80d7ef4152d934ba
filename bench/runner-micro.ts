// The runner's own cost, without main, IPC or HTTP: the real workflow and sandbox in this process,
// with host calls answered at once from canned answers (Google Drive's for the seed's provider,
// Dropbox's for the shipped Dropbox provider, which keeps its listing in skwirl.cache). CPU time
// per id (listing) and per file (metadata + download), which a loaded machine distorts far less
// than wall time, and the process's peak memory.
//
//   node out/bench/runner-micro.js list|files N [--provider seed|seed-page|dropbox|FILE]
// (seed-page: the seed's text listing a page at a time, bench/seed-page.ts)
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { HostCall, HostReply } from '../src/shared/runner-protocol'
import { runWorkflow } from '../src/main/runner/workflow'
import { seedPageAtATime } from './seed-page'

const BASE = 'http://drive.test'

function listPage(from: number, count: number, total: number): string {
  const files: string[] = []
  for (let i = from; i < Math.min(from + count, total); i++) {
    files.push(`{"id":"${fileId(i)}"}`)
  }
  const next = from + count < total ? `,"nextPageToken":"t${from + count}"` : ''
  return `{"files":[${files.join(',')}]${next}}`
}

const fileId = (i: number): string => `1${String(i).padStart(7, '0')}abcdefghijklmnopqrstuvwxy`

function metadata(id: string): string {
  return JSON.stringify({
    id,
    name: `file-${id.slice(0, 8)}.bin`,
    size: '2048',
    modifiedTime: '2024-03-01T10:00:00.000Z',
    md5Checksum: '0123456789abcdef0123456789abcdef',
    mimeType: 'application/octet-stream',
  })
}

/**
 * A content hash as random as a real one (a SHA-256 in hex): the cache's compression must not be
 * measured on hashes that repeat themselves. A cheap generator (xorshift), the same every run.
 */
function contentHash(i: number): string {
  let x = (i + 1) * 2654435761
  let hex = ''
  while (hex.length < 64) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    hex += (x >>> 0).toString(16).padStart(8, '0')
  }
  return hex
}

/** A page of Dropbox's files/list_folder: file entries as Dropbox sends them. */
function dropboxPage(from: number, count: number, total: number): string {
  const entries: string[] = []
  for (let i = from; i < Math.min(from + count, total); i++) {
    const n = String(i).padStart(7, '0')
    entries.push(
      JSON.stringify({
        '.tag': 'file',
        name: `photo-${n}.jpg`,
        path_lower: `/photos/2024/photo-${n}.jpg`,
        path_display: `/Photos/2024/photo-${n}.jpg`,
        id: `id:${n}AbCdEfGhIjKlMn`,
        client_modified: '2024-03-01T10:00:00Z',
        server_modified: '2024-03-01T10:00:05Z',
        rev: `0161${n}0000000001`,
        size: 2048 + (i % 1000),
        is_downloadable: true,
        content_hash: contentHash(i),
      }),
    )
  }
  const more = from + count < total
  return `{"entries":[${entries.join(',')}],"cursor":"c${from + count}","has_more":${more}}`
}

function dropboxAnswer(call: HostCall, total: number): HostReply | null {
  if (call.method === 'http.request' && call.url.includes('/2/files/list_folder')) {
    const args = JSON.parse(Buffer.from(call.body ?? new Uint8Array()).toString('utf8')) as {
      cursor?: string
      limit?: number
    }
    const from = args.cursor ? Number(args.cursor.slice(1)) : 0
    const body = Buffer.from(dropboxPage(from, 2000, total))
    return {
      method: 'http.request',
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
    }
  }
  if (call.method === 'storage.get') return { method: 'storage.get', value: null }
  if (call.method === 'storage.set') return { method: 'storage.set' }
  return null
}

async function main(): Promise<void> {
  const [mode = 'list', countText = '100000', ...flags] = process.argv.slice(2)
  const total = Number(countText)
  const providerFlag = flags.includes('--provider')
    ? flags[flags.indexOf('--provider') + 1]
    : 'seed'
  const root = resolve(__dirname, '..', '..')
  // A FILE named like dropbox*.lua is a variant of the Dropbox provider: Dropbox's answers.
  const dropbox = providerFlag === 'dropbox' || /(^|\/)dropbox[^/]*\.lua$/.test(providerFlag ?? '')
  const seed = providerFlag === 'seed' || providerFlag === 'seed-page' || providerFlag === undefined
  const file = seed
    ? join(root, 'test', 'fixtures', 'providers', 'google-drive-seed.lua')
    : dropbox
      ? join(root, 'resources', 'providers', 'dropbox.lua')
      : providerFlag
  const text = readFileSync(file, 'utf8').replaceAll('https://www.googleapis.com', BASE)
  const code = providerFlag === 'seed-page' ? seedPageAtATime(text) : text
  let calls = 0
  let listed = 0
  let files = 0
  let failed = 0
  const answer = (call: HostCall): HostReply => {
    calls++
    const fromDropbox = dropbox ? dropboxAnswer(call, total) : null
    if (fromDropbox) return fromDropbox
    if (call.method === 'http.get') {
      const url = new URL(call.url)
      if (url.pathname === '/drive/v3/files') {
        const from = call.params.pageToken ? Number(call.params.pageToken.slice(1)) : 0
        const size = Number(call.params.pageSize ?? 100)
        return {
          method: 'http.get',
          contentType: 'application/json',
          body: listPage(from, size, total),
        }
      }
      const id = url.pathname.split('/').pop() as string
      return {
        method: 'http.get',
        contentType: 'application/json; charset=UTF-8',
        body: metadata(id),
      }
    }
    if (call.method === 'download_url')
      return { method: 'download_url', bytes: 2048, verified: true }
    throw new Error(`no canned answer for ${call.method}`)
  }
  const started = process.hrtime.bigint()
  const cpu = process.cpuUsage()
  let listedCpu: NodeJS.CpuUsage | null = null
  let listedAt = 0n
  let listedHeldMb: number | null = null
  await new Promise<void>((resolve, reject) => {
    runWorkflow({
      providerName: 'micro',
      code,
      cpuMs: 600_000,
      planDownloads: false,
      settings: {},
      host: async (call) => answer(call),
      send: (message) => {
        if (message.type === 'ids') listed += message.count
        if (message.type === 'listed') {
          listedCpu = process.cpuUsage(cpu)
          listedAt = process.hrtime.bigint()
          // What the listing holds, once the collector has taken the rest (with --expose-gc).
          const gc = (globalThis as { gc?: () => void }).gc
          if (gc) {
            gc()
            const m = process.memoryUsage()
            listedHeldMb = (m.heapUsed + m.arrayBuffers) / 1048576
          }
          if (mode === 'list') resolve()
        }
        if (message.type === 'file') {
          files++
          if (message.result.outcome === 'failed') failed++
        }
        if (message.type === 'done') {
          if (message.status !== 'completed') reject(new Error(JSON.stringify(message.error)))
          else resolve()
        }
      },
    }).catch(reject)
  })
  const usage = process.cpuUsage(cpu)
  const ms = (u: NodeJS.CpuUsage | null): number => (u ? (u.user + u.system) / 1000 : NaN)
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6
  const listCpuMs = ms(listedCpu)
  const fileCpuMs = ms(usage) - listCpuMs
  process.stdout.write(
    `${JSON.stringify({
      mode,
      total,
      listed,
      files,
      failed,
      calls,
      wallMs: Math.round(wallMs),
      listWallMs: Math.round(Number(listedAt - started) / 1e6),
      listCpuMs: Math.round(listCpuMs),
      listCpuUsPerId: Number(((listCpuMs * 1000) / Math.max(1, listed)).toFixed(2)),
      fileCpuUsPerFile: files ? Number(((fileCpuMs * 1000) / files).toFixed(1)) : null,
      heapMb: Math.round(process.memoryUsage().heapUsed / 1048576),
      rssMb: Math.round(process.memoryUsage().rss / 1048576),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      listedHeldMb: listedHeldMb === null ? null : Math.round(listedHeldMb),
    })}\n`,
  )
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
