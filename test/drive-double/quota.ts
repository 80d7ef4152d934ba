// Rate limits and transient faults as Drive shows them: a per-window request quota answered
// with 403 userRateLimitExceeded (or what the test asks), and a seeded share of requests that
// fail the way a busy Google front end fails (resets, 5xx, 429 with Retry-After, 403 limits).

export interface Quota {
  /** Requests admitted per window (Drive's default: 12,000 a minute per user). */
  requests: number
  /** Default 60,000 ms. */
  windowMs?: number
  /** How a refused request is answered (default 403 userRateLimitExceeded). */
  answer?: 'userRateLimitExceeded' | 'rateLimitExceeded' | 429
}

/** A sliding window over the times of admitted requests. */
export class QuotaWindow {
  private times: number[] = []
  private head = 0

  /** True when the request fits (and counts it); false when the quota is spent. */
  admit(quota: Quota, now: number): boolean {
    const windowMs = quota.windowMs ?? 60_000
    while (this.head < this.times.length && (this.times[this.head] as number) <= now - windowMs) {
      this.head++
    }
    if (this.head > 4096 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head)
      this.head = 0
    }
    if (this.times.length - this.head >= quota.requests) return false
    this.times.push(now)
    return true
  }

  reset(): void {
    this.times = []
    this.head = 0
  }
}

export type TransientKind =
  'reset' | 500 | 502 | 503 | 504 | 429 | 'rateLimitExceeded' | 'userRateLimitExceeded'

export const TRANSIENT_KINDS: readonly TransientKind[] = [
  'reset',
  500,
  503,
  429,
  'rateLimitExceeded',
  'userRateLimitExceeded',
]

export interface TransientFaults {
  /** Share of requests that fail, 0..1 (0.02: 2 %). */
  rate: number
  /** Same seed, same requests fail (in arrival order). */
  seed?: number
  /** Drawn evenly; default every kind in TRANSIENT_KINDS. */
  kinds?: readonly TransientKind[]
  /** Retry-After (seconds) sent with a 429 (default 1). */
  retryAfter?: number
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Draws the fault (if any) for each request; a new config (or seed) restarts the sequence. */
export class TransientDraw {
  private config: TransientFaults | undefined
  private random: () => number = Math.random

  next(config: TransientFaults | undefined): TransientKind | undefined {
    if (!config || !(config.rate > 0)) return undefined
    if (config !== this.config) {
      this.config = config
      this.random = mulberry32(config.seed ?? 1)
    }
    const roll = this.random()
    const pick = this.random()
    if (roll >= config.rate) return undefined
    const kinds = config.kinds ?? TRANSIENT_KINDS
    return kinds[Math.floor(pick * kinds.length)]
  }
}
