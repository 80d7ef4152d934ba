import type { Stage } from './runner-protocol'

// The contract between the renderer and main: every call the renderer can make and every event
// main can push. The Electron preload, the browser-mode socket client and main's handler table
// are all typed against these two interfaces.
import type { Schedule } from './schedule'
import type { ProviderDeclaration } from './provider-declaration'

export interface ProviderSummary {
  id: string
  name: string
  createdAt: string
  updatedAt: string
}

/** A provider as the list of cards shows it. */
export interface ProviderListItem extends ProviderSummary {
  /**
   * The provider's sign-in, when its code declares one: 'needed' before the first sign-in, after
   * a sign-out, and once the service refused it. null: no sign-in declared (or not read yet).
   */
  signIn: 'signed-in' | 'needed' | null
  /** Skwirl ships a newer version of this provider's code than the edited one it holds. */
  shippedUpdate: boolean
}

export interface Provider extends ProviderSummary {
  code: string
}

/** What the renderer sends to create a provider. */
export interface ProviderInput {
  name: string
  code: string
}

/** A save from the editor: the whole document, and the version it was based on. */
export interface ProviderUpdate extends ProviderInput {
  /**
   * The updatedAt the editor loaded. When the stored provider has changed since, the save is
   * refused as 'outdated'; null saves regardless (the person chose to overwrite).
   */
  expectedUpdatedAt: string | null
}

/** The three global functions Skwirl calls on a provider, in the order it calls them. */
export const PROVIDER_FUNCTIONS = ['list_file_ids', 'get_file_metadata', 'download_file'] as const
export type ProviderFunction = (typeof PROVIDER_FUNCTIONS)[number]

/** Where Lua's compiler stopped: the line (when it names one) and its message. */
export interface LuaSyntaxError {
  line: number | null
  message: string
}

/** The result of compiling (not running) a provider's code. */
export interface CodeCheck {
  /** null when the code compiles. */
  syntaxError: LuaSyntaxError | null
  /** Provider functions the code does not define as globals: a warning, never a block. */
  missingFunctions: ProviderFunction[]
}

export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled'

/** How far a run got: loading the provider, listing its files, or backing them up one by one. */
export type RunPhase = 'starting' | 'listing' | 'backing-up'

/**
 * Why a run ended as it did when it did not complete: a state for the screen, never an error
 * message (those are in the log). Failed: 'error' (the provider's code failed), 'runner' (its
 * runner crashed, or was stopped for time or memory), 'interrupted' (the Skwirl process running
 * it ended first), 'destination' (its destination folder was missing, read-only or full: the
 * run's `problem` says which), 'sign-in' (the service refused the provider's sign-in: sign in
 * again). Cancelled: 'stopped' (Stop, Ctrl-C), 'closed' (Skwirl was closed).
 */
export type RunEndReason =
  'error' | 'runner' | 'interrupted' | 'destination' | 'sign-in' | 'stopped' | 'closed'

/**
 * Why a failed run failed, as a category the screen may show (never the message itself, which
 * is in the run's log): where it stopped and one line ("HTTP 404 at line 12").
 */
export interface RunFailure {
  stage: Stage
  kind: 'network' | 'sign-in' | 'http' | 'lua' | 'limit' | 'runner'
  /**
   * "Network unreachable", "Sign-in needed (HTTP 401)", "HTTP 404 at line 12", "Lua error at
   * line 3", "Limit hit: CPU time"…
   */
  summary: string
  /** The provider's line the error names, when it names one. */
  line: number | null
  /** The HTTP status, when an HTTP answer ended the run. */
  status: number | null
}

/** What only the process running a run knows about it, while it runs. */
export interface RunLive {
  /** The name of the file being backed up, once its metadata is known. */
  currentFile: string | null
  /** Files done per second lately; null until there is enough to tell. */
  filesPerSecond: number | null
  /** At that pace, the time left; null until there is enough to tell. */
  secondsLeft: number | null
  /**
   * The run waits for the destination, which another run holds: who ("the backup of “Drive”
   * (Skwirl process 4242, since 10:02:11)"); null when it is not waiting.
   */
  waitingFor: string | null
}

/** What the screen may know about a run: counts and states, never error messages. */
export interface RunState {
  runId: string
  providerId: string
  providerName: string
  status: RunStatus
  phase: RunPhase
  /** null while running and for a completed run. */
  reason: RunEndReason | null
  /** For a run that failed because of its provider or runner: where and what kind; else null. */
  failure: RunFailure | null
  startedAt: string
  finishedAt: string | null
  listed: number
  /** Files downloaded and verified (and kept, with a destination). */
  downloaded: number
  /** Files not downloaded because the destination's copy matches (runs with a destination). */
  unchanged: number
  /** Files the provider said are not to be backed up (folders, shortcuts…), each with a reason. */
  skipped: number
  failed: number
  /** Bytes downloaded. */
  bytes: number
  /** The size of the unchanged files: with `bytes`, the size of what the backup holds. */
  unchangedBytes: number
  /** The folder the run kept its files in; null for a check-only run (verified, not kept). */
  destination: string | null
  /**
   * Why the destination stopped the run (reason 'destination'), in Skwirl's own words:
   * "destination full: 12 MB free in /media/usb/backup". Never a provider's text.
   */
  problem: string | null
  /** HTTP requests that were tried again after a transient failure (a 503, a reset, a 429…). */
  retries: number
  /**
   * Present while this Skwirl process runs it; null once it has ended, and for a run that another
   * Skwirl process (the CLI, another window of the app) is running.
   */
  live: RunLive | null
}

/**
 * What became of a file in a run: 'downloaded' (verified, and kept when there is a destination),
 * 'unchanged' (not downloaded: the destination's copy matches), 'failed'.
 */
export type FileOutcome = 'downloaded' | 'unchanged' | 'skipped' | 'failed'

/** One file a run reached, and what became of it (never why: the log says that). */
export interface RunFile {
  /** Its place in the run, from 0: the order in which files were backed up. */
  position: number
  fileId: string
  /** The metadata's fields; null when the metadata could not be read. */
  name: string | null
  path: string | null
  size: number | null
  checksum: string | null
  modifiedTime: string | null
  outcome: FileOutcome
  /** Where a failed file failed; null otherwise. */
  failedAt: 'metadata' | 'download' | null
  /** Why a skipped file is not backed up, in the provider's words (not an error message). */
  skipReason: string | null
  /** A downloaded file's bytes matched the MD5 its metadata gave; null when not downloaded. */
  verified: boolean | null
  bytes: number
}

export type RunFileFilter = 'all' | 'failed' | 'skipped'

export interface RunFilesQuery {
  runId: string
  filter: RunFileFilter
  offset: number
  /** At most RUN_FILES_PAGE_MAX. */
  limit: number
}

export const RUN_FILES_PAGE_MAX = 500

export interface RunFilesPage {
  /** How many files the filter matches in all. */
  total: number
  offset: number
  files: RunFile[]
  /** False for an older run whose file list was let go to save space (its counts remain). */
  kept: boolean
}

/** One line of a run's log, as the run wrote it (secrets masked, long lines cut). */
export interface RunLogLine {
  /** Its place in the run's log, from 0. */
  seq: number
  at: string
  level: LogLevel
  stage: Stage | null
  fileId: string | null
  message: string
  /** The provider's line the message names ("Dropbox:42: …"), when it names one. */
  line: number | null
}

export interface RunLogQuery {
  runId: string
  /** The levels to show; all four for everything. */
  levels: LogLevel[]
  /** Lines whose message or file id holds this text (any case); "" for all. */
  search: string
  /** Only the lines about this file; null for all. */
  fileId: string | null
  offset: number
  /** At most RUN_LOG_PAGE_MAX. */
  limit: number
}

export const RUN_LOG_PAGE_MAX = 500
/** How many lines of one run's log the database keeps (the log file keeps them all). */
export const RUN_LOG_LINES_KEPT = 20_000
export const RUN_LOG_SEARCH_MAX = 200

export interface RunLogPage {
  /** How many lines match the query in all. */
  total: number
  offset: number
  lines: RunLogLine[]
  /** The run's kept lines by level (whatever the query). */
  counts: Record<LogLevel, number>
  /** False for an older run whose log was let go with its file list (the log file has it). */
  kept: boolean
  /** Lines past RUN_LOG_LINES_KEPT that were not kept. */
  dropped: number
}

/** Where the log is, and whether the system opened it (desktop) or the screen should say where. */
export interface LogFileInfo {
  path: string
  opened: boolean
}

/** A provider's schedule and how its backups are going (what its card says about them). */
export interface BackupStatus {
  providerId: string
  schedule: Schedule
  /**
   * When its schedule next runs it; null when not scheduled. A time already past means it is
   * due and runs as soon as a Skwirl that runs schedules (the app, `serve`, `run --due`) looks.
   */
  nextRunAt: string | null
  /** When its newest run that completed with no failed file finished; null when none has. */
  lastGoodBackupAt: string | null
  /** The last good backup (or, never having had one, the schedule) is older than twice its interval. */
  overdue: boolean
}

export interface BackupOverview {
  /** The time zone daily and weekly schedules are kept in (the machine running Skwirl's). */
  timeZone: string
  /** How long a schedule's hour is (3,600,000 but for a test knob). */
  hourMs: number
  providers: BackupStatus[]
}

/**
 * A test of the provider as it is in the editor (issue 14): its unsaved text, run in the same
 * sandbox with the stored provider's settings and sign-in, as a dry run. Nothing is recorded as
 * a run and nothing is written to a destination (nor to skwirl.storage: its writes last for the
 * test only).
 */
export interface TestRequest {
  /** The stored provider whose settings and sign-in the test uses; null for one never saved. */
  providerId: string | null
  name: string
  code: string
  /** list_file_ids runs until this many ids (TEST_LIMIT_DEFAULT), at most TEST_LIMIT_MAX. */
  limit?: number
}

export const TEST_LIMIT_DEFAULT = 20
export const TEST_LIMIT_MAX = 1000
/** get_file_metadata is asked for the first this many ids. */
export const TEST_METADATA_FILES = 3
/** A test stops after this long, whatever it is waiting for. */
export const TEST_DEADLINE_MS = 120_000

/** One line of the test's console, in the order it happened. */
export type TestEntry =
  | {
      kind: 'output'
      /** Milliseconds since the test started. */
      atMs: number
      /** print, the log module, or Skwirl's own word (duplicate ids). */
      source: 'print' | 'log' | 'skwirl'
      level: LogLevel
      /** print's text, or a log line (already "Name:12: …" where the log module says so). */
      text: string
      stage: Stage
      fileId: string | null
      /** The provider's line the text names, or null. */
      line: number | null
    }
  | {
      kind: 'call'
      atMs: number
      /** GET, POST…, "DOWNLOAD" for skwirl.download_url, or storage.get, setting… */
      method: string
      /** The URL with its query, secrets masked; the key for storage and settings. */
      target: string
      /** Each response's status in order (redirects and a 401 renewed show as several); [] none. */
      statuses: number[]
      ms: number
      /** The bytes a download streamed (checked, then let go). */
      bytes: number | null
      /** Why it failed, as the provider's code saw it; null when it answered. */
      error: string | null
      stage: Stage
      fileId: string | null
    }
  | {
      kind: 'listed'
      atMs: number
      count: number
      /** True when the listing was stopped at the test's limit (there may be more). */
      stoppedAtLimit: boolean
      ids: string[]
    }
  | {
      kind: 'metadata'
      atMs: number
      fileId: string
      /** What get_file_metadata returned, as inspect renders it. */
      inspected: string
      /** Why the workflow cannot use it (a missing field…), or null. */
      problem: string | null
    }
  | {
      kind: 'download'
      atMs: number
      fileId: string
      bytes: number
      ok: boolean
    }
  | {
      kind: 'error'
      atMs: number
      stage: Stage
      fileId: string | null
      message: string
      line: number | null
    }

export interface TestReport {
  providerName: string
  status: 'completed' | 'failed'
  /** Why it failed, with the line (null when it completed). */
  failure: RunFailure | null
  limit: number
  durationMs: number
  entries: TestEntry[]
  /** Console lines beyond TEST_ENTRIES_MAX that were left out. */
  omitted: number
}

/** The most lines a test's console keeps. */
export const TEST_ENTRIES_MAX = 2000

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const satisfies readonly LogLevel[]

/** The app's own settings (not a provider's). */
export interface AppSettings {
  /** Desktop: closing the window keeps Skwirl in the tray while a schedule is set. */
  keepRunningInTray: boolean
  /** Desktop: Skwirl starts (in the tray) when the person logs in. */
  openAtLogin: boolean
  /** A notification when a scheduled run fails, completes with failed files or needs sign-in. */
  notifications: boolean
  /** What the log file records; debug lines are off by default. */
  logLevel: LogLevel
}

export const DEFAULT_APP_SETTINGS: AppSettings = {
  keepRunningInTray: true,
  openAtLogin: false,
  notifications: true,
  logLevel: 'info',
}

export interface AppSettingsView extends AppSettings {
  /** A log level set for this process (--log-level, SKWIRL_LOG_LEVEL) wins over the setting. */
  logLevelOverride: LogLevel | null
}

/** Why a scheduled run needs the person: it failed, some files failed, or it needs a sign-in. */
export type RunNoticeKind = 'failed' | 'completed-with-failures' | 'sign-in'

/** What a notification says about a scheduled run (states and counts, never error messages). */
export interface RunNotice {
  kind: RunNoticeKind
  runId: string
  providerId: string
  providerName: string
  failed: number
  at: string
}
/**
 * Per-provider host options: set by the person, not declared in the Lua (the destination and
 * retention, the schedule, the transfers).
 */
export interface ProviderOptions {
  /** The folder runs keep their files in; null: check only (verified, not kept). */
  destination: string | null
  /** Previous versions older than this many days are pruned after a completed run. */
  retentionDays: number
  /**
   * How many files its runs back up at once (metadata, then download, for each): 1 is one file
   * at a time, the default; up to TRANSFERS_MAX.
   */
  transfers: number
  /** When its backups run by themselves (off by default). */
  schedule: Schedule
}

/** A change to some of a provider's options; destination is text as typed (checked by main). */
export type ProviderOptionsPatch = Partial<ProviderOptions>

export const DEFAULT_RETENTION_DAYS = 30
/** A century: "keep forever" in practice. */
export const RETENTION_DAYS_MAX = 36_500

/** One file at a time: the first version's rule, and the default. */
export const DEFAULT_TRANSFERS = 1
/**
 * The most files a run backs up at once. More rarely helps (rclone's default is 4) and a
 * service's rate limits answer it with refusals; each is a coroutine and an open download.
 */
export const TRANSFERS_MAX = 16

/** Why a number of transfers is refused, or null when it is one (1 to TRANSFERS_MAX). */
export function transfersProblem(value: unknown): string | null {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= TRANSFERS_MAX)
    return null
  return `transfers must be a whole number from 1 (one file at a time) to ${TRANSFERS_MAX}, got ${typeof value === 'number' || typeof value === 'string' ? value : typeof value}`
}

export const DEFAULT_PROVIDER_OPTIONS: ProviderOptions = {
  destination: null,
  retentionDays: DEFAULT_RETENTION_DAYS,
  transfers: DEFAULT_TRANSFERS,
  schedule: { kind: 'off' },
}

export interface ExecuteOptions {
  /** Download every file again and compare it with the kept copy ("Verify all", --verify). */
  verifyAll?: boolean
}

/** Where a destination folder is, and whether the system opened it (desktop). */
export interface FolderInfo {
  path: string
  opened: boolean
}

/**
 * A check of a provider's backup folder against its manifest (no network): progress, then what
 * it found. Paths are the backup's own (relative to the folder), never error messages.
 */
export interface BackupCheckState {
  checkId: string
  providerId: string
  dir: string
  status: 'waiting' | 'checking' | 'done' | 'failed'
  /** Who holds the folder while the check waits (as RunLive.waitingFor). */
  waitingFor: string | null
  checked: number
  total: number
  bytes: number
  /** Files missing or different, in all; `problemPaths` lists the first BACKUP_CHECK_LIST_MAX. */
  problems: number
  problemPaths: Array<{ path: string; problem: string }>
  /** Why the check could not run (the folder is missing, not a backup…), in Skwirl's words. */
  error: string | null
  startedAt: string
  finishedAt: string | null
}

export const BACKUP_CHECK_LIST_MAX = 50

/** A .lua file the person opened with Skwirl (desktop): read as a provider, or why it could not be. */
export type OpenedProviderFile =
  | { fileName: string; provider: ProviderInput; error: null }
  | { fileName: string; provider: null; error: string }

/** How secrets are protected where this Skwirl runs (the screen says it beside the settings). */
export interface SecretProtection {
  /**
   * 'system': the key that encrypts them is kept by the OS (Electron safeStorage, the keyring);
   * 'key-file': by a file only the user can read; 'locked': secrets cannot be opened here.
   */
  level: 'system' | 'key-file' | 'locked'
  summary: string
}

/** A provider's sign-in as the screen may know it: states, never tokens. */
export interface SignInState {
  status: 'signed-in' | 'needed'
  /** Why it is needed: never signed in (or signed out), or the service refused the sign-in. */
  reason: 'not-signed-in' | 'refused' | null
  signedInAt: string | null
  /** Where the sign-in happens: the authorization URL's host. */
  host: string
  scopes: string[]
  /** A sign-in started here waits for the browser. */
  pending: boolean
  /** What stops a sign-in from starting (a setting it needs is not set), or null. */
  blocker: string | null
}

/** One setting's value: a secret's is never sent, only whether it is set. */
export interface SettingValue {
  isSet: boolean
  /** The stored value (null when unset); always null for a secret. */
  value: string | null
}

export interface ProviderSettingsView {
  providerId: string
  /** What the code declares; null when it could not be read (declarationError says why). */
  declaration: ProviderDeclaration | null
  declarationError: string | null
  values: Record<string, SettingValue>
  /** null when the code declares no sign-in. */
  signIn: SignInState | null
  protection: SecretProtection
}

/** Settings to change: a value sets it, null clears it (back to its default). */
export type SettingsChanges = Record<string, string | null>

export interface SignInStart {
  /** The authorization URL: the browser goes there. */
  url: string
  /** True when main opened it in the system browser (desktop); otherwise the page opens it. */
  opened: boolean
}

/** A newer version of a shipped provider, for the card's "see the difference". */
export interface ShippedUpdate {
  providerId: string
  current: string
  shipped: string
}

/** A shipped provider offered under "New provider" as a starting point. */
export interface ProviderTemplate {
  id: string
  name: string
  /** One line: what it backs up. */
  description: string
  code: string
}

export interface SkwirlApi {
  listProviders(): Promise<ProviderListItem[]>
  /** The shipped providers the gallery offers as templates (Google Drive, Dropbox, WebDAV, S3). */
  listProviderTemplates(): Promise<ProviderTemplate[]>
  getProvider(id: string): Promise<Provider>
  /** Creates a provider; the name must be free and the code must compile. */
  createProvider(input: ProviderInput): Promise<Provider>
  /** Saves a provider's name and code in one write; the code must compile. */
  updateProvider(id: string, update: ProviderUpdate): Promise<Provider>
  /** Copies a provider's saved code under a free name ("Name copy", "Name copy 2", …). */
  duplicateProvider(id: string): Promise<Provider>
  deleteProvider(id: string): Promise<void>
  /** Compiles the code without running it: what the editor shows as you type. */
  checkProviderCode(input: ProviderInput): Promise<CodeCheck>
  /**
   * Tries the editor's text as a dry run (a few ids, metadata and one download) and answers its
   * console; nothing is recorded as a run or kept.
   */
  testProvider(request: TestRequest): Promise<TestReport>
  /** Desktop only: asks for a .lua file with the system dialog; null when cancelled. */
  importProviderFile(): Promise<ProviderInput | null>
  /** Desktop only: saves the provider's code where the system dialog says; null when cancelled. */
  exportProviderFile(id: string): Promise<{ path: string } | null>
  /** The .lua files opened with Skwirl since the last call, oldest first (each handed out once). */
  takeOpenedProviderFiles(): Promise<OpenedProviderFile[]>
  /**
   * Starts a run in the background and answers at once: into the provider's destination when it
   * has one, check only otherwise.
   */
  execute(providerId: string, options?: ExecuteOptions): Promise<{ runId: string }>
  /** The newest recorded run of each provider and every run this process is running. */
  listRuns(): Promise<RunState[]>
  /** A provider's recorded runs, newest first (the newest RUN_HISTORY_MAX). */
  listProviderRuns(providerId: string): Promise<RunState[]>
  /** A page of the files a recorded run reached, in the order it reached them. */
  listRunFiles(query: RunFilesQuery): Promise<RunFilesPage>
  /** A page of a recorded run's log lines, filtered by level, text and file. */
  listRunLog(query: RunLogQuery): Promise<RunLogPage>
  /** Stops a run this process is running: its runner ends at once and it is recorded cancelled. */
  cancelRun(runId: string): Promise<void>
  /** Opens the log file with the system (desktop); in browser mode, answers where it is. */
  openLogFile(): Promise<LogFileInfo>
  /** Every provider's schedule, next run and last good backup. */
  listBackupStatus(): Promise<BackupOverview>
  getAppSettings(): Promise<AppSettingsView>
  /** Changes the given settings, keeps the others. */
  updateAppSettings(changes: Partial<AppSettings>): Promise<AppSettingsView>
  /** Every provider's host options, by provider id (defaults for a provider never set). */
  listProviderOptions(): Promise<Record<string, ProviderOptions>>
  /**
   * Changes some of a provider's options. A destination must be a folder's full path; a folder
   * that does not exist yet is created. null clears it (check only).
   */
  setProviderOptions(providerId: string, patch: ProviderOptionsPatch): Promise<ProviderOptions>
  /** Desktop only: asks for a folder with the system dialog; null when cancelled. */
  chooseDestinationFolder(): Promise<string | null>
  /** Opens the provider's destination with the system (desktop); in browser mode, answers where. */
  openDestinationFolder(providerId: string): Promise<FolderInfo>
  /** Starts checking the provider's backup folder against its manifest; progress as events. */
  checkBackup(providerId: string): Promise<{ checkId: string }>
  /** The provider's declared settings, their values (secrets only as set or not) and sign-in. */
  getProviderSettings(id: string): Promise<ProviderSettingsView>
  /** Sets and clears settings in one write; each value is checked against the declaration. */
  updateProviderSettings(id: string, changes: SettingsChanges): Promise<ProviderSettingsView>
  /** Starts the provider's OAuth sign-in; 'provider-settings:changed' and 'sign-in:finished' follow. */
  startSignIn(id: string): Promise<SignInStart>
  /** Stops a sign-in that waits for the browser. */
  cancelSignIn(id: string): Promise<void>
  /** Forgets the provider's tokens (and revokes them where the provider declares how). */
  signOut(id: string): Promise<void>
  /** The provider's code beside the newer shipped version. */
  getShippedUpdate(id: string): Promise<ShippedUpdate>
  /** Replaces the provider's code with the shipped version (its settings and sign-in stay). */
  applyShippedUpdate(id: string): Promise<Provider>
  /** Keeps the provider's code and stops offering this shipped version. */
  dismissShippedUpdate(id: string): Promise<void>
}

/** How many runs of each provider the history keeps (their files: RUN_FILE_LISTS_KEPT). */
export const RUN_HISTORY_MAX = 200
/** How many of each provider's newest runs keep their list of files. */
export const RUN_FILE_LISTS_KEPT = 10

/** Main's providers changed (from any window or tab): the renderer reloads its list. */
export type ProvidersChanged = Record<string, never>

/** A .lua file was opened with Skwirl: the renderer takes it (takeOpenedProviderFiles). */
export type ProviderFilesOpened = Record<string, never>

/** A provider's settings or sign-in changed: a form showing them reloads. */
export interface ProviderSettingsChanged {
  providerId: string
}

/** A sign-in ended: signed in, or why not (a message for the person, never a secret). */
export interface SignInFinished {
  providerId: string
  ok: boolean
  message: string | null
}

export interface SkwirlEvents {
  'run:update': RunState
  'providers:changed': ProvidersChanged
  /** A schedule, a next run or a last good backup changed: listBackupStatus again. */
  'backup-status:changed': Record<string, never>
  'settings:changed': AppSettingsView
  /** A scheduled run needs the person (only while notifications are on). */
  'run:notice': RunNotice
  'backup-check:update': BackupCheckState
  'providers:files-opened': ProviderFilesOpened
  'provider-settings:changed': ProviderSettingsChanged
  'sign-in:finished': SignInFinished
}

export type ApiMethod = keyof SkwirlApi
export type EventName = keyof SkwirlEvents

export const API_METHODS = [
  'listProviders',
  'listProviderTemplates',
  'getProvider',
  'createProvider',
  'updateProvider',
  'duplicateProvider',
  'deleteProvider',
  'checkProviderCode',
  'testProvider',
  'importProviderFile',
  'exportProviderFile',
  'takeOpenedProviderFiles',
  'execute',
  'listRuns',
  'listProviderRuns',
  'listRunFiles',
  'listRunLog',
  'cancelRun',
  'openLogFile',
  'listBackupStatus',
  'getAppSettings',
  'updateAppSettings',
  'listProviderOptions',
  'setProviderOptions',
  'chooseDestinationFolder',
  'openDestinationFolder',
  'checkBackup',
  'getProviderSettings',
  'updateProviderSettings',
  'startSignIn',
  'cancelSignIn',
  'signOut',
  'getShippedUpdate',
  'applyShippedUpdate',
  'dismissShippedUpdate',
] as const satisfies readonly ApiMethod[]

export const EVENT_NAMES = [
  'run:update',
  'providers:changed',
  'backup-status:changed',
  'settings:changed',
  'run:notice',
  'backup-check:update',
  'providers:files-opened',
  'provider-settings:changed',
  'sign-in:finished',
] as const satisfies readonly EventName[]

// Compile-time check that API_METHODS names every method exactly.
type Missing = Exclude<ApiMethod, (typeof API_METHODS)[number]>
const allMethodsListed: Missing extends never ? true : false = true
void allMethodsListed

/**
 * Builds the api's named methods from API_METHODS over one transport (Electron IPC, the
 * browser-mode socket): adding a method is its type, its validator and its handler, nothing more.
 */
export function apiOverTransport(
  call: (method: ApiMethod, args: unknown[]) => Promise<unknown>,
): SkwirlApi {
  const api: Record<string, (...args: unknown[]) => Promise<unknown>> = {}
  for (const method of API_METHODS) api[method] = (...args) => call(method, args)
  // Each entry forwards its arguments to the method of the same name, which the contract types.
  return api as unknown as SkwirlApi
}

export function isApiMethod(value: unknown): value is ApiMethod {
  return typeof value === 'string' && (API_METHODS as readonly string[]).includes(value)
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && (EVENT_NAMES as readonly string[]).includes(value)
}

/**
 * 'conflict': a name is taken. 'outdated': the provider changed after the editor loaded it.
 * 'unsupported': the method needs the desktop app (native dialogs).
 */
export type ApiErrorCode =
  'invalid-argument' | 'not-found' | 'conflict' | 'outdated' | 'unsupported' | 'internal'

export const API_ERROR_CODES = [
  'invalid-argument',
  'not-found',
  'conflict',
  'outdated',
  'unsupported',
  'internal',
] as const satisfies readonly ApiErrorCode[]

/** How an answer crosses IPC or the socket: errors travel as data, never as crashes. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiErrorPayload }

export interface ApiErrorPayload {
  code: ApiErrorCode
  message: string
}

export type Unsubscribe = () => void

/** What the renderer holds: the api plus a typed way to listen for main's events. */
export interface SkwirlBridge extends SkwirlApi {
  on<E extends EventName>(event: E, listener: (payload: SkwirlEvents[E]) => void): Unsubscribe
}

/** Electron IPC channel names: one per method, one for every event. */
export const IPC_EVENT_CHANNEL = 'skwirl:event'
export function ipcChannel(method: ApiMethod): string {
  return `skwirl:${method}`
}
