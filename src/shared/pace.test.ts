import { describe, expect, it } from 'vitest'
import { PaceMeter, secondsLeft } from './pace'

describe('PaceMeter', () => {
  it('says nothing before it starts or before two seconds have passed', () => {
    const meter = new PaceMeter()
    expect(meter.filesPerSecond(5_000, 10)).toBeNull()
    meter.start(1_000, 0)
    meter.sample(2_000, 40)
    expect(meter.filesPerSecond(2_000, 40)).toBeNull()
    expect(meter.filesPerSecond(3_000, 80)).toBe(40)
  })

  it('follows the last twenty seconds, not the whole run', () => {
    const meter = new PaceMeter()
    meter.start(0, 0)
    // 100 files/s for a minute, then 10 files/s for a minute.
    let done = 0
    for (let at = 250; at <= 60_000; at += 250) meter.sample(at, (done += 25))
    expect(meter.filesPerSecond(60_000, done)).toBeCloseTo(100)
    for (let at = 60_250; at <= 120_000; at += 250) meter.sample(at, (done += 2.5))
    expect(meter.filesPerSecond(120_000, done)).toBeCloseTo(10, 0)
  })

  it('measures from the last sample before the window when samples are sparse', () => {
    const meter = new PaceMeter()
    meter.start(0, 0)
    meter.sample(30_000, 3)
    meter.sample(60_000, 6)
    expect(meter.filesPerSecond(60_000, 6)).toBeCloseTo(0.1)
  })
})

describe('secondsLeft', () => {
  it('is the remaining files at the pace, or null without a pace', () => {
    expect(secondsLeft(100, 4)).toBe(25)
    expect(secondsLeft(100, 0)).toBeNull()
    expect(secondsLeft(100, null)).toBeNull()
    expect(secondsLeft(-3, 4)).toBe(0)
  })
})
