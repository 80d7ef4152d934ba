import { describe, expect, it } from 'vitest'
import { Pacer, type PacerClock } from './pacer'

/** A clock that moves only when someone sleeps on it. */
function fakeClock(): PacerClock & { t: number } {
  const clock = {
    t: 0,
    now: () => clock.t,
    sleep: (ms: number, signal?: AbortSignal) => {
      signal?.throwIfAborted()
      clock.t += ms
      return Promise.resolve()
    },
  }
  return clock
}

async function times(pacer: Pacer, clock: { t: number }, n: number): Promise<number[]> {
  const at: number[] = []
  for (let i = 0; i < n; i++) {
    await pacer.take()
    at.push(Math.round(clock.t))
  }
  return at
}

describe('Pacer', () => {
  it('lets a burst go at once, then one request per interval', async () => {
    const clock = fakeClock()
    const pacer = new Pacer({ minIntervalMs: 100, burst: 3 }, clock)
    expect(await times(pacer, clock, 6)).toEqual([0, 0, 0, 100, 200, 300])
    clock.t += 1000 // idle: the bucket fills up to the burst again, no more
    expect(await times(pacer, clock, 5)).toEqual([1300, 1300, 1300, 1400, 1500])
  })

  it('does not pace without an interval, and takes a new policy', async () => {
    const clock = fakeClock()
    const pacer = new Pacer({ minIntervalMs: 0, burst: 1 }, clock)
    expect(await times(pacer, clock, 4)).toEqual([0, 0, 0, 0])
    pacer.setPolicy({ minIntervalMs: 50, burst: 1 })
    expect(await times(pacer, clock, 3)).toEqual([0, 50, 100])
  })

  it('holds every request after a rate limit, then restarts the pace from empty', async () => {
    const clock = fakeClock()
    const pacer = new Pacer({ minIntervalMs: 10, burst: 5 }, clock)
    await pacer.take()
    pacer.holdFor(1000)
    expect(await times(pacer, clock, 3)).toEqual([1010, 1020, 1030])
  })

  it('serves requests in the order they asked, and one giving up does not stall the rest', async () => {
    let t = 0
    const sleepers: Array<() => void> = []
    const clock: PacerClock = {
      now: () => t,
      sleep: (ms, signal) =>
        new Promise<void>((resolve, reject) => {
          signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true })
          sleepers.push(() => {
            t += ms
            resolve()
          })
        }),
    }
    const pacer = new Pacer({ minIntervalMs: 100, burst: 1 }, clock)
    await pacer.take()
    const order: string[] = []
    const cancel = new AbortController()
    const a = pacer.take(cancel.signal).then(
      () => order.push('a'),
      () => order.push('a gave up'),
    )
    const b = pacer.take().then(() => order.push('b'))
    const c = pacer.take().then(() => order.push('c'))
    await Promise.resolve()
    cancel.abort()
    await a
    while (order.length < 3) {
      await new Promise((resolve) => setImmediate(resolve))
      sleepers.shift()?.()
    }
    await Promise.all([b, c])
    expect(order).toEqual(['a gave up', 'b', 'c'])
  })

  it('lets a request go at once only when nobody waits before it', async () => {
    let t = 0
    const sleepers: Array<() => void> = []
    const clock: PacerClock = {
      now: () => t,
      sleep: (ms) =>
        new Promise<void>((resolve) =>
          sleepers.push(() => {
            t += ms
            resolve()
          }),
        ),
    }
    const pacer = new Pacer({ minIntervalMs: 100, burst: 1 }, clock)
    const order: string[] = []
    // The bucket's one token: taken at once, nothing asked of the clock.
    await pacer.take()
    expect(sleepers).toHaveLength(0)
    const a = pacer.take().then(() => order.push('a'))
    await new Promise((resolve) => setImmediate(resolve))
    expect(sleepers).toHaveLength(1)
    // Time passes outside the pacer: a token is there again, but `a` asked first.
    t += 100
    const b = pacer.take().then(() => order.push('b'))
    while (order.length < 2) {
      await new Promise((resolve) => setImmediate(resolve))
      sleepers.shift()?.()
    }
    await Promise.all([a, b])
    expect(order).toEqual(['a', 'b'])
  })
})
