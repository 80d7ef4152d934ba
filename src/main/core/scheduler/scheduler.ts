// Runs what is due. The desktop app and `skwirl serve` keep one started (it looks again when the
// next run falls due, and at least every recheckMs); `skwirl run --due` asks it once.
//
// Missed runs: a schedule's next run is the first slot after its anchor (when the schedule was
// set, or a run of it was last taken up), so however many slots passed while no Skwirl ran, one
// run is due at the next start, and taking it up moves the anchor to now.
import type { RunState } from '../../../shared/api'
import { HOUR_MS, nextRunAfter, systemTimeZone, type ScheduleClock } from '../../../shared/schedule'
import type { Logger } from '../logger'
import type { RunOutcome } from '../run-manager'
import type { Clock } from './clock'
import type { ScheduleStore, StoredSchedule } from './schedule-store'

/** What the scheduler needs from the rest of the core. */
export interface ScheduledRunHost {
  /** Starts a run of the stored provider; null when the provider no longer exists. */
  start(
    providerId: string,
  ): { runId: string; providerName: string; done: Promise<RunOutcome> } | null
  /** A run of the provider still going, in this process or another live Skwirl; or null. */
  running(providerId: string): RunState | null
  /** When each provider's newest run (scheduled or not) started (ms). */
  lastRunStarts(): Map<string, number>
}

export interface SchedulerOptions {
  clock: Clock
  store: ScheduleStore
  host: ScheduledRunHost
  logger: Logger
  /** The zone daily and weekly times are in; the system's (TZ) by default, read at each look. */
  timeZone?: string
  /** The length of a schedule's hour; a test knob shortens it. */
  hourMs?: number
  /** The longest wait between two looks: another process may change a schedule, a laptop sleeps. */
  recheckMs?: number
  /** Called when a scheduled run ends. */
  onRunEnded?: (outcome: RunOutcome) => void
  /** Called when next runs moved (a due run was taken up). */
  onChanged?: () => void
}

/** What became of one due schedule. */
export type SlotOutcome =
  | { providerId: string; status: 'started'; runId: string; done: Promise<RunOutcome> }
  | { providerId: string; status: 'skipped'; runningRunId: string }
  | { providerId: string; status: 'taken' }
  | { providerId: string; status: 'gone' }

export const RECHECK_MS = 60_000
/** How soon to look again at a run that is due but could not be taken up (never a busy loop). */
const RETRY_MS = 1_000

export class Scheduler {
  private cancelTimer: (() => void) | null = null
  private started = false

  constructor(private readonly options: SchedulerOptions) {}

  get scheduleClock(): ScheduleClock {
    return {
      timeZone: this.options.timeZone ?? systemTimeZone(),
      hourMs: this.options.hourMs ?? HOUR_MS,
    }
  }

  /**
   * When a stored schedule next falls due (ms). Every N hours counts from the newest run of the
   * provider, scheduled or not (a run by hand resets the count); daily and weekly times stay put.
   */
  nextRunAt(stored: StoredSchedule, lastRunStart: number | null = null): number {
    let anchor = Math.max(stored.since, stored.lastSlot ?? -Infinity)
    if (stored.schedule.kind === 'interval' && lastRunStart !== null) {
      anchor = Math.max(anchor, lastRunStart)
    }
    return nextRunAfter(stored.schedule, anchor, this.scheduleClock) as number
  }

  /** Every scheduled provider with its next run (ms). */
  upcoming(): Array<{ stored: StoredSchedule; nextRunAt: number }> {
    const starts = this.options.host.lastRunStarts()
    return this.options.store.all().map((stored) => ({
      stored,
      nextRunAt: this.nextRunAt(stored, starts.get(stored.providerId) ?? null),
    }))
  }

  /** The schedules due now, earliest first. */
  due(): StoredSchedule[] {
    const now = this.options.clock.now()
    return this.upcoming()
      .filter((entry) => entry.nextRunAt <= now)
      .sort((a, b) => a.nextRunAt - b.nextRunAt)
      .map((entry) => entry.stored)
  }

  /** Takes up one due schedule: claims it, then starts its run unless one is still going. */
  takeUp(stored: StoredSchedule): SlotOutcome {
    const { store, host, logger, clock } = this.options
    const providerId = stored.providerId
    if (!store.claim(stored, clock.now())) {
      // Another Skwirl process (the app, `serve`, `run --due`) took it first, or it was changed.
      return { providerId, status: 'taken' }
    }
    this.options.onChanged?.()
    const previous = host.running(providerId)
    if (previous) {
      logger.warn(
        `scheduled run skipped: the previous run (${previous.runId}, started ${previous.startedAt}) is still going`,
        { provider: previous.providerName },
      )
      return { providerId, status: 'skipped', runningRunId: previous.runId }
    }
    const run = host.start(providerId)
    if (!run) return { providerId, status: 'gone' }
    logger.info('scheduled run started', { runId: run.runId, provider: run.providerName })
    void run.done.then((outcome) => this.options.onRunEnded?.(outcome))
    return { providerId, status: 'started', runId: run.runId, done: run.done }
  }

  /** Takes up everything due now (the app and `serve`: runs of different providers go side by side). */
  runDue(): SlotOutcome[] {
    return this.due().map((stored) => this.takeUp(stored))
  }

  /** Looks now, then whenever the next run falls due (and at least every recheckMs). */
  start(firstLookAfterMs = 0): void {
    if (this.started) return
    this.started = true
    this.arm(firstLookAfterMs)
  }

  stop(): void {
    this.started = false
    this.cancelTimer?.()
    this.cancelTimer = null
  }

  /** A schedule changed: look again now (a new schedule may be due at once, or sooner). */
  changed(): void {
    if (this.started) this.arm(0)
  }

  private arm(ms: number): void {
    this.cancelTimer?.()
    this.cancelTimer = this.options.clock.setTimer(Math.max(0, ms), () => this.look())
  }

  private look(): void {
    this.cancelTimer = null
    if (!this.started) return
    const { clock, logger } = this.options
    let wait = this.options.recheckMs ?? RECHECK_MS
    try {
      this.runDue()
      const now = clock.now()
      for (const { nextRunAt } of this.upcoming()) {
        wait = Math.min(wait, nextRunAt <= now ? RETRY_MS : nextRunAt - now)
      }
    } catch (error) {
      // A busy or broken database now must not end the schedules for good: look again later.
      logger.error(
        `the scheduler could not look at the schedules: ${error instanceof Error ? error.message : String(error)}`,
      )
    }
    if (this.started) this.arm(wait)
  }
}
