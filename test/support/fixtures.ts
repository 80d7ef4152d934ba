// Shared test fixtures: a fresh data directory, the real core with real runner processes, and
// the Google Drive providers (the seed's, with its hard-coded token, and the shipped one, which
// signs in) pointed at the local doubles.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { BackupCheckState, RunState } from '../../src/shared/api'
import type { RunnerLimits } from '../../src/shared/runner-protocol'
import { createLogger, type Logger } from '../../src/main/core/logger'
import type { FileDialogs } from '../../src/main/core/provider-files'
import { childProcessLauncher } from '../../src/main/core/runner-process'
import { keyFileProtector } from '../../src/main/core/secrets'
import { createCore, type CoreOptions, type SkwirlCore } from '../../src/main/core/skwirl-core'

export const REPO_ROOT = resolve(__dirname, '..', '..')
export const RESOURCES_DIR = join(REPO_ROOT, 'resources')
/** Tests fork the built runner: `npm test` builds first (electron-vite build). */
export const RUNNER_SCRIPT = join(REPO_ROOT, 'out', 'main', 'runner.js')
export const GOOGLE_API_BASE = 'https://www.googleapis.com'
/** The seed's Google Drive provider, as first shipped: a token hard-coded in the code. */
export const SEED_GOOGLE_DRIVE = join(
  REPO_ROOT,
  'test',
  'fixtures',
  'providers',
  'google-drive-seed.lua',
)

/** The seed's provider text (the edge-case tests run it as it was written). */
export function googleDriveCode(): string {
  return readFileSync(SEED_GOOGLE_DRIVE, 'utf8')
}

/** The seed's provider with only its base URL changed. */
export function googleDriveCodeFor(baseUrl: string): string {
  return googleDriveCode().replaceAll(GOOGLE_API_BASE, baseUrl)
}

/** The shipped Google Drive provider, which signs in with OAuth. */
export function shippedGoogleDriveCode(): string {
  return readFileSync(join(RESOURCES_DIR, 'providers', 'google-drive.lua'), 'utf8')
}

/** The shipped provider pointed at a Drive double and an OAuth double, nothing else changed. */
export function shippedGoogleDriveCodeFor(
  driveUrl: string,
  oauth: { authorizationUrl: string; tokenUrl: string; revocationUrl: string },
): string {
  return shippedGoogleDriveCode()
    .replaceAll('https://accounts.google.com/o/oauth2/v2/auth', oauth.authorizationUrl)
    .replaceAll('https://oauth2.googleapis.com/token', oauth.tokenUrl)
    .replaceAll('https://oauth2.googleapis.com/revoke', oauth.revocationUrl)
    .replaceAll(`${GOOGLE_API_BASE}/drive`, `${driveUrl}/drive`)
}

/** Tests never touch the machine's keyring: secrets are kept with a key file in the data dir. */
export const TEST_ENV = { SKWIRL_KEYRING: 'off' }

export function makeDataDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'skwirl-test-'))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export interface TestCore extends SkwirlCore {
  dataDir: string
  updates: RunState[]
  /** The backup-check:update events main emitted. */
  checkUpdates: BackupCheckState[]
  /** How many providers:changed events main emitted. */
  providerChanges: number
  readLog(): string
  dispose(): Promise<void>
}

/**
 * Retry waits for tests: the same retries as a real run (5 attempts, backoff with jitter,
 * Retry-After honoured), in milliseconds instead of seconds. A test that is about the waits
 * themselves passes its own.
 */
export const FAST_HTTP_TIMING = { backoffBaseMs: 5, backoffMaxMs: 40, retryAfterMaxMs: 50 }

/** The same as environment variables, for a Skwirl process a test starts (CLI, serve). */
export const FAST_HTTP_ENV = {
  SKWIRL_HTTP_BACKOFF_MS: String(FAST_HTTP_TIMING.backoffBaseMs),
  SKWIRL_HTTP_BACKOFF_MAX_MS: String(FAST_HTTP_TIMING.backoffMaxMs),
  SKWIRL_HTTP_RETRY_AFTER_MAX_MS: String(FAST_HTTP_TIMING.retryAfterMaxMs),
}

export function startTestCore(
  limits: Partial<RunnerLimits> = {},
  logger?: Logger,
  dialogs?: FileDialogs,
  settingsFor?: CoreOptions['settingsFor'],
  more: Partial<CoreOptions> = {},
): TestCore {
  const data = makeDataDir()
  const log = logger ?? createLogger({ dataDir: data.dir, console: false })
  const updates: RunState[] = []
  const checkUpdates: BackupCheckState[] = []
  let providerChanges = 0
  const core = createCore({
    dataDir: data.dir,
    resourcesDir: RESOURCES_DIR,
    logger: log,
    launchRunner: childProcessLauncher(RUNNER_SCRIPT),
    limits,
    emit: (event, payload) => {
      if (event === 'run:update') updates.push(payload as RunState)
      else if (event === 'backup-check:update') checkUpdates.push(payload as BackupCheckState)
      else if (event === 'providers:changed') providerChanges++
    },
    dialogs,
    settingsFor,
    httpTiming: FAST_HTTP_TIMING,
    ...more,
    keyProtectors: [keyFileProtector(data.dir)],
  })
  return {
    ...core,
    get providerChanges() {
      return providerChanges
    },
    dataDir: data.dir,
    updates,
    checkUpdates,
    readLog: () => {
      try {
        return readFileSync(log.file, 'utf8')
      } catch {
        return ''
      }
    },
    dispose: async () => {
      await core.close()
      data.remove()
    },
  }
}
