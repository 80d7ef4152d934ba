// The baseline: the same HTTP requests the shipped Google Drive provider makes, in the same
// order, with plain fetch; no Lua, no runner process, no database. It does the same work with
// the answers (parses the JSON, keeps each id once, checks each download's size and MD5) and
// prints one JSON line: its times (from its own process start, as Skwirl's include starting
// the runner) and its peak memory.
//
//   node bench/baseline.mjs <double url> workflow|list [--no-verify]
//
// --no-verify skips the MD5 of each download (for the record: what the hashing costs).
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'

const [base, mode = 'workflow', flag] = process.argv.slice(2)
const verify = flag !== '--no-verify'
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
  let bytes = 0
  for await (const chunk of response.body) {
    bytes += chunk.byteLength
    hash?.update(chunk)
  }
  if (bytes !== expected.size) throw new Error(`${id}: ${bytes} bytes, expected ${expected.size}`)
  if (hash && hash.digest('hex') !== expected.checksum) throw new Error(`${id}: checksum mismatch`)
  return bytes
}

const fields = 'id, name, size, modifiedTime, md5Checksum, mimeType'
const ids = await listFileIds()
const listedMs = performance.now()
let bytes = 0
let downloadMs = null
if (mode === 'workflow') {
  for (const id of ids) {
    const file = await getJson(`${base}/drive/v3/files/${id}?${query({ fields })}`)
    const expected = { size: Number(file.size), checksum: file.md5Checksum }
    const started = performance.now()
    bytes += await download(id, expected)
    downloadMs = performance.now() - started
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
