// The core every entry point shares (desktop app, CLI, browser mode): the database, the
// provider store, the run manager and the handler table.
import type { Database } from 'better-sqlite3'
import type { EventName, SkwirlEvents } from '../../shared/api'
import { DEFAULT_LIMITS, type RunnerLimits } from '../../shared/runner-protocol'
import { openDatabase } from './database'
import { createHandlers, type ApiHandlers } from './handlers'
import type { Logger } from './logger'
import { ProviderStore } from './provider-store'
import { RunManager } from './run-manager'
import type { RunnerLauncher } from './runner-process'

export interface CoreOptions {
  dataDir: string
  resourcesDir: string
  logger: Logger
  launchRunner: RunnerLauncher
  limits?: Partial<RunnerLimits>
  /** Where main's events go (the window, the browser sockets). */
  emit?: <E extends EventName>(event: E, payload: SkwirlEvents[E]) => void
}

export interface SkwirlCore {
  db: Database
  providers: ProviderStore
  runs: RunManager
  handlers: ApiHandlers
  logger: Logger
  /** Cancels running runs, then closes the database. */
  close(): Promise<void>
}

export function createCore(options: CoreOptions): SkwirlCore {
  const db = openDatabase(options.dataDir)
  const providers = new ProviderStore(db)
  providers.seedDefaults(options.resourcesDir)
  const runs = new RunManager({
    launch: options.launchRunner,
    logger: options.logger,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    onUpdate: (state) => options.emit?.('run:update', state),
  })
  return {
    db,
    providers,
    runs,
    handlers: createHandlers({ providers, runs }),
    logger: options.logger,
    close: async () => {
      await runs.cancelAll()
      db.close()
    },
  }
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
