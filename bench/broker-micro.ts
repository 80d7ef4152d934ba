// Main's own cost per host call, without the runner: in this one process, the small-files
// scenario's requests (metadata, then download with its MD5 checked, file after file) made with
// plain fetch (as bench/baseline.mjs) or through HostCalls.perform and the HttpBroker (as main
// answers a runner's calls), against the Drive double in a process of its own. Prints CPU and
// wall time per file for each, taking turns.
//
//   node out/bench/broker-micro.js [files] [rounds] [fetch|hostCalls]
import { createHash } from 'node:crypto'
import { HostCalls } from '../src/main/core/host-calls'
import { HttpBroker } from '../src/main/core/http-broker'
import { Pacer, NO_PACING } from '../src/main/core/http'
import { Redactor } from '../src/main/core/redaction'
import type { CallContext, HostCall } from '../src/shared/runner-protocol'
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import type { FromDouble, ToDouble } from './protocol'

const TOKEN = 'hardcoded_token_for_now'

/** The Drive double's process (as processes.ts starts it; not imported: one chunk per script). */
async function startDouble(count: number): Promise<{ url: string; close: () => void }> {
  const child = fork(join(__dirname, 'double-process.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const [listening] = (await once(child, 'message')) as [FromDouble]
  if (listening.type !== 'listening') throw new Error('the double did not start')
  const load: ToDouble = { type: 'load', files: { count, minSize: 1024, maxSize: 4096, md5: true } }
  child.send(load)
  await once(child, 'message')
  return { url: listening.url, close: () => child.disconnect() }
}

const headers = { Authorization: `Bearer ${TOKEN}` }
const fields = 'id, name, size, modifiedTime, md5Checksum, mimeType'

interface Meta {
  size: string
  md5Checksum: string
}

async function plainFetch(base: string, ids: string[], withSignal = false): Promise<void> {
  const signal = (): { signal?: AbortSignal } =>
    withSignal ? { signal: new AbortController().signal } : {}
  for (const id of ids) {
    const response = await fetch(
      `${base}/drive/v3/files/${id}?fields=${encodeURIComponent(fields)}`,
      { headers, ...signal() },
    )
    const meta = JSON.parse(await response.text()) as Meta
    const download = await fetch(`${base}/drive/v3/files/${id}?alt=media`, { headers, ...signal() })
    const hash = createHash('md5')
    let bytes = 0
    for await (const chunk of download.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength
      hash.update(chunk)
    }
    if (bytes !== Number(meta.size) || hash.digest('hex') !== meta.md5Checksum) {
      throw new Error(`${id}: not the promised bytes`)
    }
  }
}

async function hostCalls(base: string, ids: string[]): Promise<void> {
  const controller = new AbortController()
  const calls = new HostCalls({
    providerId: 'bench',
    broker: new HttpBroker({
      silenceMs: 60_000,
      deadlineMs: 600_000,
      pacer: new Pacer(NO_PACING),
    }),
    storage: { get: () => null, set: () => undefined, delete: () => false },
    signal: controller.signal,
    redactor: new Redactor().child(),
  })
  for (const id of ids) {
    const metaCall: HostCall = {
      method: 'http.get',
      url: `${base}/drive/v3/files/${id}`,
      headers,
      params: { fields },
      auth: null,
    }
    const context: CallContext = { stage: 'metadata', fileId: id }
    const reply = await calls.perform(metaCall, context)
    if (reply.method !== 'http.get') throw new Error('unexpected reply')
    const meta = JSON.parse(reply.body) as Meta
    const downloadCall: HostCall = {
      method: 'download_url',
      url: `${base}/drive/v3/files/${id}?alt=media`,
      headers,
      expected: { size: Number(meta.size), checksum: meta.md5Checksum },
      auth: null,
    }
    const done = await calls.perform(downloadCall, { stage: 'download', fileId: id })
    if (done.method !== 'download_url' || !done.verified) throw new Error(`${id}: not verified`)
  }
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 5000)
  const rounds = Number(process.argv[3] ?? 3)
  const double = await startDouble(count)
  try {
    const list = (await (
      await fetch(`${double.url}/drive/v3/files?pageSize=1000&fields=files(id)`, { headers })
    ).json()) as { files: Array<{ id: string }> }
    const ids = list.files.map((f) => f.id)
    // Repeats the first page's ids up to `count` (the listing is not what is measured).
    while (ids.length < count) ids.push(...ids.slice(0, count - ids.length))
    const only = process.argv[4]
    const ways = Object.fromEntries(
      Object.entries({
        fetch: plainFetch,
        fetchSignal: (base: string, ids: string[]) => plainFetch(base, ids, true),
        hostCalls,
      }).filter(([name]) => !only || name === only),
    )
    for (let round = 0; round < rounds; round++) {
      for (const [name, way] of Object.entries(ways)) {
        const cpu = process.cpuUsage()
        const started = performance.now()
        await way(double.url, ids)
        const wall = performance.now() - started
        const used = process.cpuUsage(cpu)
        const perFile = (us: number): string => `${(us / count).toFixed(1)} µs`
        console.log(
          `${name.padEnd(10)} cpu ${perFile(used.user + used.system)}/file (user ${perFile(used.user)}), wall ${perFile(wall * 1000)}/file`,
        )
      }
    }
  } finally {
    double.close()
  }
}

void main()
