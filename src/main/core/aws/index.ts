// aws.sign in main: a provider's request signed with SigV4, the keys read from the provider's
// settings here, so that the secret key never reaches the runner (only the signature does).
// The request comes back in the exact form that was signed (canonical path and query), ready
// for http.request or skwirl.download_url.
import { createHash } from 'node:crypto'
import type { HostCall, HostReply } from '../../../shared/runner-protocol'
import { buildUrl } from '../http-broker'
import { amzDate, canonicalQuery, EMPTY_SHA256, normalizePath, sign, uriEncode } from './sigv4'

export { sign as signV4 } from './sigv4'

/**
 * Reads one of the run's provider settings (secret ones included), or null when it is unset; a
 * secret may need the keyring first, so the answer may come later.
 */
export type SettingReader = (key: string) => string | null | Promise<string | null>

type AwsSignCall = Extract<HostCall, { method: 'aws.sign' }>
type AwsSignReply = Extract<HostReply, { method: 'aws.sign' }>

/** Headers aws.sign sets itself; a provider's own values for them are dropped. */
const SET_BY_SIGNER = new Set(['authorization', 'host', 'x-amz-date', 'x-amz-content-sha256'])

export class AwsSignError extends Error {
  override name = 'AwsSignError'
}

export async function signForProvider(
  call: AwsSignCall,
  settings: SettingReader | undefined,
  /** Where the secret key is registered so that no text shows it (the run's Redactor). */
  secrets: { add(value: string): unknown },
  now: () => Date = () => new Date(),
): Promise<AwsSignReply> {
  const read = async (key: string, what: string): Promise<string> => {
    if (!settings) {
      throw new AwsSignError(
        `aws.sign: the ${what} comes from the provider setting "${key}", but this Skwirl has no provider settings to read it from`,
      )
    }
    const value = await settings(key)
    if (value === null || value === '') {
      throw new AwsSignError(
        `aws.sign: the provider setting "${key}" (the ${what}) is not set; set it in the provider's settings`,
      )
    }
    return value
  }
  const secretKey = await read(call.secretKeySetting, 'secret access key')
  secrets.add(secretKey)
  const accessKey =
    call.accessKeySetting !== null
      ? await read(call.accessKeySetting, 'access key id')
      : call.accessKey
  if (!accessKey) throw new AwsSignError('aws.sign: give access_key or access_key_setting')

  const s3 = call.service === 's3'
  const target = buildUrl(call.url, call.params)
  // Re-encode what the provider wrote (percent-encoded or not) the one way SigV4 encodes it,
  // and send exactly that: what is signed is what goes on the wire.
  let path = target.pathname
    .split('/')
    .map((segment) => uriEncode(percentDecode(segment)))
    .join('/')
  if (!s3) path = normalizePath(path)
  const query = parseQuery(target.search)
  const canonicalQueryText = canonicalQuery(query)

  const payloadHash =
    call.payloadHash ??
    (call.body === null ? EMPTY_SHA256 : createHash('sha256').update(call.body).digest('hex'))
  const date = amzDate(call.time === null ? now() : new Date(call.time * 1000))
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(call.headers)) {
    if (!SET_BY_SIGNER.has(name.toLowerCase())) headers[name] = value
  }
  headers['X-Amz-Date'] = date
  if (s3) headers['X-Amz-Content-Sha256'] = payloadHash
  const signed = sign(
    {
      method: call.verb,
      path,
      query,
      headers: [...Object.entries(headers), ['Host', target.host]],
      payloadHash,
    },
    accessKey,
    secretKey,
    { amzDate: date, region: call.region, service: call.service },
    { s3 },
  )
  headers.Authorization = signed.authorization
  const url = `${target.protocol}//${target.host}${path}${canonicalQueryText ? `?${canonicalQueryText}` : ''}`
  return { method: 'aws.sign', url, headers }
}

/** %XX sequences as bytes; anything else (a stray %) stays as it is. */
function percentDecode(text: string): Uint8Array {
  const out: number[] = []
  const bytes = Buffer.from(text, 'utf8')
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number
    if (byte === 0x25 && i + 2 < bytes.length) {
      const hex = String.fromCharCode(bytes[i + 1] as number, bytes[i + 2] as number)
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        out.push(parseInt(hex, 16))
        i += 2
        continue
      }
    }
    out.push(byte)
  }
  return Uint8Array.from(out)
}

/** The query's name/value pairs, decoded (a `+` is a plus, as SigV4 reads it). */
function parseQuery(search: string): Array<[string, string]> {
  if (search === '' || search === '?') return []
  return search
    .slice(1)
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=')
      const name = eq === -1 ? part : part.slice(0, eq)
      const value = eq === -1 ? '' : part.slice(eq + 1)
      return [
        Buffer.from(percentDecode(name)).toString('utf8'),
        Buffer.from(percentDecode(value)).toString('utf8'),
      ]
    })
}
