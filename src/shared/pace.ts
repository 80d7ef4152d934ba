// A run's pace: files done per second over the last while, and the time left at that pace.

/** How far back the pace looks: long enough to be steady, short enough to follow a change. */
export const PACE_WINDOW_MS = 20_000
/** Before this much time has passed, a pace would mostly be noise. */
export const PACE_MIN_SPAN_MS = 2_000

interface Sample {
  at: number
  done: number
}

export class PaceMeter {
  private samples: Sample[] = []

  constructor(
    private readonly windowMs = PACE_WINDOW_MS,
    private readonly minSpanMs = PACE_MIN_SPAN_MS,
  ) {}

  /** Starts measuring (again) from `done` files at time `at`. */
  start(at: number, done: number): void {
    this.samples = [{ at, done }]
  }

  /** Notes `done` files at time `at` (a few times a second is plenty). */
  sample(at: number, done: number): void {
    if (this.samples.length === 0) return
    this.samples.push({ at, done })
    // Keep one sample older than the window: the pace is measured from it.
    while (this.samples.length > 2 && (this.samples[1] as Sample).at <= at - this.windowMs) {
      this.samples.shift()
    }
  }

  /** Files per second, or null when not started or too early to tell. */
  filesPerSecond(at: number, done: number): number | null {
    const from = this.samples[0]
    if (!from || at - from.at < this.minSpanMs) return null
    return Math.max(0, done - from.done) / ((at - from.at) / 1000)
  }
}

/** The seconds left to do `remaining` files at `perSecond`; null when that cannot be told. */
export function secondsLeft(remaining: number, perSecond: number | null): number | null {
  if (perSecond === null || perSecond <= 0) return null
  return Math.max(0, remaining) / perSecond
}
