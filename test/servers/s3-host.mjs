// The S3 server process for tests and the benchmark: s3rver (npm) on one port, and in front of it
// a check of every request's SigV4 signature with AWS's own signer (@smithy/signature-v4),
// answering as S3 does when it fails. s3rver 3.7 checks the shape of a SigV4 Authorization header
// but not the signature ("Signature version 4 calculation is unimplemeneted" in its
// authentication middleware); what passes the check goes to s3rver unchanged.
//
// Run with --openssl-legacy-provider: s3rver's ListObjectsV2 continuation tokens use DES.
// argv[2]: JSON { directory, bucket, region, accessKeyId, secretAccessKey, serviceEndpoint? }
// (serviceEndpoint: virtual-host requests to <bucket>.s3.<serviceEndpoint> name their bucket in
// the host, as <bucket>.s3.amazonaws.com does; amazonaws.com by default).
// Prints one JSON line { front, direct } (the ports), then one line per request
// { method, path, query, status }. Ends on SIGTERM.
import { createHash, createHmac, randomUUID } from 'node:crypto'
import http from 'node:http'
import { SignatureV4 } from '@smithy/signature-v4'
import S3rver from 's3rver'

const { directory, bucket, region, accessKeyId, secretAccessKey, serviceEndpoint } = JSON.parse(
  process.argv[2],
)

function bytes(data) {
  if (typeof data === 'string') return data
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}

class NodeSha256 {
  constructor(secret) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret))
  }
  update(data) {
    this.hash.update(bytes(data))
  }
  digest() {
    return Promise.resolve(new Uint8Array(this.hash.digest()))
  }
}

const signer = new SignatureV4({
  credentials: { accessKeyId, secretAccessKey },
  region,
  service: 's3',
  sha256: NodeSha256,
  uriEscapePath: false,
  applyChecksum: false,
})

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/

/** Why S3 would refuse the request's authentication, or null when it holds. */
async function verify(req, path, query) {
  const authorization = req.headers.authorization
  if (!authorization) return ['AccessDenied', 'Access Denied']
  const parts = AUTHORIZATION.exec(authorization)
  if (!parts) return ['AuthorizationHeaderMalformed', 'The authorization header is malformed.']
  const [, keyId, , signingRegion, signedHeaders, signature] = parts
  if (keyId !== accessKeyId) {
    return [
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
    ]
  }
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(
    req.headers['x-amz-date'] ?? '',
  )
  if (!date) return ['AccessDenied', 'AWS authentication requires a valid X-Amz-Date.']
  const when = new Date(`${date[1]}-${date[2]}-${date[3]}T${date[4]}:${date[5]}:${date[6]}Z`)
  if (Math.abs(Date.now() - when.getTime()) > 15 * 60 * 1000) {
    return [
      'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.',
    ]
  }
  const headers = {}
  for (const name of signedHeaders.split(';')) {
    const value = req.headers[name]
    if (value === undefined) return ['AccessDenied', `The signed header ${name} is missing.`]
    headers[name] = Array.isArray(value) ? value.join(',') : value
  }
  const params = {}
  for (const pair of query.split('&').filter(Boolean)) {
    const eq = pair.indexOf('=')
    const name = decodeURIComponent(eq === -1 ? pair : pair.slice(0, eq))
    const value = eq === -1 ? '' : decodeURIComponent(pair.slice(eq + 1))
    const known = params[name]
    params[name] = known === undefined ? value : [].concat(known, value)
  }
  const signed = await signer.sign(
    {
      method: req.method,
      protocol: 'http:',
      hostname: headers.host ?? '',
      path,
      query: params,
      headers,
    },
    { signingDate: when, signingRegion },
  )
  const expected = /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization ?? '')?.[1]
  if (expected !== signature) {
    return [
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    ]
  }
  return null
}

function s3Error(code, message) {
  const escape = (text) =>
    text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c])
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escape(message)}</Message><RequestId>${randomUUID()}</RequestId></Error>`
}

const s3rver = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: [{ name: bucket, configs: [] }],
  ...(serviceEndpoint ? { serviceEndpoint } : {}),
})
const direct = await s3rver.run()
const handle = s3rver.callback()

const front = http.createServer((req, res) => {
  const url = req.url ?? '/'
  const at = url.indexOf('?')
  const path = at === -1 ? url : url.slice(0, at)
  const query = at === -1 ? '' : url.slice(at + 1)
  const record = (status) =>
    process.stdout.write(`${JSON.stringify({ method: req.method, path, query, status })}\n`)
  verify(req, path, query).then(
    (problem) => {
      if (problem) {
        record(403)
        res.writeHead(403, { 'Content-Type': 'application/xml' })
        res.end(s3Error(...problem))
        return
      }
      res.once('finish', () => record(res.statusCode))
      handle(req, res)
    },
    (error) => {
      record(500)
      res.writeHead(500, { 'Content-Type': 'application/xml' })
      res.end(s3Error('InternalError', String(error)))
    },
  )
})
front.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ front: front.address().port, direct: direct.port })}\n`)
})

process.on('SIGTERM', () => {
  front.closeAllConnections()
  front.close()
  s3rver.close().then(() => process.exit(0))
})
