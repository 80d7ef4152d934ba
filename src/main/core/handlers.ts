// Main's handler table, typed against SkwirlApi. Electron IPC and browser mode both answer
// through dispatch(), so validation and error shaping happen in one place.
import type {
  ApiResult,
  AppSettings,
  AppSettingsView,
  BackupOverview,
  Provider,
  ProviderListItem,
  ProviderOptions,
  ProviderOptionsPatch,
  ProviderSettingsView,
  ProviderTemplate,
  SkwirlApi,
} from '../../shared/api'
import { isApiMethod } from '../../shared/api'
import { ApiError } from '../../shared/errors'
import { ProviderFileError, providerFileName } from '../../shared/provider-rules'
import { argParsers, describe } from '../../shared/validate'
import type { BackupChecks } from './destination'
import type { SignIns } from './auth'
import { checkLuaCode } from './lua-check'
import type { Logger } from './logger'
import type { OpenedFiles } from './opened-files'
import { readProviderFile, writeProviderFile, type FileDialogs } from './provider-files'
import type { ProviderOptionsStore } from './provider-options'
import type { ProviderStore } from './provider-store'
import type { RunManager } from './run-manager'
import type { SecretStore } from './secrets'
import type { TestHandle, TestOptions, TestTarget } from './test-run'
import type { ProviderSettings } from './settings'

export type ApiHandlers = {
  [K in keyof SkwirlApi]: (...args: Parameters<SkwirlApi[K]>) => ReturnType<SkwirlApi[K]>
}

export interface HandlerDeps {
  providers: ProviderStore
  /** Each provider's host options (destination, retention). */
  options: ProviderOptionsStore
  runs: RunManager
  /** Checks of backup folders against their manifests. */
  checks: BackupChecks
  /** The system's file dialogs: the desktop app has them, browser mode does not. */
  dialogs?: FileDialogs
  /** The log file openLogFile opens or names. */
  logFile?: string
  /** Opens a file with the system (the desktop app); browser mode only says where it is. */
  openPath?: (path: string) => Promise<boolean>
  /** Called after every change to the providers, so every window and tab can reload its list. */
  onProvidersChanged?: () => void
  /** The shipped providers the gallery offers. */
  templates: () => ProviderTemplate[]
  backupOverview: () => BackupOverview
  /** Starts a test of a provider's text (test-run/). */
  test: (target: TestTarget, options: TestOptions) => TestHandle
  setOptions: (providerId: string, patch: ProviderOptionsPatch) => ProviderOptions
  settings: {
    get(): AppSettingsView
    update(changes: Partial<AppSettings>): AppSettingsView
  }
  /** .lua files opened with Skwirl (the desktop shell feeds them); none elsewhere. */
  openedFiles?: OpenedFiles
  providerSettings: ProviderSettings
  signIns: SignIns
  secrets: SecretStore
  /** Opens a URL in the system browser (the desktop app); browser mode opens a tab itself. */
  openExternal?: (url: string) => Promise<boolean>
  /** Called when a provider's settings change, so a form showing them reloads. */
  onProviderSettingsChanged?: (providerId: string) => void
}

export function createHandlers(deps: HandlerDeps): ApiHandlers {
  const { providers, runs, dialogs, providerSettings, signIns, secrets } = deps
  const changed = <T>(value: T): T => {
    deps.onProvidersChanged?.()
    return value
  }
  const destinationOf = (providerId: string): string => {
    providers.get(providerId)
    const { destination } = deps.options.get(providerId)
    if (destination === null) {
      throw new ApiError(
        'invalid-argument',
        'This provider has no destination: its runs check the files without keeping them.',
      )
    }
    return destination
  }
  const needDialogs = (): FileDialogs => {
    if (dialogs) return dialogs
    throw new ApiError(
      'unsupported',
      'Files are chosen with the system dialog only in the desktop app; in the browser, upload or download them.',
    )
  }
  // A declaration not read yet is read in the background; the list is sent again once it is.
  const readingInBackground = new Set<string>()
  const listItem = (summary: ReturnType<ProviderStore['list']>[number]): ProviderListItem => {
    const provider = providers.get(summary.id)
    const cached = providerSettings.cachedDeclaration(provider)
    if (!cached && !readingInBackground.has(provider.id)) {
      readingInBackground.add(provider.id)
      void providerSettings.declarations
        .read(provider)
        .then(() => deps.onProvidersChanged?.())
        .catch(() => undefined)
        .finally(() => readingInBackground.delete(provider.id))
    }
    return {
      ...summary,
      signIn: cached?.declaration
        ? signIns.status(provider.id, cached.declaration.oauth !== null)
        : null,
      shippedUpdate: providers.shippedUpdate(provider.id) !== null,
    }
  }
  const providerSettingsView = async (provider: Provider): Promise<ProviderSettingsView> => {
    const read = await providerSettings.declarations.read(provider)
    const protection = await secrets.protection()
    if (!read.declaration) {
      return {
        providerId: provider.id,
        declaration: null,
        declarationError: read.error,
        values: {},
        signIn: null,
        protection,
      }
    }
    return {
      providerId: provider.id,
      declaration: read.declaration,
      declarationError: null,
      values: providerSettings.values(provider.id, read.declaration),
      signIn: await signIns.state(provider, read.declaration),
      protection,
    }
  }
  const providerSettingsChanged = (providerId: string): void => {
    deps.onProviderSettingsChanged?.(providerId)
    deps.onProvidersChanged?.()
  }
  return {
    listProviders: async () => providers.list().map(listItem),
    listProviderTemplates: async () => deps.templates(),
    getProvider: async (id) => providers.get(id),
    createProvider: async (input) => changed(providers.create(input)),
    updateProvider: async (id, update) => changed(providers.update(id, update)),
    duplicateProvider: async (id) => {
      const copy = providers.duplicate(id)
      await providerSettings.copy(id, copy.id)
      return changed(copy)
    },
    deleteProvider: async (id) => changed(providers.delete(id)),
    checkProviderCode: async (input) => checkLuaCode(input.name, input.code),
    testProvider: async (request) => {
      // A stored provider lends its settings, sign-in and storage; not-found when it is gone.
      if (request.providerId !== null) providers.get(request.providerId)
      return deps.test(
        { id: request.providerId, name: request.name, code: request.code },
        { limit: request.limit },
      ).done
    },
    importProviderFile: async () => {
      const path = await needDialogs().chooseFileToImport()
      if (path === null) return null
      return asApiError(() => readProviderFile(path))
    },
    exportProviderFile: async (id) => {
      const provider = providers.get(id)
      const path = await needDialogs().chooseFileToExport(providerFileName(provider.name))
      if (path === null) return null
      // The code as it is when the dialog closes, not when it opened.
      asApiError(() => writeProviderFile(path, providers.get(id).code))
      return { path }
    },
    takeOpenedProviderFiles: async () => deps.openedFiles?.take() ?? [],
    execute: async (providerId, executeOptions) => {
      const provider = providers.get(providerId)
      const { destination, retentionDays, transfers } = deps.options.runOptions(providerId)
      const verifyAll = executeOptions?.verifyAll ?? false
      if (verifyAll && destination === null) {
        throw new ApiError(
          'invalid-argument',
          'Verify all compares fresh downloads with the kept copies: choose a destination first.',
        )
      }
      const { runId } = runs.start(provider, { destination, retentionDays, verifyAll, transfers })
      return { runId }
    },
    listRuns: async () => runs.latest(),
    listProviderRuns: async (providerId) => runs.history(providerId),
    listRunFiles: async (query) => {
      const page = runs.files(query)
      if (!page) throw new ApiError('not-found', 'That run is not in the history.')
      return page
    },
    listRunLog: async (query) => {
      const page = runs.log(query)
      if (!page) throw new ApiError('not-found', 'That run is not in the history.')
      return page
    },
    cancelRun: async (runId) => {
      if (runs.cancel(runId)) return
      // A run that has just ended is fine: it stopped.
      const run = runs.find(runId)
      if (!run) throw new ApiError('not-found', 'That run is not in the history.')
      if (run.status === 'running') {
        throw new ApiError(
          'unsupported',
          'Another Skwirl process (the CLI or another window) is running that run; stop it there.',
        )
      }
    },
    openLogFile: async () => {
      const path = deps.logFile ?? ''
      const opened = deps.openPath && path ? await deps.openPath(path) : false
      return { path, opened }
    },
    listBackupStatus: async () => deps.backupOverview(),
    getAppSettings: async () => deps.settings.get(),
    updateAppSettings: async (changes) => deps.settings.update(changes),
    listProviderOptions: async () => deps.options.all(providers.list().map((p) => p.id)),
    setProviderOptions: async (providerId, patch) => {
      const { destination, retentionDays, transfers, schedule } = deps.setOptions(providerId, patch)
      return changed({ destination, retentionDays, transfers, schedule })
    },
    chooseDestinationFolder: async () => {
      const chooseFolder = needDialogs().chooseFolder
      if (!chooseFolder) throw new ApiError('unsupported', 'There is no folder dialog here.')
      return chooseFolder()
    },
    openDestinationFolder: async (providerId) => {
      const path = destinationOf(providerId)
      const opened = deps.openPath ? await deps.openPath(path) : false
      return { path, opened }
    },
    checkBackup: async (providerId) => {
      const provider = providers.get(providerId)
      return deps.checks.start(providerId, provider.name, destinationOf(providerId))
    },
    getProviderSettings: async (id) => providerSettingsView(providers.get(id)),
    updateProviderSettings: async (id, changes) => {
      const provider = providers.get(id)
      await providerSettings.update(id, await providerSettings.declared(provider), changes)
      providerSettingsChanged(id)
      return providerSettingsView(provider)
    },
    startSignIn: async (id) => {
      const provider = providers.get(id)
      const { url } = await signIns.start(provider, await providerSettings.declared(provider))
      const opened = deps.openExternal ? await deps.openExternal(url) : false
      return { url, opened }
    },
    cancelSignIn: async (id) => {
      signIns.cancel(providers.get(id).id)
    },
    signOut: async (id) => {
      const provider = providers.get(id)
      const read = await providerSettings.declarations.read(provider)
      await signIns.signOut(provider, read.declaration)
    },
    getShippedUpdate: async (id) => {
      const provider = providers.get(id)
      const update = providers.shippedUpdate(id)
      if (!update) {
        throw new ApiError('not-found', `Skwirl ships no newer version of “${provider.name}”.`)
      }
      return { providerId: id, current: provider.code, shipped: update.code }
    },
    applyShippedUpdate: async (id) => {
      const provider = providers.get(id)
      const update = providers.shippedUpdate(id)
      if (!update) {
        throw new ApiError('not-found', `Skwirl ships no newer version of “${provider.name}”.`)
      }
      return changed(
        providers.update(id, { name: provider.name, code: update.code, expectedUpdatedAt: null }),
      )
    },
    dismissShippedUpdate: async (id) => {
      providers.get(id)
      providers.dismissShippedUpdate(id)
      deps.onProvidersChanged?.()
    },
  }
}

/** File problems (a missing file, not UTF-8, too big) are the person's to fix: say them. */
function asApiError<T>(body: () => T): T {
  try {
    return body()
  } catch (error) {
    if (error instanceof ProviderFileError) throw new ApiError('invalid-argument', error.message)
    throw error
  }
}

/** Checks the method name and arguments, calls the handler, and turns any failure into data. */
export async function dispatch(
  handlers: ApiHandlers,
  method: unknown,
  args: unknown,
  logger: Logger,
): Promise<ApiResult<unknown>> {
  try {
    if (!isApiMethod(method)) {
      throw new ApiError('invalid-argument', `There is no API method called ${describe(method)}.`)
    }
    if (!Array.isArray(args))
      throw new ApiError('invalid-argument', `${method}: the arguments must be an array.`)
    const parsed = argParsers[method](args)
    const handler = handlers[method] as (...a: unknown[]) => Promise<unknown>
    return { ok: true, value: await handler(...parsed) }
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, error: error.toPayload() }
    logger.error(
      `API ${typeof method === 'string' ? method : '?'} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    )
    return {
      ok: false,
      error: {
        code: 'internal',
        message: 'Something went wrong inside Skwirl; the log has the details.',
      },
    }
  }
}
