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
import type { FileDialogs } from './core/provider-files'
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
let coreClosed = false
let closingCore: Promise<void> | null = null
/** A quit is waiting for the window to close (it may ask about unsaved changes first). */
let quitAfterClose = false

const LUA_FILTERS = [
  { name: 'Lua', extensions: ['lua'] },
  { name: 'All files', extensions: ['*'] },
]

/** The system's file dialogs, lent to the core for importing and exporting providers. */
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
}

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
  // The page refuses to unload while the editor holds unsaved changes (beforeunload); Electron
  // then keeps the window open without a word, so the shell asks, as a browser would.
  window.webContents.on('will-prevent-unload', (event) => {
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
        dialogs: fileDialogs,
        // shell.openPath answers an error message, or '' when the system opened the file.
        openPath: async (path) => (await shell.openPath(path)) === '',
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
    closingCore ??= core.close().finally(() => {
      coreClosed = true
      app.quit()
    })
  })

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
}
