// The scheduler with its clock in the test's hand, over a real database: weeks pass in
// milliseconds. Runs are stand-ins the test ends when it likes (the real runs are in serve's
// end-to-end test).
import { readFileSync } from 'node:fs'
import type { Database } from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RunState } from '../../../shared/api'
import type { Schedule } from '../../../shared/schedule'
import { makeDataDir } from '../../../../test/support/fixtures'
import { openDatabase } from '../database'
import { createLogger, type Logger } from '../logger'
import { ProviderStore } from '../provider-store'
import type { RunOutcome } from '../run-manager'
import type { Clock } from './clock'
import { ScheduleStore } from './schedule-store'
import { Scheduler, type ScheduledRunHost } from './scheduler'

const HOUR = 3_600_000
const CODE = 'function list_file_ids() end\n'

/** A clock whose time moves only when the test says, firing timers in order as it passes them. */
class TestClock implements Clock {
  private timers: Array<{ at: number; fn: () => void; id: number }> = []
  private nextId = 1

  constructor(private time: number) {}

  now(): number {
    return this.time
  }

  setTimer(ms: number, fn: () => void): () => void {
    const id = this.nextId++
    this.timers.push({ at: this.time + ms, fn, id })
    return () => {
      this.timers = this.timers.filter((timer) => timer.id !== id)
    }
  }

  /** Moves to `to`, firing each timer that falls due on the way at its own time. */
  advanceTo(to: number): void {
    for (;;) {
      const next = this.timers
        .filter((timer) => timer.at <= to)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0]
      if (!next) break
      this.timers = this.timers.filter((timer) => timer.id !== next.id)
      this.time = Math.max(this.time, next.at)
      next.fn()
    }
    this.time = to
  }

  advanceBy(ms: number): void {
    this.advanceTo(this.time + ms)
  }

  get pending(): number {
    return this.timers.length
  }
}

/** Runs that start at once and end when the test ends them. */
class TestRuns implements ScheduledRunHost {
  readonly started: Array<{ providerId: string; runId: string; at: number }> = []
  private readonly ends = new Map<string, (outcome: RunOutcome) => void>()
  private readonly states = new Map<string, RunState>()
  private n = 0

  constructor(
    private readonly clock: TestClock,
    private readonly providers: ProviderStore,
  ) {}

  start(providerId: string) {
    const provider = this.providers.find(providerId)
    if (!provider) return null
    const runId = `run-${++this.n}`
    const state: RunState = {
      runId,
      providerId,
      providerName: provider.name,
      status: 'running',
      phase: 'starting',
      reason: null,
      failure: null,
      startedAt: new Date(this.clock.now()).toISOString(),
      finishedAt: null,
      listed: 0,
      downloaded: 0,
      unchanged: 0,
      skipped: 0,
      failed: 0,
      bytes: 0,
      unchangedBytes: 0,
      retries: 0,
      destination: null,
      problem: null,
      live: null,
    }
    this.states.set(runId, state)
    this.started.push({ providerId, runId, at: this.clock.now() })
    const done = new Promise<RunOutcome>((resolve) => this.ends.set(runId, resolve))
    return { runId, providerName: provider.name, done }
  }

  end(runId: string, changes: Partial<RunState> = {}): void {
    const state = {
      ...(this.states.get(runId) as RunState),
      status: 'completed' as const,
      ...changes,
    }
    this.states.set(runId, state)
    this.ends.get(runId)?.({ ...state, errors: [], errorsOmitted: 0, recordError: null })
  }

  endAll(): void {
    for (const [runId, state] of this.states) if (state.status === 'running') this.end(runId)
  }

  running(providerId: string): RunState | null {
    return (
      [...this.states.values()].find(
        (s) => s.providerId === providerId && s.status === 'running',
      ) ?? null
    )
  }

  /** Runs started by hand (Execute), which count for "every N hours". */
  readonly manualStarts = new Map<string, number>()

  lastRunStarts(): Map<string, number> {
    const starts = new Map(this.manualStarts)
    for (const run of this.started) {
      starts.set(run.providerId, Math.max(starts.get(run.providerId) ?? -Infinity, run.at))
    }
    return starts
  }

  startsOf(providerId: string): string[] {
    return this.started
      .filter((run) => run.providerId === providerId)
      .map((run) => new Date(run.at).toISOString())
  }
}

let data: { dir: string; remove: () => void }
let db: Database
let providers: ProviderStore
let schedules: ScheduleStore
let logger: Logger
const schedulers: Scheduler[] = []

beforeEach(() => {
  data = makeDataDir()
  db = openDatabase(data.dir)
  providers = new ProviderStore(db)
  schedules = new ScheduleStore(db)
  logger = createLogger({ dataDir: data.dir, console: false })
})

afterEach(() => {
  for (const scheduler of schedulers.splice(0)) scheduler.stop()
  db.close()
  data.remove()
})

function provider(name: string, schedule: Schedule, setAt: number): string {
  const { id } = providers.create({ name, code: CODE })
  schedules.set(id, schedule, setAt)
  return id
}

function scheduler(
  clock: TestClock,
  runs: TestRuns,
  onRunEnded?: (o: RunOutcome) => void,
): Scheduler {
  const made = new Scheduler({
    clock,
    store: schedules,
    host: runs,
    logger,
    timeZone: 'Europe/Berlin',
    onRunEnded,
  })
  schedulers.push(made)
  return made
}

const at = (iso: string): number => Date.parse(iso)
const readLog = (): string => readFileSync(logger.file, 'utf8')

describe('the scheduler', () => {
  it('runs each schedule at its due times, and only then', () => {
    const clock = new TestClock(at('2025-06-09T08:00:00Z')) // Monday 10:00 in Berlin
    const runs = new TestRuns(clock, providers)
    const hourly = provider('Every 6 h', { kind: 'interval', hours: 6 }, clock.now())
    const daily = provider('Daily', { kind: 'daily', time: '02:30' }, clock.now())
    const weekly = provider('Weekly', { kind: 'weekly', weekday: 0, time: '20:00' }, clock.now())
    const off = provider('Off', { kind: 'off' }, clock.now())
    const s = scheduler(clock, runs)
    s.start()
    clock.advanceBy(0)
    expect(runs.started).toEqual([]) // nothing is due the moment schedules are set

    // Each run ends quickly, so none is skipped for overlap.
    for (let hour = 0; hour < 7 * 24; hour++) {
      clock.advanceBy(HOUR)
      runs.endAll()
    }
    expect(runs.startsOf(hourly)).toHaveLength(28) // 168 h / 6 h
    expect(runs.startsOf(hourly).slice(0, 2)).toEqual([
      '2025-06-09T14:00:00.000Z',
      '2025-06-09T20:00:00.000Z',
    ])
    expect(runs.startsOf(daily)).toEqual(
      ['10', '11', '12', '13', '14', '15', '16'].map((d) => `2025-06-${d}T00:30:00.000Z`),
    )
    expect(runs.startsOf(weekly)).toEqual(['2025-06-15T18:00:00.000Z'])
    expect(runs.startsOf(off)).toEqual([])
  })

  it('sleeps until the next run is due: one timer, no polling faster than a minute', () => {
    const clock = new TestClock(at('2025-06-09T08:00:00Z'))
    const runs = new TestRuns(clock, providers)
    const daily = provider('Daily', { kind: 'daily', time: '02:30' }, clock.now())
    const s = scheduler(clock, runs)
    s.start()
    clock.advanceBy(0)
    expect(clock.pending).toBe(1)
    expect(s.upcoming().map((u) => new Date(u.nextRunAt).toISOString())).toEqual([
      '2025-06-10T00:30:00.000Z',
    ])
    clock.advanceTo(at('2025-06-10T00:29:59.999Z'))
    expect(runs.startsOf(daily)).toEqual([])
    clock.advanceBy(1)
    expect(runs.startsOf(daily)).toEqual(['2025-06-10T00:30:00.000Z'])
  })

  it('a run missed while no Skwirl ran runs once at the next start, not once per slot', () => {
    const clock = new TestClock(at('2025-06-09T08:00:00Z'))
    const runs = new TestRuns(clock, providers)
    const daily = provider('Daily', { kind: 'daily', time: '02:30' }, clock.now())
    const hourly = provider('Hourly', { kind: 'interval', hours: 1 }, clock.now())
    const first = scheduler(clock, runs)
    first.start()
    clock.advanceTo(at('2025-06-10T01:00:00Z'))
    runs.endAll()
    expect(runs.startsOf(daily)).toEqual(['2025-06-10T00:30:00.000Z'])
    const hourlyBefore = runs.startsOf(hourly).length
    first.stop() // Skwirl quits…

    clock.advanceTo(at('2025-06-13T09:10:00Z')) // …for three days and eight hours
    expect(runs.startsOf(daily)).toHaveLength(1)

    const second = scheduler(clock, runs) // …and starts again
    second.start()
    clock.advanceBy(0)
    expect(runs.startsOf(daily)).toEqual(['2025-06-10T00:30:00.000Z', '2025-06-13T09:10:00.000Z'])
    expect(runs.startsOf(hourly)).toHaveLength(hourlyBefore + 1)
    runs.endAll()
    // The next runs are the next slots after now, not the ones missed.
    const next = new Map(second.upcoming().map((u) => [u.stored.providerId, u.nextRunAt]))
    expect(new Date(next.get(daily) as number).toISOString()).toBe('2025-06-14T00:30:00.000Z')
    expect(new Date(next.get(hourly) as number).toISOString()).toBe('2025-06-13T10:10:00.000Z')
    clock.advanceTo(at('2025-06-13T10:00:00Z'))
    expect(runs.startsOf(daily)).toHaveLength(2)
  })

  it('skips a scheduled run while the previous one is still going, and logs it', () => {
    const clock = new TestClock(at('2025-06-09T08:00:00Z'))
    const runs = new TestRuns(clock, providers)
    const slow = provider('Slow Cloud', { kind: 'interval', hours: 1 }, clock.now())
    const s = scheduler(clock, runs)
    s.start()
    clock.advanceBy(HOUR) // 09:00Z: the first run starts, and takes two and a half hours
    expect(runs.started).toHaveLength(1)
    const [firstRun] = runs.started
    clock.advanceBy(HOUR) // 10:00Z: still going → skipped
    clock.advanceBy(HOUR / 2)
    runs.end(firstRun!.runId) // 10:30Z: ends
    expect(runs.startsOf(slow)).toEqual(['2025-06-09T09:00:00.000Z'])
    expect(readLog()).toMatch(
      /\[warn\]\s+\[provider="Slow Cloud"\] scheduled run skipped: the previous run \(run-1, started 2025-06-09T09:00:00.000Z\) is still going/,
    )
    // Skipped is taken up: the next run is an hour after the skip, not at once after the end.
    clock.advanceTo(at('2025-06-09T10:59:00Z'))
    expect(runs.startsOf(slow)).toHaveLength(1)
    clock.advanceTo(at('2025-06-09T11:00:00Z'))
    expect(runs.startsOf(slow)).toEqual(['2025-06-09T09:00:00.000Z', '2025-06-09T11:00:00.000Z'])
  })

  it('runs "daily at 02:30" once on each of the days the clocks change (Europe/Berlin)', () => {
    const clock = new TestClock(at('2025-03-28T12:00:00Z'))
    const runs = new TestRuns(clock, providers)
    const daily = provider('Daily', { kind: 'daily', time: '02:30' }, clock.now())
    const s = scheduler(clock, runs)
    s.start()
    // Minute by minute through the spring-forward night, then the fall-back night.
    const walkMinutes = (to: number): void => {
      while (clock.now() < to) {
        clock.advanceBy(60_000)
        runs.endAll()
      }
    }
    walkMinutes(at('2025-04-01T00:00:00Z'))
    expect(runs.startsOf(daily)).toEqual([
      '2025-03-29T01:30:00.000Z', // Sat 02:30 CET
      '2025-03-30T01:30:00.000Z', // Sun: 02:30 does not exist; 03:30 CEST
      '2025-03-31T00:30:00.000Z', // Mon 02:30 CEST
    ])
    // Months pass with Skwirl closed; it starts again two days before the clocks go back.
    s.stop()
    clock.advanceTo(at('2025-10-24T12:00:00Z'))
    scheduler(clock, runs).start()
    clock.advanceBy(0)
    runs.endAll()
    const before = runs.startsOf(daily).length
    walkMinutes(at('2025-10-28T00:00:00Z'))
    expect(runs.startsOf(daily).slice(before)).toEqual([
      '2025-10-25T00:30:00.000Z', // Sat 02:30 CEST
      '2025-10-26T00:30:00.000Z', // Sun: the first 02:30 (CEST); not again at 02:30 CET
      '2025-10-27T01:30:00.000Z', // Mon 02:30 CET
    ])
  })

  it('two Skwirl processes on one database start a due run once', () => {
    const clock = new TestClock(at('2025-06-09T08:00:00Z'))
    // Each process knows only its own runs: the claim in the database is what keeps them apart.
    const appRuns = new TestRuns(clock, providers)
    const serveRuns = new TestRuns(clock, providers)
    const daily = provider('Daily', { kind: 'daily', time: '02:30' }, clock.now())
    scheduler(clock, appRuns).start()
    scheduler(clock, serveRuns).start()
    for (let hour = 0; hour < 66; hour++) {
      clock.advanceBy(HOUR)
      appRuns.endAll()
      serveRuns.endAll()
    }
    expect([...appRuns.startsOf(daily), ...serveRuns.startsOf(daily)].sort()).toEqual([
      '2025-06-10T00:30:00.000Z',
      '2025-06-11T00:30:00.000Z',
      '2025-06-12T00:30:00.000Z',
    ])
  })

  it('counts "every N hours" from the newest run, started by hand or not', () => {
    const clock = new TestClock(at('2025-06-09T08:00:00Z'))
    const runs = new TestRuns(clock, providers)
    const hourly = provider('Six', { kind: 'interval', hours: 6 }, clock.now())
    const s = scheduler(clock, runs)
    s.start()
    clock.advanceBy(4 * HOUR)
    runs.manualStarts.set(hourly, clock.now()) // Execute at 12:00Z
    s.changed()
    clock.advanceBy(5 * HOUR) // 17:00Z: six hours from the Execute are not up
    expect(runs.startsOf(hourly)).toEqual([])
    clock.advanceBy(HOUR)
    expect(runs.startsOf(hourly)).toEqual(['2025-06-09T18:00:00.000Z'])
  })

  it('picks up a schedule another process set, and forgets one turned off', () => {
    const clock = new TestClock(at('2025-06-09T08:00:00Z'))
    const runs = new TestRuns(clock, providers)
    const s = scheduler(clock, runs)
    s.start()
    clock.advanceBy(0)
    // The CLI sets a schedule in the database; this scheduler hears nothing of it.
    const hourly = provider('Hourly', { kind: 'interval', hours: 1 }, clock.now())
    clock.advanceBy(HOUR + 60_000)
    expect(runs.startsOf(hourly)).toHaveLength(1)
    runs.endAll()
    schedules.set(hourly, { kind: 'off' }, clock.now())
    clock.advanceBy(5 * HOUR)
    expect(runs.startsOf(hourly)).toHaveLength(1)
  })

  it('reports each scheduled run that ends', async () => {
    const clock = new TestClock(at('2025-06-09T08:00:00Z'))
    const runs = new TestRuns(clock, providers)
    provider('Hourly', { kind: 'interval', hours: 1 }, clock.now())
    const ended: RunOutcome[] = []
    const s = scheduler(clock, runs, (outcome) => ended.push(outcome))
    s.start()
    clock.advanceBy(HOUR)
    runs.end(runs.started[0]!.runId, { status: 'failed', reason: 'error' })
    await Promise.resolve()
    await Promise.resolve()
    expect(ended.map((o) => [o.runId, o.status])).toEqual([['run-1', 'failed']])
  })

  it('keeps looking after the database fails it once', () => {
    const clock = new TestClock(at('2025-06-09T08:00:00Z'))
    const runs = new TestRuns(clock, providers)
    const hourly = provider('Hourly', { kind: 'interval', hours: 1 }, clock.now())
    const s = scheduler(clock, runs)
    const all = schedules.all.bind(schedules)
    let failures = 1
    schedules.all = () => {
      if (failures-- > 0) throw new Error('database is locked')
      return all()
    }
    s.start()
    clock.advanceBy(0)
    expect(readLog()).toMatch(
      /\[error\]\s+the scheduler could not look at the schedules: database is locked/,
    )
    clock.advanceBy(HOUR)
    expect(runs.startsOf(hourly)).toHaveLength(1)
  })
})
