import { describe, expect, it } from 'vitest'
import {
  backoffMs,
  DEFAULT_RETRY_POLICY as P,
  errorReasons,
  isIdempotent,
  isRateLimit,
  isRetryableStatus,
  isTransientNetworkError,
  parseRetryAfter,
} from './retry-policy'

const google = (code: number, reason: string): string =>
  JSON.stringify({ error: { code, message: 'x', errors: [{ domain: 'usageLimits', reason }] } })

describe('retry policy', () => {
  it('backs off exponentially from 1 s to 16 s with full jitter', () => {
    const top = (): number => 0.999999
    expect([1, 2, 3, 4, 5, 6, 9].map((n) => backoffMs(P, n, top))).toEqual([
      999, 1999, 3999, 7999, 15_999, 15_999, 15_999,
    ])
    expect(backoffMs(P, 3, () => 0)).toBe(0)
    expect(backoffMs(P, 2, () => 0.5)).toBe(1000)
    const fast = { ...P, backoffBaseMs: 10, backoffMaxMs: 40 }
    expect(backoffMs(fast, 10, top)).toBe(39)
  })

  it('reads Retry-After as seconds or an HTTP date, and ignores what it cannot read', () => {
    const now = Date.parse('2026-03-01T10:00:00Z')
    expect(parseRetryAfter('7', now)).toBe(7000)
    expect(parseRetryAfter(' 0 ', now)).toBe(0)
    expect(parseRetryAfter('Sun, 01 Mar 2026 10:00:30 GMT', now)).toBe(30_000)
    expect(parseRetryAfter('Sun, 01 Mar 2026 09:00:00 GMT', now)).toBe(0)
    for (const bad of [null, undefined, '', '-1', '1.5', 'soon']) {
      expect(parseRetryAfter(bad, now), String(bad)).toBeNull()
    }
  })

  it('retries 408, 429 and 5xx answers, and 403s only for rate limits', () => {
    for (const status of [408, 429, 500, 502, 503, 504]) {
      expect(isRetryableStatus(P, status, '')).toBe(true)
    }
    for (const status of [400, 401, 404, 409, 416, 501]) {
      expect(isRetryableStatus(P, status, '')).toBe(false)
    }
    expect(isRetryableStatus(P, 403, google(403, 'userRateLimitExceeded'))).toBe(true)
    expect(isRetryableStatus(P, 403, google(403, 'rateLimitExceeded'))).toBe(true)
    expect(isRetryableStatus(P, 403, google(403, 'insufficientFilePermissions'))).toBe(false)
    expect(isRetryableStatus(P, 403, google(403, 'cannotDownloadAbusiveFile'))).toBe(false)
    expect(isRetryableStatus(P, 403, 'rateLimitExceeded')).toBe(false)
    expect(isRateLimit(P, 429, '')).toBe(true)
    expect(isRateLimit(P, 503, '')).toBe(false)
    expect(isRateLimit(P, 403, google(403, 'userRateLimitExceeded'))).toBe(true)
    expect(errorReasons('{"error":"invalid_grant"}')).toEqual([])
    expect(errorReasons('not json')).toEqual([])
  })

  it('knows the idempotent verbs and the network failures worth another try', () => {
    expect(['GET', 'head', 'PUT', 'DELETE', 'OPTIONS'].every(isIdempotent)).toBe(true)
    expect(['POST', 'PATCH', 'get2'].some(isIdempotent)).toBe(false)
    const reset = new TypeError('fetch failed', {
      cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    })
    expect(isTransientNetworkError(reset)).toBe(true)
    expect(isTransientNetworkError(new TypeError('terminated'))).toBe(true)
    const refused = Object.assign(new Error('x'), { code: 'ECONNREFUSED' })
    expect(isTransientNetworkError(new Error('y', { cause: refused }))).toBe(true)
    const tls = Object.assign(new Error('cert'), { code: 'CERT_HAS_EXPIRED' })
    expect(isTransientNetworkError(new TypeError('fetch failed', { cause: tls }))).toBe(false)
    expect(isTransientNetworkError(new Error('ENOTFOUND nowhere.invalid'))).toBe(false)
  })
})
