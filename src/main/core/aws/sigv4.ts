// AWS Signature Version 4, as the AWS documentation defines it: the canonical request, the
// string to sign, the signing key chain and the Authorization header. Pure functions; the secret
// key comes in as an argument and nothing here keeps or logs it.
import { createHash, createHmac } from 'node:crypto'

export const ALGORITHM = 'AWS4-HMAC-SHA256'
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD'
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

/** Headers SigV4 never signs: they change on the way or are the signature itself (as AWS's SDKs). */
const UNSIGNABLE = new Set([
  'authorization',
  'cache-control',
  'connection',
  'expect',
  'from',
  'keep-alive',
  'max-forwards',
  'pragma',
  'referer',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
])

export interface SigV4Request {
  method: string
  /** The path as sent on the request line (percent-encoded as on the wire). */
  path: string
  /** Query parameters, decoded; a name may repeat. */
  query: Array<[string, string]>
  /** Headers as sent (Host and X-Amz-Date included); a name may repeat, in any case. */
  headers: Array<[string, string]>
  /** The payload's SHA-256 in lower-case hex, or UNSIGNED-PAYLOAD. */
  payloadHash: string
}

export interface SigV4Scope {
  /** The request time, ISO 8601 basic: 20150830T123600Z. */
  amzDate: string
  region: string
  service: string
}

export interface SigV4Options {
  /**
   * Every service but S3 normalizes the path (no `.`, `..` or empty segments) and URI-encodes
   * it once more for the canonical request; S3 signs the path exactly as sent.
   */
  s3: boolean
}

export interface SigV4Result {
  canonicalRequest: string
  stringToSign: string
  signedHeaders: string
  signature: string
  authorization: string
}

/** RFC 3986 encoding of every byte but A-Z a-z 0-9 - . _ ~ (and `/` when keepSlash). */
export function uriEncode(text: string | Uint8Array, keepSlash = false): string {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text
  let out = ''
  for (const byte of bytes) {
    const c = String.fromCharCode(byte)
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/')) out += c
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/** The path without `.` and `..` segments and without empty ones, keeping a trailing slash. */
export function normalizePath(path: string): string {
  const segments: string[] = []
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') segments.pop()
    else segments.push(segment)
  }
  const joined = `/${segments.join('/')}`
  return segments.length > 0 && path.endsWith('/') ? `${joined}/` : joined
}

export function canonicalPath(path: string, options: SigV4Options): string {
  if (options.s3) return path === '' ? '/' : path
  return uriEncode(normalizePath(path), true)
}

export function canonicalQuery(query: Array<[string, string]>): string {
  return query
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&')
}

/** Lower-case names in order, each with its values trimmed, inner runs of spaces made one. */
export function canonicalHeaders(headers: Array<[string, string]>): {
  text: string
  signedHeaders: string
} {
  const values = new Map<string, string[]>()
  for (const [name, value] of headers) {
    const key = name.toLowerCase().trim()
    if (UNSIGNABLE.has(key)) continue
    const list = values.get(key) ?? []
    list.push(value.trim().replace(/\s+/g, ' '))
    values.set(key, list)
  }
  const names = [...values.keys()].sort()
  return {
    text: names.map((name) => `${name}:${(values.get(name) ?? []).join(',')}\n`).join(''),
    signedHeaders: names.join(';'),
  }
}

export function credentialScope(scope: SigV4Scope): string {
  return `${scope.amzDate.slice(0, 8)}/${scope.region}/${scope.service}/aws4_request`
}

/** kSigning = HMAC chain over the date, region, service and "aws4_request". */
export function signingKey(secretAccessKey: string, scope: SigV4Scope): Buffer {
  const hmac = (key: string | Buffer, data: string): Buffer =>
    createHmac('sha256', key).update(data, 'utf8').digest()
  const kDate = hmac(`AWS4${secretAccessKey}`, scope.amzDate.slice(0, 8))
  const kRegion = hmac(kDate, scope.region)
  const kService = hmac(kRegion, scope.service)
  return hmac(kService, 'aws4_request')
}

export function sign(
  request: SigV4Request,
  accessKeyId: string,
  secretAccessKey: string,
  scope: SigV4Scope,
  options: SigV4Options,
): SigV4Result {
  const headers = canonicalHeaders(request.headers)
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalPath(request.path, options),
    canonicalQuery(request.query),
    headers.text,
    headers.signedHeaders,
    request.payloadHash,
  ].join('\n')
  const stringToSign = [
    ALGORITHM,
    scope.amzDate,
    credentialScope(scope),
    createHash('sha256').update(canonicalRequest, 'utf8').digest('hex'),
  ].join('\n')
  const signature = createHmac('sha256', signingKey(secretAccessKey, scope))
    .update(stringToSign, 'utf8')
    .digest('hex')
  const authorization = `${ALGORITHM} Credential=${accessKeyId}/${credentialScope(scope)}, SignedHeaders=${headers.signedHeaders}, Signature=${signature}`
  return {
    canonicalRequest,
    stringToSign,
    signedHeaders: headers.signedHeaders,
    signature,
    authorization,
  }
}

/** A time as SigV4 writes it: 20150830T123600Z. */
export function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}
