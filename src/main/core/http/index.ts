// The HTTP path's patience: retry policy, pacing, and the retry loop the broker runs every call
// through. A provider declares its policy with http.configure; Skwirl's defaults fill the rest.
import type { DeclaredHttpPolicy } from '../../../shared/runner-protocol'
import { NO_PACING, type PacingPolicy } from './pacer'
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy'

export { Pacer, NO_PACING, type PacingPolicy, type PacerClock } from './pacer'
export { withRetries, isTransient, type RetryNotice, type AttemptResult } from './retrier'
export {
  DEFAULT_RETRY_POLICY,
  isIdempotent,
  isRateLimit,
  isRetryableStatus,
  isTransientNetworkError,
  parseRetryAfter,
  type RetryPolicy,
} from './retry-policy'

/**
 * Waits shorter than a real service needs, for tests and benchmarks (never a user setting): they
 * replace whatever the provider declared, so the same code runs in milliseconds.
 */
export interface HttpTiming {
  backoffBaseMs?: number
  backoffMaxMs?: number
  retryAfterMaxMs?: number
}

export interface HttpPolicy {
  retry: RetryPolicy
  pacing: PacingPolicy
}

export const DEFAULT_HTTP_POLICY: HttpPolicy = { retry: DEFAULT_RETRY_POLICY, pacing: NO_PACING }

/** Skwirl's defaults, then what the provider declared, then the test timing. */
export function resolveHttpPolicy(
  declared: DeclaredHttpPolicy,
  timing: HttpTiming = {},
): HttpPolicy {
  const d = DEFAULT_RETRY_POLICY
  const retry: RetryPolicy = {
    attempts: declared.attempts ?? d.attempts,
    backoffBaseMs: timing.backoffBaseMs ?? declared.backoffBaseMs ?? d.backoffBaseMs,
    backoffMaxMs: timing.backoffMaxMs ?? declared.backoffMaxMs ?? d.backoffMaxMs,
    retryAfterMaxMs: timing.retryAfterMaxMs ?? declared.retryAfterMaxMs ?? d.retryAfterMaxMs,
    statuses: declared.retryStatuses ?? d.statuses,
    rateLimitReasons: declared.rateLimitReasons ?? d.rateLimitReasons,
  }
  const pacing: PacingPolicy = {
    minIntervalMs: declared.minIntervalMs ?? NO_PACING.minIntervalMs,
    burst: declared.burst ?? (declared.minIntervalMs ? 1 : NO_PACING.burst),
  }
  return { retry, pacing }
}

/** SKWIRL_HTTP_BACKOFF_MS, SKWIRL_HTTP_BACKOFF_MAX_MS, SKWIRL_HTTP_RETRY_AFTER_MAX_MS. */
export function httpTimingFromEnv(env: NodeJS.ProcessEnv = process.env): HttpTiming {
  const read = (name: string): number | undefined => {
    const value = Number(env[name])
    return env[name] && Number.isFinite(value) && value >= 0 ? value : undefined
  }
  const timing: HttpTiming = {
    backoffBaseMs: read('SKWIRL_HTTP_BACKOFF_MS'),
    backoffMaxMs: read('SKWIRL_HTTP_BACKOFF_MAX_MS'),
    retryAfterMaxMs: read('SKWIRL_HTTP_RETRY_AFTER_MAX_MS'),
  }
  return Object.fromEntries(Object.entries(timing).filter(([, v]) => v !== undefined))
}
