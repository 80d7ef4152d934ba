// When a request is worth another try, and how long to wait first: rclone's pacer as a policy.
// Transient answers (408, 429, 5xx, 403 rate limits with a Google-style reason) and broken
// connections are retried with exponential backoff and full jitter; Retry-After is honoured up
// to a cap. The numbers live in the policy, so tests run the same code with millisecond waits.

export interface RetryPolicy {
  /** Tries in all, the first one included. */
  attempts: number
  /** The wait before retry n (from 1) is random in [0, min(backoffMaxMs, backoffBaseMs·2^(n-1))). */
  backoffBaseMs: number
  backoffMaxMs: number
  /** A Retry-After longer than this is waited only this long. */
  retryAfterMaxMs: number
  /** Statuses worth another try. */
  statuses: readonly number[]
  /** A 403 is retried when its Google-style body gives one of these reasons. */
  rateLimitReasons: readonly string[]
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 5,
  backoffBaseMs: 1000,
  backoffMaxMs: 16_000,
  retryAfterMaxMs: 60_000,
  statuses: [408, 429, 500, 502, 503, 504],
  rateLimitReasons: ['rateLimitExceeded', 'userRateLimitExceeded'],
}

/** Verbs that mean the same done twice (RFC 9110 §9.2.2): retried without being asked. */
export function isIdempotent(verb: string): boolean {
  return /^(GET|HEAD|OPTIONS|PUT|DELETE)$/i.test(verb)
}

/** Full jitter (AWS's "Exponential Backoff and Jitter"): spreads the retries of many clients. */
export function backoffMs(policy: RetryPolicy, retry: number, random: () => number): number {
  const ceiling = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** Math.max(0, retry - 1))
  return Math.floor(random() * ceiling)
}

/** Retry-After as seconds or an HTTP date, in ms from now; null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  if (value === null || value === undefined) return null
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  if (!/[A-Za-z]/.test(text)) return null
  const at = Date.parse(text)
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs)
}

/** The reasons a Google-style error body gives ({"error": {"errors": [{"reason"}], "status"}}). */
export function errorReasons(body: string): string[] {
  try {
    const parsed = JSON.parse(body) as { error?: unknown }
    const error = parsed.error
    if (!error || typeof error !== 'object') return []
    const reasons: string[] = []
    const items = (error as { errors?: unknown }).errors
    if (Array.isArray(items)) {
      for (const item of items) {
        const reason = (item as { reason?: unknown } | null)?.reason
        if (typeof reason === 'string') reasons.push(reason)
      }
    }
    return reasons
  } catch {
    return []
  }
}

/** True when a response with this status (and, for a 403, this body) is worth another try. */
export function isRetryableStatus(policy: RetryPolicy, status: number, body: string): boolean {
  if (policy.statuses.includes(status)) return true
  return status === 403 && errorReasons(body).some((r) => policy.rateLimitReasons.includes(r))
}

/** A rate limit (429, or a 403 with a rate-limit reason): every request should slow down. */
export function isRateLimit(policy: RetryPolicy, status: number, body: string): boolean {
  return (
    status === 429 ||
    (status === 403 && errorReasons(body).some((r) => policy.rateLimitReasons.includes(r)))
  )
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
])

/** A failure to get (or finish reading) an answer that another try may not meet. */
export function isTransientNetworkError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true
    const message = e instanceof Error ? e.message : ''
    if (/other side closed|socket hang up|terminated/i.test(message)) return true
    e = (e as { cause?: unknown }).cause
  }
  return false
}
