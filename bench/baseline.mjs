// The baseline: the same HTTP requests the shipped Google Drive provider makes, in the same
// order, with plain fetch; no Lua, no runner process, no database. It does the same work with
// the answers (parses the JSON, keeps each id once, checks each download's size and MD5) and
// prints one JSON line: its times (from its own process start, as Skwirl's include starting
// the runner) and its peak memory.
//
//   node bench/baseline.mjs <double url> workflow|list [--no-verify] [--dest DIR [--no-fsync]]
//
// --no-verify skips the MD5 of each download (for the record: what the hashing costs).
// --concurrency N backs up N files at a time (each still metadata, then download), taking the
// ids in listing order: what a careful program does with N requests at once (issue 15).
// --dest writes each file into DIR as a careful program does with fs: into a temporary file,
// flushed (fsync), its mtime set, renamed into place only once its size and MD5 match;
// --no-fsync leaves out the flush (for the record).
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync } from 'node:fs'
import { open, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'

const [base, mode = 'workflow', ...flags] = process.argv.slice(2)
const verify = !flags.includes('--no-verify')
const dest = flags.includes('--dest') ? flags[flags.indexOf('--dest') + 1] : null
const fsync = !flags.includes('--no-fsync')
const concurrency = flags.includes('--concurrency')
  ? Number(flags[flags.indexOf('--concurrency') + 1])
  : 1
if (dest) mkdirSync(join(dest, '.tmp'), { recursive: true })
const headers = { Authorization: 'Bearer hardcoded_token_for_now' }

function query(params) {
  return Object.entries(params)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&')
}

async function getJson(url) {
  const response = await fetch(url, { headers })
  const text = await response.text()
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}: ${text.slice(0, 200)}`)
  return JSON.parse(text)
}

async function listFileIds() {
  const ids = []
  const seen = new Set()
  let pageToken
  do {
    const params = {
      pageSize: 1000,
      pageToken,
      fields: 'nextPageToken, files(id)',
      q: 'trashed=false',
    }
    const page = await getJson(`${base}/drive/v3/files?${query(params)}`)
    for (const file of page.files ?? []) {
      if (seen.has(file.id)) continue
      seen.add(file.id)
      ids.push(file.id)
    }
    pageToken = page.nextPageToken
  } while (pageToken)
  return ids
}

async function download(id, expected) {
  const response = await fetch(`${base}/drive/v3/files/${id}?alt=media`, { headers })
  if (!response.ok) throw new Error(`HTTP ${response.status} downloading ${id}`)
  const hash = verify ? createHash('md5') : null
  const temp = dest ? join(dest, '.tmp', `${id}.part`) : null
  const file = temp ? await open(temp, 'w') : null
  let bytes = 0
  for await (const chunk of response.body) {
    bytes += chunk.byteLength
    hash?.update(chunk)
    if (file) await file.write(chunk)
  }
  const fail = async (message) => {
    await file?.close()
    if (temp) await rm(temp, { force: true })
    throw new Error(message)
  }
  if (bytes !== expected.size) await fail(`${id}: ${bytes} bytes, expected ${expected.size}`)
  if (hash && hash.digest('hex') !== expected.checksum) await fail(`${id}: checksum mismatch`)
  if (file) {
    if (fsync) await file.datasync()
    await file.utimes(new Date(), new Date(expected.modifiedTime))
    await file.close()
    await rename(temp, join(dest, expected.name))
  }
  return bytes
}

const fields = 'id, name, size, modifiedTime, md5Checksum, mimeType'
const ids = await listFileIds()
const listedMs = performance.now()
let bytes = 0
let downloadMs = null
async function backUp(id) {
  const file = await getJson(`${base}/drive/v3/files/${id}?${query({ fields })}`)
  const expected = {
    size: Number(file.size),
    checksum: file.md5Checksum,
    name: file.name,
    modifiedTime: file.modifiedTime,
  }
  const started = performance.now()
  const got = await download(id, expected)
  bytes += got
  downloadMs = performance.now() - started
}

if (mode === 'workflow') {
  if (concurrency <= 1) {
    for (const id of ids) await backUp(id)
  } else {
    let next = 0
    const worker = async () => {
      while (next < ids.length) await backUp(ids[next++])
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
  }
}
const status = readFileSync('/proc/self/status', 'utf8')
const peak = /^VmHWM:\s+(\d+) kB$/m.exec(status)
process.stdout.write(
  `${JSON.stringify({
    listed: ids.length,
    downloaded: mode === 'workflow' ? ids.length : 0,
    bytes,
    elapsedMs: mode === 'list' ? listedMs : performance.now(),
    downloadMs,
    peakBytes: peak ? Number(peak[1]) * 1024 : null,
  })}\n`,
)
