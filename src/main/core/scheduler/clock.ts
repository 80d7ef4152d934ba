/** The scheduler's sense of time, passed in so that tests can run a week in milliseconds. */
export interface Clock {
  now(): number
  /** Calls `fn` once after `ms`; the answer cancels it. */
  setTimer(ms: number, fn: () => void): () => void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const timer = setTimeout(fn, ms)
    return () => clearTimeout(timer)
  },
}
