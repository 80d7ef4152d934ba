// The Electron shell: one window, locked down; everything else lives in the core.
import { join } from 'node:path'
import {
  app,
  BrowserWindow,
  dialog,
  nativeTheme,
  session,
  shell,
  type IpcMainInvokeEvent,
} from 'electron'
import { IPC_EVENT_CHANNEL } from '../shared/api'
import { createLogger, type Logger } from './core/logger'
import { createCore, limitsFromEnv, type SkwirlCore } from './core/skwirl-core'
import { registerIpcHandlers } from './ipc'
import { utilityProcessLauncher } from './utility-runner'

const RENDERER_DEV_URL = process.env.ELECTRON_RENDERER_URL
const RENDERER_FILE = join(__dirname, '../renderer/index.html')
const RESOURCES_DIR = app.isPackaged
  ? join(process.resourcesPath, 'resources')
  : join(__dirname, '../../resources')

let mainWindow: BrowserWindow | null = null
let core: SkwirlCore | null = null
let logger: Logger | null = null
let quitting = false

function isAppUrl(url: string): boolean {
  if (RENDERER_DEV_URL) return url.startsWith(RENDERER_DEV_URL)
  try {
    const parsed = new URL(url)
    return (
      parsed.protocol === 'file:' &&
      decodeURIComponent(parsed.pathname).endsWith('/renderer/index.html')
    )
  } catch {
    return false
  }
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
  window.once('ready-to-show', () => window.show())
  window.on('closed', () => {
    mainWindow = null
  })
  if (RENDERER_DEV_URL) void window.loadURL(RENDERER_DEV_URL)
  else void window.loadFile(RENDERER_FILE)
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

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.focus()
  })

  void app.whenReady().then(() => {
    const dataDir = process.env.SKWIRL_DATA_DIR ?? app.getPath('userData')
    logger = createLogger({ dataDir, console: 'stdout' })
    const log = logger
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
        limits: limitsFromEnv(),
        emit: (event, payload) => mainWindow?.webContents.send(IPC_EVENT_CHANNEL, event, payload),
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
    log.info(`Skwirl ${app.getVersion()} started; data in ${dataDir}`)
    createWindow()
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow()
    })
  })

  // Closing the app cancels running runs (their runners are killed) and closes the database.
  app.on('before-quit', (event) => {
    if (quitting || !core) return
    event.preventDefault()
    quitting = true
    void core.close().finally(() => app.quit())
  })

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
}
