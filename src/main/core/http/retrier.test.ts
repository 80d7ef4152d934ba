import { describe, expect, it } from 'vitest'
import { Pacer, type PacerClock } from './pacer'
import { withRetries, type AttemptResult, type RetryNotice, type RetryRun } from './retrier'
import { DEFAULT_RETRY_POLICY } from './retry-policy'

function harness(overrides: Partial<RetryRun> = {}): {
  run: RetryRun
  waits: number[]
  notices: RetryNotice[]
} {
  const waits: number[] = []
  const notices: RetryNotice[] = []
  const run: RetryRun = {
    policy: DEFAULT_RETRY_POLICY,
    enabled: true,
    random: () => 0.5,
    wait: (ms) => {
      waits.push(ms)
      return Promise.resolve()
    },
    onRetry: (notice) => notices.push(notice),
    ...overrides,
  }
  return { run, waits, notices }
}

const transient = (message: string): Error => Object.assign(new Error(message), { transient: true })

function failing<T>(cause: string, last: T, retryAfterMs: number | null = null): AttemptResult<T> {
  return { retry: { cause, retryAfterMs, rateLimited: false, giveUp: () => last } }
}

describe('withRetries', () => {
  it('tries again after transient failures with backoff, and tells the run each time', async () => {
    const { run, waits, notices } = harness()
    let calls = 0
    const result = await withRetries(run, async (n) => {
      calls++
      if (n === 1) return failing('HTTP 503 (Backend Error)', 'last')
      if (n === 2) throw transient('connection reset (ECONNRESET)')
      return { done: 'ok' }
    })
    expect(result).toBe('ok')
    expect(calls).toBe(3)
    expect(waits).toEqual([500, 1000])
    expect(notices).toEqual([
      { attempt: 1, attempts: 5, cause: 'HTTP 503 (Backend Error)', waitMs: 500 },
      { attempt: 2, attempts: 5, cause: 'connection reset (ECONNRESET)', waitMs: 1000 },
    ])
  })

  it('gives up after the policy attempts: the last answer, or the last error', async () => {
    const { run, waits } = harness()
    expect(await withRetries(run, async (n) => failing(`HTTP 500 #${n}`, `answer ${n}`))).toBe(
      'answer 5',
    )
    expect(waits).toHaveLength(4)
    const errors = harness({ policy: { ...DEFAULT_RETRY_POLICY, attempts: 2 } })
    await expect(
      withRetries(errors.run, async (n) => {
        throw transient(`broke ${n}`)
      }),
    ).rejects.toThrow('broke 2 (after 2 attempts)')
  })

  it('does not retry what is not transient, nor when retries are off', async () => {
    const { run, waits } = harness()
    await expect(
      withRetries(run, async () => {
        throw new Error('HTTP 404: File not found')
      }),
    ).rejects.toThrow('404')
    const off = harness({ enabled: false })
    expect(await withRetries(off.run, async () => failing('HTTP 503', 'the 503'))).toBe('the 503')
    expect([...waits, ...off.waits]).toEqual([])
  })

  it('waits what Retry-After says, up to its cap, and holds the pacer for a rate limit', async () => {
    let t = 0
    const clock: PacerClock = {
      now: () => t,
      sleep: (ms) => {
        t += ms
        return Promise.resolve()
      },
    }
    const pacer = new Pacer({ minIntervalMs: 1, burst: 10 }, clock)
    const { run, waits } = harness({
      pacer,
      policy: { ...DEFAULT_RETRY_POLICY, retryAfterMaxMs: 30_000 },
    })
    const answers: Array<AttemptResult<string>> = [
      { retry: { cause: 'HTTP 429', retryAfterMs: 7000, rateLimited: true, giveUp: () => 'x' } },
      {
        retry: { cause: 'HTTP 429', retryAfterMs: 3_600_000, rateLimited: true, giveUp: () => 'x' },
      },
      { done: 'ok' },
    ]
    expect(await withRetries(run, async (n) => answers[n - 1] as AttemptResult<string>)).toBe('ok')
    expect(waits).toEqual([7000, 30_000])
    // The pacer held the requests that followed each rate limit.
    expect(t).toBeGreaterThanOrEqual(37_000)
  })

  it('stops at once when the run is cancelled', async () => {
    const cancel = new AbortController()
    const { run, waits } = harness({ signal: cancel.signal })
    const result = withRetries(run, async () => {
      cancel.abort()
      throw transient('reset')
    })
    await expect(result).rejects.toThrow('reset')
    expect(waits).toEqual([])
  })
})
