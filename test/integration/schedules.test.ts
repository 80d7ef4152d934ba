// Schedules through the core as the app and `serve` use it: the API's schedule and settings
// methods over a real database, last good backup from real run records, and a scheduled run in a
// real runner ending in a notification (or not, with notifications off).
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { EventName, RunNotice, RunState, SkwirlEvents } from '../../src/shared/api'
import { dispatch } from '../../src/main/core/handlers'
import { createLogger } from '../../src/main/core/logger'
import { currentOwner } from '../../src/main/core/process-owner'
import { childProcessLauncher } from '../../src/main/core/runner-process'
import { RunStore } from '../../src/main/core/run-store'
import type { Clock } from '../../src/main/core/scheduler'
import { createCore, type SkwirlCore } from '../../src/main/core/skwirl-core'
import { makeDataDir, RESOURCES_DIR, RUNNER_SCRIPT } from '../support/fixtures'

const HOUR = 3_600_000
const NOW = Date.parse('2025-06-15T10:00:00.000Z')

interface Harness {
  core: SkwirlCore
  events: Array<{ event: EventName; payload: unknown }>
  clock: Clock & { time: number }
  logFile: string
}

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function harness(options: { logLevelOverride?: 'debug' | null } = {}): Harness {
  const data = makeDataDir()
  const events: Harness['events'] = []
  // A clock that stands still unless the test moves it; its timers never fire by themselves.
  const clock = { time: NOW, now: () => clock.time, setTimer: () => () => undefined }
  const logger = createLogger({ dataDir: data.dir, console: false })
  const core = createCore({
    dataDir: data.dir,
    resourcesDir: RESOURCES_DIR,
    logger,
    launchRunner: childProcessLauncher(RUNNER_SCRIPT),
    emit: <E extends EventName>(event: E, payload: SkwirlEvents[E]) =>
      events.push({ event, payload }),
    clock,
    timeZone: 'Europe/Berlin',
    logLevelOverride: options.logLevelOverride ?? null,
  })
  cleanups.push(() => data.remove())
  cleanups.push(() => core.close())
  return { core, events, clock, logFile: logger.file }
}

async function call(h: Harness, method: string, ...args: unknown[]) {
  return dispatch(h.core.handlers, method, args, h.core.logger)
}

/** A schedule is one of the provider's options: set through setProviderOptions. */
async function setSchedule(h: Harness, providerId: string, schedule: unknown) {
  return call(h, 'setProviderOptions', providerId, { schedule })
}

/** The provider's status as listBackupStatus answers it. */
async function statusOf(h: Harness, providerId: string) {
  const overview = await h.core.handlers.listBackupStatus()
  return overview.providers.find((p) => p.providerId === providerId)
}

/** Records a finished run as the run manager would, started `startedAt`, lasting a minute. */
function recordRun(
  core: SkwirlCore,
  providerId: string,
  startedAt: number,
  changes: Partial<RunState>,
): void {
  const state: RunState = {
    runId: `run-${startedAt}-${Math.random().toString(36).slice(2)}`,
    providerId,
    providerName: 'x',
    status: 'running',
    phase: 'starting',
    reason: null,
    failure: null,
    startedAt: new Date(startedAt).toISOString(),
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
  const recorder = core.runRecords.begin(
    state,
    currentOwner(),
    () => state,
    (error) => {
      throw error
    },
  )
  Object.assign(
    state,
    { status: 'completed', finishedAt: new Date(startedAt + 60_000).toISOString() },
    changes,
  )
  recorder.finish()
}

describe('schedules through the API', () => {
  it('sets, shows and clears a schedule; the next run is in the schedule’s zone', async () => {
    const h = harness()
    const [drive] = h.core.providers.list()
    const set = await setSchedule(h, drive!.id, { kind: 'daily', time: '02:30' })
    expect(set).toEqual({
      ok: true,
      value: {
        destination: null,
        retentionDays: 30,
        transfers: 1,
        schedule: { kind: 'daily', time: '02:30' },
      },
    })
    expect(await statusOf(h, drive!.id)).toEqual({
      providerId: drive!.id,
      schedule: { kind: 'daily', time: '02:30' },
      nextRunAt: '2025-06-16T00:30:00.000Z', // 02:30 CEST tomorrow
      lastGoodBackupAt: null,
      overdue: false,
    })
    expect(h.core.options.get(drive!.id).schedule).toEqual({ kind: 'daily', time: '02:30' })
    expect(h.events.map((e) => e.event)).toContain('backup-status:changed')
    const overview = await call(h, 'listBackupStatus')
    expect(overview).toMatchObject({
      ok: true,
      value: { timeZone: 'Europe/Berlin', hourMs: HOUR, providers: [{ providerId: drive!.id }] },
    })
    const off = await setSchedule(h, drive!.id, { kind: 'off' })
    expect(off).toMatchObject({ ok: true, value: { schedule: { kind: 'off' } } })
    expect(await statusOf(h, drive!.id)).toMatchObject({ nextRunAt: null })
  })

  it.each([
    [{ kind: 'hourly' }, /kind is off, interval, daily or weekly/],
    [{ kind: 'interval', hours: 0 }, /hours between runs must be a whole number from 1 to 168/],
    [{ kind: 'daily', time: '25:00' }, /24-hour time/],
    [{ kind: 'daily', time: '02:30', weekday: 1 }, /unknown field "weekday"/],
    ['daily 02:30', /must be an object with a kind/],
  ])('refuses the schedule %j', async (schedule, why) => {
    const h = harness()
    const [drive] = h.core.providers.list()
    const answer = await call(h, 'setProviderOptions', drive!.id, { retentionDays: 3, schedule })
    expect(answer).toEqual({
      ok: false,
      error: { code: 'invalid-argument', message: expect.stringMatching(why) },
    })
    expect(h.core.schedules.all()).toEqual([])
    expect(h.core.options.get(drive!.id).retentionDays).toBe(30)
  })

  it('answers not-found for a provider that is not there, and forgets a deleted provider’s schedule', async () => {
    const h = harness()
    expect(await setSchedule(h, 'nope', { kind: 'interval', hours: 2 })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    })
    const [drive] = h.core.providers.list()
    await setSchedule(h, drive!.id, { kind: 'interval', hours: 2 })
    expect(h.core.schedules.all()).toHaveLength(1)
    await call(h, 'deleteProvider', drive!.id)
    expect(h.core.schedules.all()).toEqual([])
  })

  it('setting the schedule a provider already has does not move its next run', async () => {
    const h = harness()
    const [drive] = h.core.providers.list()
    await setSchedule(h, drive!.id, { kind: 'interval', hours: 6 })
    h.clock.time += 2 * HOUR
    await setSchedule(h, drive!.id, { kind: 'interval', hours: 6 })
    expect(await statusOf(h, drive!.id)).toMatchObject({
      nextRunAt: new Date(NOW + 6 * HOUR).toISOString(),
    })
    // Another option changed alone leaves the schedule alone.
    await call(h, 'setProviderOptions', drive!.id, { retentionDays: 7 })
    expect(await statusOf(h, drive!.id)).toMatchObject({
      nextRunAt: new Date(NOW + 6 * HOUR).toISOString(),
    })
    await setSchedule(h, drive!.id, { kind: 'interval', hours: 12 })
    expect(await statusOf(h, drive!.id)).toMatchObject({
      nextRunAt: new Date(NOW + 14 * HOUR).toISOString(),
    })
  })
})

describe('last good backup', () => {
  it('is the newest run that completed with no failed file, and flags an overdue provider', async () => {
    const h = harness()
    const [drive] = h.core.providers.list()
    const id = drive!.id
    await setSchedule(h, id, { kind: 'daily', time: '02:30' })
    recordRun(h.core, id, NOW - 100 * HOUR, { downloaded: 5 }) // good
    recordRun(h.core, id, NOW - 60 * HOUR, { downloaded: 4, failed: 1 }) // completed with a failure
    recordRun(h.core, id, NOW - 30 * HOUR, { status: 'failed', reason: 'error' })
    recordRun(h.core, id, NOW - 20 * HOUR, { status: 'cancelled', reason: 'stopped' })
    const status = (await h.core.handlers.listBackupStatus()).providers[0]!
    expect(status.lastGoodBackupAt).toBe(new Date(NOW - 100 * HOUR + 60_000).toISOString())
    expect(status.overdue).toBe(true) // 100 h > twice a day

    recordRun(h.core, id, NOW - 10 * HOUR, { downloaded: 5 })
    const after = (await h.core.handlers.listBackupStatus()).providers[0]!
    expect(after).toMatchObject({
      lastGoodBackupAt: new Date(NOW - 10 * HOUR + 60_000).toISOString(),
      overdue: false,
    })
  })

  it('survives the pruning of old runs', () => {
    const h = harness()
    const [drive] = h.core.providers.list()
    const store = new RunStore(h.core.db, { historyMax: 3, fileListsKept: 1 })
    const good = { ...h.core, runRecords: store }
    recordRun(good, drive!.id, NOW - 50 * HOUR, { downloaded: 1 })
    for (let i = 0; i < 5; i++)
      recordRun(good, drive!.id, NOW - (40 - i) * HOUR, { status: 'failed', reason: 'error' })
    expect(store.history(drive!.id)).toHaveLength(3)
    expect(store.lastGoodPerProvider().get(drive!.id)).toBe(
      new Date(NOW - 50 * HOUR + 60_000).toISOString(),
    )
  })
})

describe('app settings', () => {
  it('start at their defaults, change one at a time, and say what is wrong', async () => {
    const h = harness()
    expect(await call(h, 'getAppSettings')).toEqual({
      ok: true,
      value: {
        keepRunningInTray: true,
        openAtLogin: false,
        notifications: true,
        logLevel: 'info',
        logLevelOverride: null,
      },
    })
    const updated = await call(h, 'updateAppSettings', { openAtLogin: true })
    expect(updated).toMatchObject({
      ok: true,
      value: { openAtLogin: true, keepRunningInTray: true },
    })
    expect(h.events.find((e) => e.event === 'settings:changed')?.payload).toMatchObject({
      openAtLogin: true,
    })
    expect(await call(h, 'updateAppSettings', { openAtLogin: 'yes' })).toMatchObject({
      ok: false,
      error: { message: 'updateAppSettings: openAtLogin must be true or false, got "yes".' },
    })
    expect(await call(h, 'updateAppSettings', { logLevel: 'trace' })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/logLevel must be one of debug, info, warn, error/) },
    })
    expect(await call(h, 'updateAppSettings', { theme: 'dark' })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/unknown field "theme"/) },
    })
  })

  it('the log level setting takes effect at once, unless this process was given one', async () => {
    const h = harness()
    expect(h.core.logger.level).toBe('info')
    await call(h, 'updateAppSettings', { logLevel: 'debug' })
    expect(h.core.logger.level).toBe('debug')

    const pinned = harness({ logLevelOverride: 'debug' })
    await call(pinned, 'updateAppSettings', { logLevel: 'error' })
    expect(pinned.core.logger.level).toBe('debug')
    expect((await pinned.core.handlers.getAppSettings()).logLevelOverride).toBe('debug')
  })
})

describe('a scheduled run that fails', () => {
  const FAILING = 'function list_file_ids() error("the service is down") end\n'

  async function failScheduledRun(h: Harness): Promise<void> {
    const provider = h.core.providers.create({ name: 'Flaky Cloud', code: FAILING })
    await setSchedule(h, provider.id, { kind: 'interval', hours: 1 })
    h.clock.time += HOUR
    const [slot] = h.core.scheduler.runDue()
    expect(slot).toMatchObject({ status: 'started' })
    await (slot as { done: Promise<unknown> }).done
    await vi.waitFor(() => expect(h.core.runs.list()[0]?.status).toBe('failed'))
  }

  it('brings a notice (what the desktop shows as a notification, the page in browser mode)', async () => {
    const h = harness()
    await failScheduledRun(h)
    await vi.waitFor(() => expect(h.events.some((e) => e.event === 'run:notice')).toBe(true))
    const notice = h.events.find((e) => e.event === 'run:notice')?.payload as RunNotice
    expect(notice).toMatchObject({ kind: 'failed', providerName: 'Flaky Cloud', failed: 0 })
    expect(JSON.stringify(notice)).not.toContain('the service is down')
  })

  it('brings none with notifications off, and says so in the log', async () => {
    const h = harness()
    await call(h, 'updateAppSettings', { notifications: false })
    await failScheduledRun(h)
    await vi.waitFor(() =>
      expect(readFileSync(h.logFile, 'utf8')).toMatch(/no notification \(notifications are off\)/),
    )
    expect(h.events.some((e) => e.event === 'run:notice')).toBe(false)
  })

  it('a run started by hand that fails brings no notice', async () => {
    const h = harness()
    const provider = h.core.providers.create({ name: 'Flaky Cloud', code: FAILING })
    const outcome = await h.core.runs.start(provider).done
    expect(outcome.status).toBe('failed')
    expect(h.events.some((e) => e.event === 'run:notice')).toBe(false)
  })
})
