// An S3-compatible server nobody here wrote: s3rver (npm), in a process of its own behind a check
// of every request's SigV4 signature by AWS's own signer (see s3-host.mjs), holding a bucket
// filled from a tree. The big file is uploaded in parts, as S3 clients upload big files.
import { randomUUID } from 'node:crypto'
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { startProcess, waitFor } from './process'
import type { Tree } from './tree'

export interface S3Credentials {
  accessKeyId: string
  secretAccessKey: string
}

export interface S3Request {
  method: string
  /** As sent, percent-encoded. */
  path: string
  query: string
  status: number
}

export interface S3Server {
  /** The endpoint, path-style: `${endpoint}/${bucket}/${key}`. */
  endpoint: string
  bucket: string
  region: string
  credentials: S3Credentials
  /** Every request the front let through or refused, in order. */
  requests(): S3Request[]
  stop(): Promise<void>
}

/** s3rver's built-in account: its key id must be this; the secret is checked by the front only. */
const ACCESS_KEY_ID = 'S3RVER'
/** Parts of the big file's upload (at most 64 MiB each, at least 3 parts). */
const MAX_PART_BYTES = 64 * 1024 * 1024
const HOST_SCRIPT = join(__dirname, 's3-host.mjs')

export async function startS3(
  tree: Tree,
  options: {
    bucket?: string
    prefix?: string
    region?: string
    /**
     * Virtual-host style: a request to `<bucket>.s3.<serviceEndpoint>` names its bucket in the
     * host, as `<bucket>.s3.amazonaws.com` does (the name must resolve to 127.0.0.1 for the client).
     */
    serviceEndpoint?: string
  } = {},
): Promise<S3Server> {
  const bucket = options.bucket ?? 'skwirl-backup'
  const region = options.region ?? 'us-east-1'
  const prefix = options.prefix ?? ''
  const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: `secret-${randomUUID()}` }
  const directory = mkdtempSync(join(tmpdir(), 'skwirl-s3rver-'))
  // s3rver's ListObjectsV2 continuation tokens use DES, which OpenSSL 3 keeps in its legacy provider.
  const requests: S3Request[] = []
  let ports: { front: number; direct: number } | undefined
  const host = startProcess(
    process.execPath,
    [
      '--openssl-legacy-provider',
      HOST_SCRIPT,
      JSON.stringify({
        directory,
        bucket,
        region,
        ...credentials,
        serviceEndpoint: options.serviceEndpoint,
      }),
    ],
    (line) => {
      if (line.startsWith('{"method"')) requests.push(JSON.parse(line) as S3Request)
      else if (line.startsWith('{"front"'))
        ports = JSON.parse(line) as { front: number; direct: number }
    },
  )
  const stop = async (): Promise<void> => {
    await host.stop()
    rmSync(directory, { recursive: true, force: true })
  }
  try {
    const up = await waitFor(
      's3rver',
      () => {
        if (!host.running()) throw new Error(`the S3 host exited:\n${host.output()}`)
        return ports
      },
      20_000,
      () => host.output(),
    )
    const direct = `http://127.0.0.1:${up.direct}`
    for (const file of tree.files) {
      const key = `${prefix}${file.path}`
      if (file.path === tree.big)
        await putMultipart(direct, bucket, key, join(tree.root, file.path))
      else await put(direct, bucket, key, readFileSync(join(tree.root, file.path)))
    }
    return {
      endpoint: `http://127.0.0.1:${up.front}`,
      bucket,
      region,
      credentials,
      requests: () => requests,
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

function objectUrl(direct: string, bucket: string, key: string): string {
  return `${direct}/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`
}

async function put(direct: string, bucket: string, key: string, body: Buffer): Promise<void> {
  const response = await fetch(objectUrl(direct, bucket, key), { method: 'PUT', body })
  if (!response.ok)
    throw new Error(`s3rver PUT ${key}: ${response.status} ${await response.text()}`)
}

/** CreateMultipartUpload, UploadPart for each 64 MiB, CompleteMultipartUpload. */
async function putMultipart(
  direct: string,
  bucket: string,
  key: string,
  file: string,
): Promise<void> {
  const url = objectUrl(direct, bucket, key)
  const created = await fetch(`${url}?uploads`, { method: 'POST' })
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(await created.text())?.[1]
  if (!created.ok || !uploadId) throw new Error(`s3rver multipart start: ${created.status}`)
  const size = statSync(file).size
  const partBytes = Math.min(MAX_PART_BYTES, Math.ceil(size / 3))
  const parts: string[] = []
  for (let start = 0, n = 1; start < size; start += partBytes, n++) {
    const end = Math.min(size, start + partBytes) - 1
    const body = Readable.toWeb(createReadStream(file, { start, end })) as ReadableStream
    const response = await fetch(`${url}?partNumber=${n}&uploadId=${uploadId}`, {
      method: 'PUT',
      body,
      headers: { 'Content-Length': String(end - start + 1) },
      duplex: 'half',
    } as RequestInit)
    const etag = response.headers.get('etag')
    await response.arrayBuffer()
    if (!response.ok || !etag) throw new Error(`s3rver part ${n}: ${response.status}`)
    parts.push(`<Part><PartNumber>${n}</PartNumber><ETag>${etag}</ETag></Part>`)
  }
  const done = await fetch(`${url}?uploadId=${uploadId}`, {
    method: 'POST',
    body: `<CompleteMultipartUpload>${parts.join('')}</CompleteMultipartUpload>`,
  })
  const text = await done.text()
  if (!done.ok || !/-\d+&quot;|-\d+"/.test(text)) {
    throw new Error(`s3rver multipart complete: ${done.status} ${text}`)
  }
}
