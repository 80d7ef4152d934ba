// A SkwirlBridge for tests: every method is a vi.fn over an in-memory list that keeps main's
// rules (names unique when case folded, a version per save), and emit() plays main pushing an event.
import { vi, type Mock } from 'vitest'
import type {
  AppSettings,
  BackupStatus,
  BackupCheckState,
  CodeCheck,
  EventName,
  Provider,
  ProviderOptions,
  ProviderListItem,
  ProviderSettingsView,
  RunFile,
  RunLogLine,
  RunLogPage,
  RunLogQuery,
  RunState,
  SkwirlApi,
  SkwirlBridge,
  SkwirlEvents,
} from '../../../shared/api'
import {
  DEFAULT_APP_SETTINGS,
  DEFAULT_PROVIDER_OPTIONS,
  PROVIDER_FUNCTIONS,
} from '../../../shared/api'
import { SCHEDULE_OFF } from '../../../shared/schedule'
import { ApiError } from '../../../shared/errors'
import {
  nameTakenMessage,
  normalizeProviderName,
  providerNameKey,
  providerNameProblem,
} from '../../../shared/provider-rules'

export type FakeApi = { [K in keyof SkwirlApi]: Mock<SkwirlApi[K]> } & SkwirlBridge & {
    emit<E extends EventName>(event: E, payload: SkwirlEvents[E]): void
  }

export const GOOGLE_DRIVE: Provider = {
  id: 'google-drive',
  name: 'Google Drive',
  createdAt: '2025-06-01T10:00:00.000Z',
  updatedAt: '2025-06-01T10:00:00.000Z',
  code: 'function list_file_ids()\n  skwirl.emit_file_id("a")\nend\n',
}

export const DROPBOX: Provider = {
  id: 'dropbox',
  name: 'Dropbox',
  createdAt: '2025-06-02T10:00:00.000Z',
  updatedAt: '2025-06-02T10:00:00.000Z',
  code: 'function list_file_ids()\nend\n',
}

export function summary(provider: Provider): ProviderListItem {
  const { code: _code, ...rest } = provider
  return { ...rest, signIn: null, shippedUpdate: false }
}

/** What the fake answers for a provider's settings unless a test sets its own. */
export function settingsView(providerId: string): ProviderSettingsView {
  return {
    providerId,
    declaration: { settings: [], oauth: null },
    declarationError: null,
    values: {},
    signIn: null,
    protection: {
      level: 'key-file',
      summary:
        'Secrets are encrypted (AES-256-GCM) with a key kept by a key file only you can read.',
    },
  }
}

/**
 * A run state as main sends it; a running one is this process's own (with live fields) unless
 * the test says `live: null`.
 */
export function run(overrides: Partial<RunState> & Pick<RunState, 'runId'>): RunState {
  const status = overrides.status ?? 'running'
  return {
    providerId: GOOGLE_DRIVE.id,
    providerName: GOOGLE_DRIVE.name,
    status,
    phase: 'backing-up',
    reason: null,
    failure: null,
    startedAt: '2025-06-15T11:58:00.000Z',
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
    ...overrides,
    live:
      overrides.live !== undefined
        ? overrides.live
        : status === 'running'
          ? { currentFile: null, filesPerSecond: null, secondsLeft: null, waitingFor: null }
          : null,
  }
}

/**
 * The files a fake run reached: file-1.bin, file-2.bin…; every `failEvery`th failed, every
 * `skipEvery`th skipped (a folder).
 */
export function runFiles(count: number, failEvery = 0, skipEvery = 0): RunFile[] {
  return Array.from({ length: count }, (_, position): RunFile => {
    const failed = failEvery > 0 && (position + 1) % failEvery === 0
    if (!failed && skipEvery > 0 && (position + 1) % skipEvery === 0) {
      return {
        position,
        fileId: `id-${position + 1}`,
        name: `Folder ${position + 1}`,
        path: `/photos/Folder ${position + 1}`,
        size: null,
        checksum: null,
        modifiedTime: null,
        outcome: 'skipped',
        failedAt: null,
        skipReason: 'a folder (its files are backed up inside it)',
        verified: null,
        bytes: 0,
      }
    }
    return {
      position,
      fileId: `id-${position + 1}`,
      name: failed ? null : `file-${position + 1}.bin`,
      path: failed ? null : `/photos/file-${position + 1}.bin`,
      size: failed ? null : 1000 * (position + 1),
      checksum: failed ? null : 'd41d8cd98f00b204e9800998ecf8427e',
      modifiedTime: failed ? null : '2025-06-01T10:00:00.000Z',
      outcome: failed ? 'failed' : 'downloaded',
      failedAt: failed ? 'metadata' : null,
      skipReason: null,
      verified: failed ? null : true,
      bytes: failed ? 0 : 1000 * (position + 1),
    }
  })
}

/** listRunFiles over a fixed list of files, as main pages it. */
export function pagedRunFiles(files: RunFile[]): SkwirlApi['listRunFiles'] {
  return async ({ filter, offset, limit }) => {
    const matching = filter === 'all' ? files : files.filter((f) => f.outcome === filter)
    return {
      total: matching.length,
      offset,
      files: matching.slice(offset, offset + limit),
      kept: true,
    }
  }
}

/** The log lines of a fake run: every `every`th line an error about a file, the rest info. */
export function runLogLines(count: number, every = 5): RunLogLine[] {
  return Array.from({ length: count }, (_, seq) => {
    const error = (seq + 1) % every === 0
    return {
      seq,
      at: new Date(Date.parse('2025-06-15T11:58:00.000Z') + seq * 10).toISOString(),
      level: error ? 'error' : 'info',
      stage: error ? 'metadata' : 'list',
      fileId: error ? `id-${seq}` : null,
      message: error
        ? `Google Drive:42: in get_file_metadata: HTTP 404: gone ${seq}`
        : `line ${seq}`,
      line: error ? 42 : null,
    }
  })
}

/** listRunLog over a fixed list of lines, as main filters and pages it. */
export function pagedRunLog(lines: RunLogLine[]): (query: RunLogQuery) => Promise<RunLogPage> {
  return async ({ levels, search, fileId, offset, limit }) => {
    const matching = lines.filter(
      (line) =>
        levels.includes(line.level) &&
        (search === '' || line.message.toLowerCase().includes(search.toLowerCase())) &&
        (fileId === null || line.fileId === fileId),
    )
    const counts = { error: 0, warn: 0, info: 0, debug: 0 }
    for (const line of lines) counts[line.level]++
    return {
      total: matching.length,
      offset,
      lines: matching.slice(offset, offset + limit),
      counts,
      kept: true,
      dropped: 0,
    }
  }
}

export const LOG_PATH = '/home/me/.config/skwirl/logs/main.log'

/** A check of a backup folder as main sends it. */
export function backupCheck(overrides: Partial<BackupCheckState> = {}): BackupCheckState {
  return {
    checkId: 'check-1',
    providerId: GOOGLE_DRIVE.id,
    dir: '/home/me/Backups/Drive',
    status: 'checking',
    waitingFor: null,
    checked: 0,
    total: 0,
    bytes: 0,
    problems: 0,
    problemPaths: [],
    error: null,
    startedAt: '2025-06-15T12:00:00.000Z',
    finishedAt: null,
    ...overrides,
  }
}

/**
 * Stands in for main's compiler: the first line holding "= =" is a syntax error there, and the
 * three functions count as defined when "function <name>" appears.
 */
export function fakeCheck(code: string): CodeCheck {
  const lines = code.split('\n')
  const bad = lines.findIndex((line) => line.includes('= ='))
  return {
    syntaxError: bad === -1 ? null : { line: bad + 1, message: "unexpected symbol near '='" },
    missingFunctions:
      bad === -1 ? PROVIDER_FUNCTIONS.filter((name) => !code.includes(`function ${name}`)) : [],
  }
}

export function createFakeApi(initial: Provider[] = [GOOGLE_DRIVE, DROPBOX]): FakeApi {
  const listeners = new Map<EventName, Set<(payload: never) => void>>()
  let providers = [...initial]
  const options = new Map<string, ProviderOptions>()
  const optionsOf = (id: string): ProviderOptions => options.get(id) ?? DEFAULT_PROVIDER_OPTIONS
  let nextRun = 1
  let nextCheck = 1
  let nextId = 1
  let clock = Date.parse('2025-07-01T00:00:00.000Z')
  const tick = () => new Date((clock += 1000)).toISOString()
  const find = (id: string): Provider => {
    const provider = providers.find((candidate) => candidate.id === id)
    if (!provider) throw new ApiError('not-found', `No provider has the id ${id}.`)
    return provider
  }
  const checkedName = (raw: string, exceptId: string | null): string => {
    const name = normalizeProviderName(raw)
    const problem = providerNameProblem(name)
    if (problem) throw new ApiError('invalid-argument', problem)
    const key = providerNameKey(name)
    if (providers.some((p) => p.id !== exceptId && providerNameKey(p.name) === key))
      throw new ApiError('conflict', nameTakenMessage(name))
    return name
  }
  let settings: AppSettings = { ...DEFAULT_APP_SETTINGS }
  const statuses = new Map<string, BackupStatus>()
  const statusOf = (providerId: string): BackupStatus =>
    statuses.get(providerId) ?? {
      providerId,
      schedule: SCHEDULE_OFF,
      nextRunAt: null,
      lastGoodBackupAt: null,
      overdue: false,
    }
  const compiles = (code: string): void => {
    const error = fakeCheck(code).syntaxError
    if (error)
      throw new ApiError(
        'invalid-argument',
        `The code does not compile: line ${error.line}: ${error.message}`,
      )
  }
  return {
    listProviders: vi.fn<SkwirlApi['listProviders']>(async () => providers.map(summary)),
    listProviderTemplates: vi.fn<SkwirlApi['listProviderTemplates']>(async () => [
      {
        id: 'webdav',
        name: 'WebDAV / Nextcloud',
        description: 'Nextcloud, ownCloud, Synology, a NAS or any WebDAV server.',
        code: 'function list_file_ids() end\nfunction get_file_metadata(id) end\nfunction download_file(id) end\n',
      },
      {
        id: 's3',
        name: 'S3-compatible storage',
        description: 'Amazon S3, Backblaze B2, Wasabi, Cloudflare R2, MinIO and others.',
        code: 'function list_file_ids() end\nfunction get_file_metadata(id) end\nfunction download_file(id) end\n',
      },
    ]),
    getProvider: vi.fn<SkwirlApi['getProvider']>(async (id) => find(id)),
    createProvider: vi.fn<SkwirlApi['createProvider']>(async (input) => {
      const name = checkedName(input.name, null)
      compiles(input.code)
      const now = tick()
      const created = {
        id: `new-${nextId++}`,
        name,
        code: input.code,
        createdAt: now,
        updatedAt: now,
      }
      providers = [...providers, created]
      return created
    }),
    updateProvider: vi.fn<SkwirlApi['updateProvider']>(async (id, update) => {
      const current = find(id)
      if (update.expectedUpdatedAt !== null && update.expectedUpdatedAt !== current.updatedAt)
        throw new ApiError('outdated', `“${current.name}” was changed somewhere else.`)
      const name = checkedName(update.name, id)
      compiles(update.code)
      const saved = { ...current, name, code: update.code, updatedAt: tick() }
      providers = providers.map((p) => (p.id === id ? saved : p))
      return saved
    }),
    duplicateProvider: vi.fn<SkwirlApi['duplicateProvider']>(async (id) => {
      const original = find(id)
      const now = tick()
      const copy = {
        ...original,
        id: `copy-${nextId++}`,
        name: `${original.name} copy`,
        createdAt: now,
        updatedAt: now,
      }
      providers = [...providers, copy]
      return copy
    }),
    deleteProvider: vi.fn<SkwirlApi['deleteProvider']>(async (id) => {
      find(id)
      providers = providers.filter((p) => p.id !== id)
    }),
    checkProviderCode: vi.fn<SkwirlApi['checkProviderCode']>(async (input) =>
      fakeCheck(input.code),
    ),
    importProviderFile: vi.fn<SkwirlApi['importProviderFile']>(async () => null),
    exportProviderFile: vi.fn<SkwirlApi['exportProviderFile']>(async () => null),
    takeOpenedProviderFiles: vi.fn<SkwirlApi['takeOpenedProviderFiles']>(async () => []),
    execute: vi.fn<SkwirlApi['execute']>(async () => ({ runId: `run-${nextRun++}` })),
    listRuns: vi.fn<SkwirlApi['listRuns']>(async () => []),
    listProviderRuns: vi.fn<SkwirlApi['listProviderRuns']>(async () => []),
    listRunFiles: vi.fn<SkwirlApi['listRunFiles']>(pagedRunFiles([])),
    listRunLog: vi.fn<SkwirlApi['listRunLog']>(pagedRunLog([])),
    cancelRun: vi.fn<SkwirlApi['cancelRun']>(async () => undefined),
    openLogFile: vi.fn<SkwirlApi['openLogFile']>(async () => ({ path: LOG_PATH, opened: false })),
    listBackupStatus: vi.fn<SkwirlApi['listBackupStatus']>(async () => ({
      // The machine's own zone, as for the desktop app.
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      hourMs: 3_600_000,
      providers: providers.map((p) => statusOf(p.id)),
    })),
    getAppSettings: vi.fn<SkwirlApi['getAppSettings']>(async () => ({
      ...settings,
      logLevelOverride: null,
    })),
    updateAppSettings: vi.fn<SkwirlApi['updateAppSettings']>(async (changes) => {
      settings = { ...settings, ...changes }
      return { ...settings, logLevelOverride: null }
    }),
    listProviderOptions: vi.fn<SkwirlApi['listProviderOptions']>(async () =>
      Object.fromEntries(providers.map((p) => [p.id, optionsOf(p.id)])),
    ),
    setProviderOptions: vi.fn<SkwirlApi['setProviderOptions']>(async (id, patch) => {
      find(id)
      // Main's rule, as the renderer meets it: a folder is a full path.
      if (typeof patch.destination === 'string' && !patch.destination.trim().startsWith('/'))
        throw new ApiError(
          'invalid-argument',
          `Give the folder's full path (such as /home/you/Backups/Drive), not "${patch.destination.trim()}".`,
        )
      const next = {
        ...optionsOf(id),
        ...patch,
        ...(typeof patch.destination === 'string' ? { destination: patch.destination.trim() } : {}),
      }
      options.set(id, next)
      if (patch.schedule) {
        statuses.set(id, {
          ...statusOf(id),
          schedule: patch.schedule,
          // The fake's clock: the next run an hour on, as a stand-in for main's calculation.
          nextRunAt:
            patch.schedule.kind === 'off' ? null : new Date(clock + 3_600_000).toISOString(),
        })
      }
      return next
    }),
    chooseDestinationFolder: vi.fn<SkwirlApi['chooseDestinationFolder']>(async () => {
      throw new ApiError('unsupported', 'There is no folder dialog here.')
    }),
    openDestinationFolder: vi.fn<SkwirlApi['openDestinationFolder']>(async (id) => ({
      path: optionsOf(id).destination ?? '',
      opened: false,
    })),
    checkBackup: vi.fn<SkwirlApi['checkBackup']>(async () => ({
      checkId: `check-${nextCheck++}`,
    })),
    getProviderSettings: vi.fn<SkwirlApi['getProviderSettings']>(async (id) => {
      find(id)
      return settingsView(id)
    }),
    updateProviderSettings: vi.fn<SkwirlApi['updateProviderSettings']>(async (id) => {
      find(id)
      return settingsView(id)
    }),
    startSignIn: vi.fn<SkwirlApi['startSignIn']>(async () => ({
      url: 'https://accounts.example/authorize',
      opened: false,
    })),
    cancelSignIn: vi.fn<SkwirlApi['cancelSignIn']>(async () => undefined),
    signOut: vi.fn<SkwirlApi['signOut']>(async () => undefined),
    getShippedUpdate: vi.fn<SkwirlApi['getShippedUpdate']>(async (id) => ({
      providerId: id,
      current: find(id).code,
      shipped: find(id).code,
    })),
    applyShippedUpdate: vi.fn<SkwirlApi['applyShippedUpdate']>(async (id) => find(id)),
    dismissShippedUpdate: vi.fn<SkwirlApi['dismissShippedUpdate']>(async () => undefined),
    on(event, listener) {
      const set = listeners.get(event) ?? new Set()
      listeners.set(event, set)
      set.add(listener)
      return () => {
        set.delete(listener)
      }
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) {
        ;(listener as (payload: SkwirlEvents[typeof event]) => void)(payload)
      }
    },
  }
}

/** A promise the test settles by hand, to look at the screen while a call is in flight. */
export function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}
