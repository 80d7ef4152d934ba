// The core every entry point shares (desktop app, CLI, browser mode): the database, the
// provider store, the run manager and the handler table.
import type { Database } from 'better-sqlite3'
import type { EventName, SkwirlEvents } from '../../shared/api'
import { DEFAULT_LIMITS, type RunnerLimits } from '../../shared/runner-protocol'
import { openDatabase } from './database'
import { createHandlers, type ApiHandlers } from './handlers'
import type { Logger } from './logger'
import type { FileDialogs } from './provider-files'
import { ProviderStorage } from './provider-storage'
import { ProviderStore } from './provider-store'
import { RunManager } from './run-manager'
import { RunStore } from './run-store'
import type { RunnerLauncher } from './runner-process'

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
}

export interface SkwirlCore {
  db: Database
  providers: ProviderStore
  /** skwirl.storage's data, per provider. */
  storage: ProviderStorage
  runs: RunManager
  /** The run records (the same the RunManager writes). */
  runRecords: RunStore
  handlers: ApiHandlers
  logger: Logger
  /** Cancels running runs, then closes the database. */
  close(): Promise<void>
}

export function createCore(options: CoreOptions): SkwirlCore {
  const db = openDatabase(options.dataDir)
  const providers = new ProviderStore(db)
  providers.seedDefaults(options.resourcesDir)
  const storage = new ProviderStorage(db)
  const runRecords = new RunStore(db)
  // Runs a crashed Skwirl (app or CLI) left 'running' end here; a live process's runs go on.
  for (const run of runRecords.recoverInterrupted()) {
    options.logger.warn(
      `run marked failed (interrupted): the Skwirl process running it (pid ${run.ownerPid}) ended before it did`,
      { runId: run.runId, provider: run.providerName },
    )
  }
  const runs = new RunManager({
    launch: options.launchRunner,
    logger: options.logger,
    storage,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    onUpdate: (state) => options.emit?.('run:update', state),
    store: options.recordRuns === false ? null : runRecords,
  })
  return {
    db,
    providers,
    storage,
    runs,
    runRecords,
    handlers: createHandlers({
      providers,
      runs,
      dialogs: options.dialogs,
      logFile: options.logger.file,
      openPath: options.openPath,
      onProvidersChanged: () => options.emit?.('providers:changed', {}),
    }),
    logger: options.logger,
    close: async () => {
      await runs.cancelAll()
      db.close()
    },
  }
}

/**
 * A benchmark's knob, never a setting: SKWIRL_BENCH_NO_RECORDING=1 runs without recording, to
 * measure what recording costs (bench/recording-overhead.mjs).
 */
export function recordRunsFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.SKWIRL_BENCH_NO_RECORDING !== '1'
}

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
  }
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined))
}
