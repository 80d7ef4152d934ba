// A stand-in for the Lua runner, for finding what bounds the small-files scenario: the same
// messages, in the same order, over the same IPC channel as the real runner sends for the
// shipped Google Drive provider, but the provider's logic is plain JavaScript (no fengari, no
// sandbox). Skwirl with this runner is the floor that main and the protocol allow. It sends what
// workflow.ts sends (ready; calls, ids, listed; per file call, file-metadata, call,
// file; done), batched as the real runner batches them (runner/outbox.ts): keep the two in step
// when the protocol changes.
import type {
  FileResult,
  HostReply,
  MainToRunner,
  RunnerToMain,
} from '../src/shared/runner-protocol'
import { Outbox } from '../src/main/runner/outbox'

type Outgoing = RunnerToMain extends infer M
  ? M extends { seq: number }
    ? Omit<M, 'seq'>
    : never
  : never

let seq = 0
const waiting = new Map<number, (reply: Extract<MainToRunner, { type: 'reply' }>) => void>()

const outbox = new Outbox((wire) => process.send?.(wire))

function send(message: Outgoing): number {
  seq++
  outbox.send({ ...message, seq } as RunnerToMain)
  return seq
}

function call(
  call: Extract<Outgoing, { type: 'call' }>['call'],
  fileId: string | null,
  stage: 'list' | 'metadata' | 'download',
): Promise<HostReply> {
  return new Promise((resolve, reject) => {
    const id = send({ type: 'call', call, context: { stage, fileId } })
    waiting.set(id, (reply) =>
      reply.ok ? resolve(reply.value) : reject(new Error(reply.error.message)),
    )
  })
}

const headers = { Authorization: 'Bearer hardcoded_token_for_now' }
// Experiments with the protocol's shape: 'all' (as the real runner), 'batched' (file results
// sent 100 at a time).
const shape = process.env.SKWIRL_STAND_IN_MESSAGES ?? 'all'
const results: FileResult[] = []
const flushResults = (): void => {
  for (const result of results.splice(0)) send({ type: 'file', result })
}

async function run(base: string): Promise<void> {
  const ids: string[] = []
  const seen = new Set<string>()
  let pageToken: string | undefined
  do {
    const params: Record<string, string> = {
      pageSize: '1000',
      fields: 'nextPageToken, files(id)',
      q: 'trashed=false',
    }
    if (pageToken) params.pageToken = pageToken
    const reply = await call(
      { method: 'http.get', url: `${base}/drive/v3/files`, headers, params, auth: null },
      null,
      'list',
    )
    if (reply.method !== 'http.get') throw new Error('unexpected reply')
    const page = JSON.parse(reply.body) as { files?: Array<{ id: string }>; nextPageToken?: string }
    const fresh: string[] = []
    for (const file of page.files ?? []) {
      if (seen.has(file.id)) continue
      seen.add(file.id)
      ids.push(file.id)
      fresh.push(file.id)
    }
    if (fresh.length > 0) send({ type: 'ids', count: fresh.length, ids: null })
    pageToken = page.nextPageToken
  } while (pageToken)
  send({ type: 'listed', count: ids.length })
  for (let index = 0; index < ids.length; index++) {
    const fileId = ids[index] as string
    const result: FileResult = {
      fileId,
      outcome: 'failed',
      metadata: null,
      bytes: 0,
      verified: false,
      skip: null,
      error: null,
    }
    const meta = await call(
      {
        method: 'http.get',
        url: `${base}/drive/v3/files/${fileId}`,
        headers,
        params: { fields: 'id, name, size, modifiedTime, md5Checksum, mimeType' },
        auth: null,
      },
      fileId,
      'metadata',
    )
    if (meta.method !== 'http.get') throw new Error('unexpected reply')
    const f = JSON.parse(meta.body) as {
      name: string
      size: string
      md5Checksum: string
      modifiedTime: string
    }
    result.metadata = {
      name: f.name,
      path: f.name,
      checksum: f.md5Checksum,
      size: Number(f.size),
      modifiedTime: f.modifiedTime,
    }
    send({ type: 'file-metadata', fileId, name: f.name, size: Number(f.size) })
    const downloaded = await call(
      {
        method: 'download_url',
        url: `${base}/drive/v3/files/${fileId}?alt=media`,
        headers,
        expected: { size: Number(f.size), checksum: f.md5Checksum },
        auth: null,
      },
      fileId,
      'download',
    )
    if (downloaded.method === 'download_url') {
      result.bytes = downloaded.bytes
      result.verified = downloaded.verified
    }
    result.outcome = 'downloaded'
    results.push(result)
    if (shape !== 'batched' || results.length >= 100) flushResults()
  }
  flushResults()
  send({ type: 'done', status: 'completed', error: null })
}

process.on('message', (message: MainToRunner) => {
  if (message.type === 'reply') {
    const resolve = waiting.get(message.replyTo)
    waiting.delete(message.replyTo)
    resolve?.(message)
  } else if (message.type === 'start') {
    // The provider's base URL, as the bench wrote it into the shipped provider's code.
    const base = /"(http:\/\/[^"]+?)\/drive\/v3\/files"/.exec(message.code)?.[1]
    if (!base) throw new Error('stand-in runner: no base URL in the provider')
    run(base).catch((error: unknown) =>
      send({ type: 'done', status: 'failed', error: { stage: 'list', message: String(error) } }),
    )
  }
})
process.on('disconnect', () => process.exit(0))
send({ type: 'ready' })
