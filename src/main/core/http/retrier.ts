// The retry loop every HTTP call goes through: pace, try, and on a transient failure wait
// (backoff with jitter, or what Retry-After asks up to its cap) and try again, telling the run.
import { setTimeout as sleep } from 'node:timers/promises'
import { backoffMs, type RetryPolicy } from './retry-policy'
import type { Pacer } from './pacer'

/** What a retry looked like, for the log line and the run's count. */
export interface RetryNotice {
  /** The attempt that failed (from 1). */
  attempt: number
  attempts: number
  /** "HTTP 503 (Backend Error)", "connection reset (ECONNRESET)"… */
  cause: string
  waitMs: number
}

/** An attempt's result: done, or worth another try (with what to do when none is left). */
export type AttemptResult<T> =
  | { done: T }
  | {
      retry: {
        cause: string
        /** From Retry-After, in ms; null when the server did not say. */
        retryAfterMs: number | null
        /** A rate limit: the provider's other requests wait too. */
        rateLimited: boolean
        /** Called when no try is left: returns the last answer or throws its error. */
        giveUp: () => T
      }
    }

export interface RetryRun {
  policy: RetryPolicy
  /** False: one try only (a POST the provider did not mark retryable). */
  enabled: boolean
  pacer?: Pacer | undefined
  signal?: AbortSignal | undefined
  onRetry?: ((notice: RetryNotice) => void) | undefined
  random?: () => number
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>
}

/** An error that another try may not meet (a broken connection, a timeout). */
export interface TransientError extends Error {
  transient: true
}

export function isTransient(error: unknown): error is TransientError {
  return error instanceof Error && (error as Partial<TransientError>).transient === true
}

export async function withRetries<T>(
  run: RetryRun,
  attempt: (n: number) => Promise<AttemptResult<T>>,
): Promise<T> {
  const { policy, pacer, signal } = run
  const random = run.random ?? Math.random
  const wait =
    run.wait ?? ((ms: number, s?: AbortSignal) => sleep(ms, undefined, s ? { signal: s } : {}))
  for (let n = 1; ; n++) {
    await pacer?.take(signal)
    let result: AttemptResult<T>
    try {
      result = await attempt(n)
    } catch (error) {
      if (!isTransient(error) || signal?.aborted) throw error
      const failed = error
      result = {
        retry: {
          cause: failed.message,
          retryAfterMs: null,
          rateLimited: false,
          giveUp: () => {
            throw failed
          },
        },
      }
    }
    if ('done' in result) return result.done
    const { retry } = result
    if (!run.enabled || n >= policy.attempts || signal?.aborted) return giveUp(retry.giveUp, n)
    const waitMs =
      retry.retryAfterMs !== null
        ? Math.min(retry.retryAfterMs, policy.retryAfterMaxMs)
        : backoffMs(policy, n, random)
    if (retry.rateLimited) pacer?.holdFor(waitMs)
    run.onRetry?.({ attempt: n, attempts: policy.attempts, cause: retry.cause, waitMs })
    await wait(waitMs, signal)
  }
}

/** The last answer, or the last error saying how many tries it took. */
function giveUp<T>(last: () => T, tries: number): T {
  if (tries === 1) return last()
  try {
    return last()
  } catch (error) {
    if (error instanceof Error && !/ \(after \d+ attempts\)$/.test(error.message)) {
      error.message = `${error.message} (after ${tries} attempts)`
    }
    throw error
  }
}
