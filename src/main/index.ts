// The Electron shell: one window, locked down; everything else lives in the core.
import { join } from 'node:path'
import {
  app,
  BrowserWindow,
  dialog,
  nativeTheme,
  Notification,
  session,
  shell,
  type IpcMainInvokeEvent,
} from 'electron'
import { IPC_EVENT_CHANNEL, type EventName, type RunNotice, type SkwirlEvents } from '../shared/api'
import { noticeText } from '../shared/notices'
import { APP_INDEX_URL, isAppPage, rendererDevUrl } from './app-origin'
import { registerAppScheme, serveAppProtocol } from './app-protocol'
import { startUpdateChecks } from './auto-update'
import { createLogger, logLevelFromEnv, type Logger, type LogLevel } from './core/logger'
import type { FileDialogs } from './core/provider-files'
import { keyFileProtector, keyringProtector } from './core/secrets'
import {
  createCore,
  httpTimingFromEnv,
  limitsFromEnv,
  scheduleHourMsFromEnv,
  type SkwirlCore,
} from './core/skwirl-core'
import { watchOpenedLuaFiles } from './file-association'
import { registerIpcHandlers } from './ipc'
import { applyLoginItem, startedAtLogin } from './login-item'
import { nextRunLabel, SkwirlTray } from './tray'
import { safeStorageProtector } from './safe-storage'
import { utilityProcessLauncher } from './utility-runner'

/** `npm run dev`'s server; never in a packaged app, where the page comes only from app://. */
const RENDERER_DEV_URL = rendererDevUrl(process.env.ELECTRON_RENDERER_URL, app.isPackaged)
const RENDERER_DIR = join(__dirname, '../renderer')
const RESOURCES_DIR = app.isPackaged
  ? join(process.resourcesPath, 'resources')
  : join(__dirname, '../../resources')

let mainWindow: BrowserWindow | null = null
let core: SkwirlCore | null = null
let logger: Logger | null = null
let coreClosed = false
let closingCore: Promise<void> | null = null
/** A quit is waiting for the window to close (it may ask about unsaved changes first). */
let quitAfterClose = false
/** Started at login: the window stays hidden while schedules keep Skwirl in the tray. */
const hiddenAtStart = startedAtLogin()
/** At login the network may not be up yet: the first look at the schedules waits a minute. */
const FIRST_LOOK_AT_LOGIN_MS = 60_000

const tray = new SkwirlTray({
  open: () => showWindow(),
  quit: () => app.quit(),
})

/** With a schedule set and the setting on, closing the window keeps Skwirl in the tray. */
function staysInTray(): boolean {
  if (!core) return false
  return core.settings.get().keepRunningInTray && core.schedules.all().length > 0
}

/** Shows the tray icon while Skwirl would stay in it, with the next run; hides it otherwise. */
function updateTray(): void {
  if (!core || coreClosed) return
  if (!staysInTray()) {
    tray.hide()
    return
  }
  try {
    tray.show(nextRunLabel(core.backupOverview(), core.providers.list()))
  } catch (error) {
    logger?.error(`the tray icon could not be shown: ${describe(error)}`)
  }
}

function showWindow(): void {
  if (!mainWindow) {
    createWindow()
    return
  }
  if (mainWindow.isMinimized()) mainWindow.restore()
  mainWindow.show()
  mainWindow.focus()
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** A system notification (the core sends notices only while notifications are on). */
function notify(notice: RunNotice): void {
  if (!Notification.isSupported()) return
  const { title, body } = noticeText(notice)
  const notification = new Notification({ title, body })
  notification.on('click', () => showWindow())
  notification.show()
}

/** What main pushes: to the window, and to the shell's own tray and notifications. */
function onCoreEvent<E extends EventName>(event: E, payload: SkwirlEvents[E]): void {
  mainWindow?.webContents.send(IPC_EVENT_CHANNEL, event, payload)
  if (event === 'run:notice') notify(payload as RunNotice)
  if (event === 'settings:changed') {
    const settings = payload as SkwirlEvents['settings:changed']
    try {
      applyLoginItem(settings.openAtLogin)
    } catch (error) {
      logger?.error(`could not change starting at login: ${describe(error)}`)
    }
  }
  if (event === 'backup-status:changed' || event === 'settings:changed') updateTray()
}
/** .lua files opened with Skwirl before the core was ready for them. */
const openedBeforeReady: string[] = []

const LUA_FILTERS = [
  { name: 'Lua', extensions: ['lua'] },
  { name: 'All files', extensions: ['*'] },
]

/** The system's file dialogs, lent to the core: importing and exporting providers, backup folders. */
const fileDialogs: FileDialogs = {
  async chooseFileToImport() {
    const options = {
      title: 'Import a provider',
      buttonLabel: 'Import',
      filters: LUA_FILTERS,
      properties: ['openFile' as const],
    }
    const result = mainWindow
      ? await dialog.showOpenDialog(mainWindow, options)
      : await dialog.showOpenDialog(options)
    return result.canceled ? null : (result.filePaths[0] ?? null)
  },
  async chooseFileToExport(fileName) {
    const options = {
      title: 'Export a provider',
      buttonLabel: 'Export',
      defaultPath: join(app.getPath('documents'), fileName),
      filters: LUA_FILTERS,
    }
    const result = mainWindow
      ? await dialog.showSaveDialog(mainWindow, options)
      : await dialog.showSaveDialog(options)
    return result.canceled || !result.filePath ? null : result.filePath
  },
  async chooseFolder() {
    const options = {
      title: 'Choose a backup folder',
      buttonLabel: 'Choose',
      defaultPath: app.getPath('documents'),
      properties: ['openDirectory' as const, 'createDirectory' as const],
    }
    const result = mainWindow
      ? await dialog.showOpenDialog(mainWindow, options)
      : await dialog.showOpenDialog(options)
    return result.canceled ? null : (result.filePaths[0] ?? null)
  },
}

function isAppUrl(url: string): boolean {
  return isAppPage(url, RENDERER_DEV_URL)
}

function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame
  return frame !== null && event.sender === mainWindow?.webContents && isAppUrl(frame.url)
}

function createWindow(): void {
  const window = new BrowserWindow({
    width: 1120,
    height: 760,
    minWidth: 640,
    minHeight: 480,
    show: false,
    title: 'Skwirl',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#16181d' : '#f6f7f9',
    webPreferences: {
      preload: join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  })
  mainWindow = window
  window.once('ready-to-show', () => {
    if (!(hiddenAtStart && staysInTray())) window.show()
  })
  // Closing the window while schedules run keeps Skwirl in the tray (unless it is quitting).
  window.on('close', (event) => {
    if (quitAfterClose || !staysInTray()) return
    event.preventDefault()
    window.hide()
    updateTray()
    if (core?.settings.firstTime('tray-hint') && Notification.isSupported()) {
      new Notification({
        title: 'Skwirl is still running',
        body: 'It keeps running your scheduled backups from the tray. Quit it from the tray icon.',
      }).show()
    }
  })
  // The page refuses to unload while the editor holds unsaved changes (beforeunload); Electron
  // then keeps the window open without a word, so the shell asks, as a browser would.
  window.webContents.on('will-prevent-unload', (event) => {
    // Quitting from the tray: the question needs its window in sight.
    if (!window.isVisible()) window.show()
    const choice = dialog.showMessageBoxSync(window, {
      type: 'warning',
      title: 'Unsaved changes',
      message: 'Discard your unsaved changes?',
      detail: 'The provider you are editing has changes that are not saved.',
      buttons: ['Discard Changes', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      noLink: true,
    })
    if (choice === 0) event.preventDefault()
    else quitAfterClose = false
  })
  window.on('closed', () => {
    mainWindow = null
    if (quitAfterClose) app.quit()
  })
  void window.loadURL(RENDERER_DEV_URL?.href ?? APP_INDEX_URL)
}

/** A .lua file opened with Skwirl: the window opens it in the editor as a new provider. */
function openLuaFile(path: string): void {
  if (!core) {
    openedBeforeReady.push(path)
    return
  }
  const opened = core.openedFiles.add(path)
  logger?.info(
    `opened with Skwirl: ${opened.fileName}${opened.error ? ` (not readable: ${opened.error})` : ''}`,
  )
  mainWindow?.webContents.send(IPC_EVENT_CHANNEL, 'providers:files-opened', {})
  showWindow() // A window opened now takes the waiting files when its page starts.
}

// Every web contents, present or future: no new windows, no navigation away, no webviews.
app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault()
  })
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
})

// Before the app is ready: app:// must be known as a secure, standard scheme from the start.
registerAppScheme()

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  watchOpenedLuaFiles(openLuaFile)
  app.on('second-instance', () => showWindow())

  void app.whenReady().then(() => {
    const dataDir = process.env.SKWIRL_DATA_DIR ?? app.getPath('userData')
    let logLevelOverride: LogLevel | null = null
    let logLevelProblem: string | null = null
    try {
      logLevelOverride = logLevelFromEnv()
    } catch (error) {
      logLevelProblem = describe(error)
    }
    logger = createLogger({ dataDir, console: 'stdout', level: logLevelOverride ?? 'info' })
    const log = logger
    if (logLevelProblem) log.error(`${logLevelProblem}; the app's log level setting applies`)
    process.on('uncaughtException', (error) =>
      log.error(`uncaught: ${error.stack ?? error.message}`),
    )
    process.on('unhandledRejection', (reason) =>
      log.error(`unhandled rejection: ${String(reason)}`),
    )
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) =>
      callback(false),
    )
    try {
      core = createCore({
        dataDir,
        resourcesDir: RESOURCES_DIR,
        logger: log,
        launchRunner: utilityProcessLauncher(join(__dirname, 'runner.js')),
        // The app waits for Execute most of its life: a runner is started ahead for the next run.
        spareRunner: true,
        limits: limitsFromEnv(),
        httpTiming: httpTimingFromEnv(),
        emit: onCoreEvent,
        dialogs: fileDialogs,
        scheduleHourMs: scheduleHourMsFromEnv(),
        logLevelOverride,
        // shell.openPath answers an error message, or '' when the system opened the file.
        openPath: async (path) => (await shell.openPath(path)) === '',
        // Sign-in happens in the system browser, never in a window of the app (RFC 8252).
        openExternal: async (url) => {
          await shell.openExternal(url)
          return true
        },
        keyProtectors: [safeStorageProtector(), keyringProtector(), keyFileProtector(dataDir)],
      })
    } catch (error) {
      log.error(
        `Skwirl could not open its data: ${error instanceof Error ? error.message : String(error)}`,
      )
      dialog.showErrorBox(
        'Skwirl could not start',
        error instanceof Error ? error.message : String(error),
      )
      app.exit(1)
      return
    }
    registerIpcHandlers(core.handlers, log, isTrustedSender)
    serveAppProtocol(RENDERER_DIR)
    log.info(
      `Skwirl ${app.getVersion()} started${hiddenAtStart ? ' at login' : ''}; data in ${dataDir}`,
    )
    try {
      // The system's login item follows the setting (it may have been changed by another copy).
      applyLoginItem(core.settings.get().openAtLogin)
    } catch (error) {
      log.error(`could not set starting at login: ${describe(error)}`)
    }
    // The app runs what is due while it runs.
    core.scheduler.start(hiddenAtStart ? FIRST_LOOK_AT_LOGIN_MS : 0)
    for (const path of openedBeforeReady.splice(0)) core.openedFiles.add(path)
    createWindow()
    updateTray()
    startUpdateChecks(log)
    app.on('activate', () => showWindow())
  })

  // Quitting closes the window first (which may ask about unsaved changes, and may be cancelled);
  // once it is closed, running runs are cancelled (their runners killed) and the database closed.
  app.on('before-quit', (event) => {
    if (coreClosed || !core) return
    event.preventDefault()
    if (mainWindow) {
      quitAfterClose = true
      mainWindow.close()
      return
    }
    tray.hide()
    closingCore ??= core.close().finally(() => {
      coreClosed = true
      app.quit()
    })
  })

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
}
