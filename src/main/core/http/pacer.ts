// Spaces a provider's requests as its service wants them: a token bucket that holds `burst`
// requests and refills one every `minIntervalMs` (rclone's Drive default is 100 ms and 100), and
// that every request waits on, first come first served. A rate-limit answer holds everyone back.
import { setTimeout as sleep } from 'node:timers/promises'

export interface PacingPolicy {
  /** The steady pace: one request per this many ms (0: no pacing). */
  minIntervalMs: number
  /** Requests that may go back to back before the pace applies. */
  burst: number
}

export const NO_PACING: PacingPolicy = { minIntervalMs: 0, burst: 1 }

export interface PacerClock {
  now(): number
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

export const REAL_CLOCK: PacerClock = {
  now: () => performance.now(),
  sleep: (ms, signal) => sleep(ms, undefined, signal ? { signal } : {}),
}

const GO: Promise<void> = Promise.resolve()

export class Pacer {
  private tokens: number
  private refilledAt: number
  private heldUntil = 0
  private queue: Promise<void> = Promise.resolve()
  /** Requests waiting in the queue (a request that may go at once skips it). */
  private waiting = 0

  constructor(
    private policy: PacingPolicy,
    private readonly clock: PacerClock = REAL_CLOCK,
  ) {
    this.tokens = policy.burst
    this.refilledAt = clock.now()
  }

  get current(): PacingPolicy {
    return this.policy
  }

  setPolicy(policy: PacingPolicy): void {
    this.refill(this.clock.now())
    this.policy = policy
    this.tokens = Math.min(this.tokens, policy.burst)
  }

  /** Waits until this request may go (in the order requests asked). */
  take(signal?: AbortSignal): Promise<void> {
    // Nobody waiting and a token at hand (or no pace at all): this request goes now, without a
    // turn in the queue (the common case, paid on every request).
    if (this.waiting === 0 && !signal?.aborted && this.tryTake(this.clock.now())) return GO
    this.waiting++
    const turn = this.queue.then(() => this.waitForToken(signal))
    // One caller giving up (its run cancelled) must not stall the ones behind it.
    this.queue = turn.then(
      () => void this.waiting--,
      () => void this.waiting--,
    )
    return turn
  }

  /** No request goes for `ms`, and then the pace starts again from an empty bucket. */
  holdFor(ms: number): void {
    const until = this.clock.now() + ms
    this.heldUntil = Math.max(this.heldUntil, until)
    this.tokens = 0
    this.refilledAt = Math.max(this.refilledAt, until)
  }

  private refill(now: number): void {
    const { minIntervalMs, burst } = this.policy
    if (now <= this.refilledAt) return
    if (minIntervalMs > 0) {
      this.tokens = Math.min(burst, this.tokens + (now - this.refilledAt) / minIntervalMs)
    }
    this.refilledAt = now
  }

  /** Takes a token if one is there now (always, without a pace); false: the request must wait. */
  private tryTake(now: number): boolean {
    if (now < this.heldUntil) return false
    this.refill(now)
    if (this.policy.minIntervalMs <= 0) return true
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }

  private async waitForToken(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted()
      const now = this.clock.now()
      if (now < this.heldUntil) {
        await this.clock.sleep(this.heldUntil - now, signal)
        continue
      }
      if (this.tryTake(now)) return
      await this.clock.sleep((1 - this.tokens) * this.policy.minIntervalMs, signal)
    }
  }
}
