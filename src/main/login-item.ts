// "Start Skwirl at login": the system's login items on macOS and Windows, an XDG autostart entry
// on Linux. Started that way, Skwirl opens hidden in the tray.
import { app } from 'electron'
import { HIDDEN_FLAG, setLinuxAutostart } from './linux-autostart'

/** How to start this Skwirl again: the AppImage, the installed binary, or electron and the app. */
function launchCommand(): string[] {
  if (process.env.APPIMAGE) return [process.env.APPIMAGE]
  return app.isPackaged ? [process.execPath] : [process.execPath, app.getAppPath()]
}

export function applyLoginItem(enabled: boolean): void {
  if (process.platform === 'linux') {
    setLinuxAutostart(enabled, launchCommand())
    return
  }
  const [path, ...args] = launchCommand()
  app.setLoginItemSettings({ openAtLogin: enabled, path, args: [...args, HIDDEN_FLAG] })
}

/** Whether this start is the one at login (which opens hidden, in the tray). */
export function startedAtLogin(): boolean {
  if (process.argv.includes(HIDDEN_FLAG)) return true
  return process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin
}
