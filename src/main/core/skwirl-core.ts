// The core every entry point shares (desktop app, CLI, browser mode): the database, the
// provider store, the run manager and the handler table.
import type { Database } from 'better-sqlite3'
import type {
  ProviderOptions,
  ProviderOptionsPatch,
  AppSettings,
  AppSettingsView,
  BackupOverview,
  EventName,
  LogLevel,
  RunState,
  SkwirlEvents,
} from '../../shared/api'
import { DEFAULT_LIMITS, type RunnerLimits } from '../../shared/runner-protocol'
import { formatScheduleSpec } from '../../shared/schedule'
import { AppSettingsStore } from './app-settings'
import type { SettingReader } from './aws'
import { SignIns } from './auth'
import { openDatabase } from './database'
import { BackupChecks, type WriteChunk } from './destination'
import { createHandlers, type ApiHandlers } from './handlers'
import type { HttpTiming } from './http'
import { OpenedFiles } from './opened-files'
import type { Logger } from './logger'
import type { Redactor } from './redaction'
import type { FileDialogs } from './provider-files'
import { ProviderOptionsStore } from './provider-options'
import { ProviderStorage } from './provider-storage'
import { providerTemplates } from './provider-templates'
import { ProviderStore } from './provider-store'
import { RunManager } from './run-manager'
import { RunStore } from './run-store'
import { startTest, type TestHandle, type TestOptions, type TestTarget } from './test-run'
import type { RunnerLauncher } from './runner-process'
import {
  backupOverview,
  noticeFor,
  ScheduleStore,
  Scheduler,
  systemClock,
  type Clock,
} from './scheduler'
import {
  keyFileProtector,
  keyringProtector,
  SecretVault,
  type KeyProtector,
  type SecretStore,
} from './secrets'
import { Declarations, ProviderSettings } from './settings'
import { spareRunners } from './spare-runner'

export interface CoreOptions {
  dataDir: string
  resourcesDir: string
  logger: Logger
  launchRunner: RunnerLauncher
  limits?: Partial<RunnerLimits>
  /** Where main's events go (the window, the browser sockets). */
  emit?: <E extends EventName>(event: E, payload: SkwirlEvents[E]) => void
  /** The system's file dialogs, lent by the Electron shell; absent in the CLI and browser mode. */
  dialogs?: FileDialogs
  /** Opens a file with the system's app for it (true when it did), lent by the Electron shell. */
  openPath?: (path: string) => Promise<boolean>
  /** Records runs in the database (the default); off only to measure what recording costs. */
  recordRuns?: boolean
  /** The scheduler's clock (the system's by default; tests pass their own). */
  clock?: Clock
  /** The zone of daily and weekly schedules (the system's, TZ, by default). */
  timeZone?: string
  /** The length of a schedule's hour: a test knob (SKWIRL_TEST_HOUR_MS), never a setting. */
  scheduleHourMs?: number
  /** A log level for this process (--log-level, SKWIRL_LOG_LEVEL) over the app's setting. */
  logLevelOverride?: LogLevel | null
  /** Each provider's settings as main reads them (secret ones included); none when absent. */
  settingsFor?: (providerId: string) => SettingReader
  /** Tests only: how destinations write each chunk (a disk that fails on cue). */
  writeChunk?: WriteChunk
  /**
   * What keeps the key of the secrets, strongest first: the desktop shell puts Electron's
   * safeStorage first; by default the OS keyring, then a key file only the user can read.
   */
  keyProtectors?: KeyProtector[]
  /** Opens a URL in the system browser (the desktop shell); browser mode opens a tab itself. */
  openExternal?: (url: string) => Promise<boolean>
  /** How long a sign-in waits for the browser (10 minutes by default). */
  signInTimeoutMs?: number
  /** Shorter retry waits than a real service needs: tests and benchmarks only. */
  httpTiming?: HttpTiming
  /**
   * Keep a runner started ahead of the next run (spare-runner.ts): the desktop app, idle most of
   * the time, so Execute does not wait for a process to start. Off by default (the CLI runs
   * once and exits; tests start many cores).
   */
  spareRunner?: boolean
}

export interface SkwirlCore {
  db: Database
  providers: ProviderStore
  /** skwirl.storage's data, per provider. */
  storage: ProviderStorage
  /** Each provider's host options (destination, retention, schedule); set them with setOptions. */
  options: ProviderOptionsStore
  /** Checks of backup folders against their manifests (the app's "Check backup"). */
  checks: BackupChecks
  runs: RunManager
  /** The run records (the same the RunManager writes). */
  runRecords: RunStore
  secrets: SecretStore
  /** Provider settings: declared in the provider's Lua, set by the person. */
  providerSettings: ProviderSettings
  signIns: SignIns
  handlers: ApiHandlers
  /** .lua files opened with Skwirl, waiting for the window (the desktop shell adds them). */
  openedFiles: OpenedFiles
  logger: Logger
  schedules: ScheduleStore
  /** Not looking until an entry point (the app, `serve`) starts it; `run --due` asks it once. */
  scheduler: Scheduler
  settings: AppSettingsStore
  /** Every stored provider's schedule, next run and last good backup. */
  backupOverview(): BackupOverview
  /** Tries a provider's text as a dry run (the editor's Test, `skwirl test`); nothing is kept. */
  test(target: TestTarget, options?: TestOptions): TestHandle
  /**
   * Changes some of a stored provider's options (the API, the CLI): a new schedule is looked at
   * by the scheduler at once. `base` resolves a relative destination (the CLI's directory).
   */
  setOptions(
    providerId: string,
    patch: ProviderOptionsPatch,
    base?: string | null,
  ): ProviderOptions & { created: boolean }
  settingsView(): AppSettingsView
  updateSettings(changes: Partial<AppSettings>): AppSettingsView
  /** Marks failed (interrupted) the runs of Skwirl processes that are gone, and logs them. */
  recoverInterruptedRuns(): void
  /** The process's redactor (the logger's): register secret values here, or on a run's child. */
  redactor: Redactor
  /** Resolves once the spare runner (spareRunner) is ready, at once without one. */
  spareRunnerReady(): Promise<void>
  /** Stops the scheduler, cancels running runs, then closes the database. */
  close(): Promise<void>
}

export function createCore(options: CoreOptions): SkwirlCore {
  const db = openDatabase(options.dataDir)
  const providers = new ProviderStore(db)
  providers.seedDefaults(options.resourcesDir)
  const storage = new ProviderStorage(db)
  const schedules = new ScheduleStore(db)
  const providerOptions = new ProviderOptionsStore(db, schedules)
  const checks = new BackupChecks(
    (state) => options.emit?.('backup-check:update', state),
    options.logger,
  )
  const runRecords = new RunStore(db)
  const settings = new AppSettingsStore(db)
  const { logger } = options
  const override = options.logLevelOverride ?? null
  logger.setLevel(override ?? settings.get().logLevel)
  const emit = <E extends EventName>(event: E, payload: SkwirlEvents[E]): void =>
    options.emit?.(event, payload)
  const backupStatusChanged = (): void => emit('backup-status:changed', {})

  // Runs a crashed Skwirl (app or CLI) left 'running' end here; a live process's runs go on.
  const recoverInterruptedRuns = (): void => {
    for (const run of runRecords.recoverInterrupted()) {
      logger.warn(
        `run marked failed (interrupted): the Skwirl process running it (pid ${run.ownerPid}) ended before it did`,
        { runId: run.runId, provider: run.providerName },
      )
    }
  }
  recoverInterruptedRuns()
  const limits = { ...DEFAULT_LIMITS, ...options.limits }
  const spares = options.spareRunner
    ? spareRunners(options.launchRunner, { memoryMb: limits.memoryMb })
    : null
  const launchRunner = spares?.launch ?? options.launchRunner
  const secrets = new SecretVault(
    db,
    options.keyProtectors ?? [keyringProtector(), keyFileProtector(options.dataDir)],
  )
  const providerSettings = new ProviderSettings(
    db,
    secrets,
    new Declarations(db, launchRunner, limits),
  )
  const providerSettingsChanged = (providerId: string): void => {
    emit('provider-settings:changed', { providerId })
    emit('providers:changed', {})
  }
  const signIns = new SignIns({
    db,
    secrets,
    settings: providerSettings,
    logger,
    timeoutMs: options.signInTimeoutMs,
    onChange: providerSettingsChanged,
    onFinished: (providerId, ok, message) => emit('sign-in:finished', { providerId, ok, message }),
  })
  const runs = new RunManager({
    launch: launchRunner,
    logger,
    redactor: logger.redactor,
    storage,
    limits,
    onUpdate: (state) => {
      emit('run:update', state)
      // A run that ended may be the new last good backup.
      if (state.status !== 'running') backupStatusChanged()
    },
    store: options.recordRuns === false ? null : runRecords,
    settingsFor: options.settingsFor,
    writeChunk: options.writeChunk,
    settings: providerSettings,
    signIns,
    ...(options.httpTiming ? { httpTiming: options.httpTiming } : {}),
  })
  const clock = options.clock ?? systemClock
  const scheduler = new Scheduler({
    clock,
    store: schedules,
    logger,
    timeZone: options.timeZone,
    hourMs: options.scheduleHourMs,
    host: {
      start: (providerId) => {
        const provider = providers.find(providerId)
        if (!provider) return null
        // Into its destination, as Execute does.
        const run = runs.start(provider, providerOptions.runOptions(providerId))
        return { ...run, providerName: provider.name }
      },
      running: (providerId) => {
        const mine = runs.list().find((r) => r.providerId === providerId && r.status === 'running')
        if (mine) return mine
        // Another process's run counts only while that process lives.
        recoverInterruptedRuns()
        return runRecords.running(providerId)[0] ?? null
      },
      lastRunStarts: () =>
        new Map(
          [...runRecords.lastStartPerProvider()].map(([id, at]) => [id, Date.parse(at)] as const),
        ),
    },
    onChanged: backupStatusChanged,
    onRunEnded: (outcome: RunState) => {
      const notice = noticeFor(outcome, clock.now())
      if (!notice) return
      if (!settings.get().notifications) {
        logger.info(`no notification (notifications are off): scheduled run ${outcome.status}`, {
          runId: outcome.runId,
          provider: outcome.providerName,
        })
        return
      }
      emit('run:notice', notice)
    },
  })

  const overview = (): BackupOverview =>
    backupOverview({
      providerIds: providers.list().map((p) => p.id),
      scheduler,
      runRecords,
      clock,
    })
  const settingsView = (): AppSettingsView => ({ ...settings.get(), logLevelOverride: override })
  const setOptions = (
    providerId: string,
    patch: ProviderOptionsPatch,
    base: string | null = null,
  ): ProviderOptions & { created: boolean } => {
    const provider = providers.get(providerId) // not-found for a provider that is not stored
    const { scheduleChanged, ...set } = providerOptions.set(providerId, patch, base, clock.now())
    if (scheduleChanged) {
      logger.info(`schedule set: ${formatScheduleSpec(set.schedule)}`, { provider: provider.name })
      scheduler.changed()
      backupStatusChanged()
    }
    return set
  }
  const updateSettings = (changes: Partial<AppSettings>): AppSettingsView => {
    const updated = settings.update(changes)
    if (override === null) logger.setLevel(updated.logLevel)
    const view = settingsView()
    emit('settings:changed', view)
    return view
  }

  const tests = new Set<TestHandle>()
  const test = (target: TestTarget, testOptions: TestOptions = {}): TestHandle => {
    const handle = startTest(target, testOptions, {
      launch: launchRunner,
      redactor: logger.redactor,
      limits,
      storage,
      settings: providerSettings,
      signIns,
      settingsFor: options.settingsFor,
    })
    tests.add(handle)
    void handle.done.finally(() => tests.delete(handle))
    return handle
  }

  const openedFiles = new OpenedFiles()
  return {
    db,
    providers,
    storage,
    options: providerOptions,
    checks,
    runs,
    runRecords,
    secrets,
    providerSettings,
    signIns,
    handlers: createHandlers({
      providers,
      options: providerOptions,
      runs,
      checks,
      dialogs: options.dialogs,
      logFile: logger.file,
      openPath: options.openPath,
      onProvidersChanged: () => emit('providers:changed', {}),
      templates: providerTemplates(options.resourcesDir),
      backupOverview: overview,
      test,
      setOptions,
      settings: { get: settingsView, update: updateSettings },
      openedFiles,
      providerSettings,
      signIns,
      secrets,
      openExternal: options.openExternal,
      onProviderSettingsChanged: (providerId) => emit('provider-settings:changed', { providerId }),
    }),
    openedFiles,
    logger,
    redactor: logger.redactor,
    schedules,
    scheduler,
    settings,
    backupOverview: overview,
    test,
    setOptions,
    settingsView,
    updateSettings,
    recoverInterruptedRuns,
    spareRunnerReady: () => spares?.ready() ?? Promise.resolve(),
    close: async () => {
      spares?.close()
      scheduler.stop()
      for (const handle of tests) handle.stop()
      await Promise.all([runs.cancelAll(), checks.cancelAll(), ...[...tests].map((t) => t.done)])
      db.close()
    },
  }
}

/**
 * A test knob, never a setting: SKWIRL_TEST_HOUR_MS=1000 makes a schedule's hour last a second,
 * so that an end-to-end test sees "every hour" run twice in two seconds.
 */
export function scheduleHourMsFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = Number(env.SKWIRL_TEST_HOUR_MS)
  return env.SKWIRL_TEST_HOUR_MS && Number.isFinite(value) && value >= 100 ? value : undefined
}

/**
 * A benchmark's knob, never a setting: SKWIRL_BENCH_NO_RECORDING=1 runs without recording, to
 * measure what recording costs (bench/recording-overhead.mjs).
 */
export function recordRunsFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.SKWIRL_BENCH_NO_RECORDING !== '1'
}

export { httpTimingFromEnv } from './http'

/** Test and benchmark knobs: SKWIRL_LIMIT_CPU_MS and friends override the run limits. */
export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<RunnerLimits> {
  const read = (name: string): number | undefined => {
    const value = Number(env[name])
    return env[name] && Number.isFinite(value) && value > 0 ? value : undefined
  }
  const limits: Partial<RunnerLimits> = {
    cpuMs: read('SKWIRL_LIMIT_CPU_MS'),
    watchdogMs: read('SKWIRL_LIMIT_WATCHDOG_MS'),
    memoryMb: read('SKWIRL_LIMIT_MEMORY_MB'),
    httpSilenceMs: read('SKWIRL_LIMIT_HTTP_SILENCE_MS'),
    httpDeadlineMs: read('SKWIRL_LIMIT_HTTP_DEADLINE_MS'),
  }
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined))
}
