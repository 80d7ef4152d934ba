// The tray icon that keeps Skwirl reachable while it runs schedules with its window closed.
import { Menu, nativeImage, Tray, type NativeImage } from 'electron'
import type { BackupOverview, ProviderSummary } from '../shared/api'
import { acornBitmap } from './tray-icon'

function trayImage(): NativeImage {
  // macOS wants a black template image (it tints it for the menu bar); others a colored one.
  const template = process.platform === 'darwin'
  const style = template ? 'template' : 'color'
  const size = template ? 16 : process.platform === 'win32' ? 16 : 24
  const image = nativeImage.createFromBitmap(acornBitmap(size, style), {
    width: size,
    height: size,
  })
  image.addRepresentation({
    scaleFactor: 2,
    width: size,
    height: size,
    buffer: acornBitmap(size * 2, style),
  })
  if (template) image.setTemplateImage(true)
  return image
}

export interface TrayActions {
  open(): void
  quit(): void
}

/** "Google Drive, today at 02:30": the soonest scheduled run. */
export function nextRunLabel(
  overview: BackupOverview,
  providers: readonly ProviderSummary[],
  now = Date.now(),
): string | null {
  const soonest = overview.providers
    .filter((status) => status.nextRunAt !== null)
    .sort((a, b) => Date.parse(a.nextRunAt as string) - Date.parse(b.nextRunAt as string))[0]
  if (!soonest?.nextRunAt) return null
  const name = providers.find((p) => p.id === soonest.providerId)?.name ?? 'a provider'
  const at = new Date(soonest.nextRunAt)
  if (at.getTime() <= now) return `${name}, now`
  const time = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
  const today = new Date(now).toDateString() === at.toDateString()
  const day = today
    ? 'today'
    : at.toLocaleDateString([], { weekday: 'short', day: 'numeric', month: 'short' })
  return `${name}, ${day} at ${time}`
}

export class SkwirlTray {
  private tray: Tray | null = null

  constructor(private readonly actions: TrayActions) {}

  get shown(): boolean {
    return this.tray !== null
  }

  /** Shows the icon (once) with the next run in its menu and tooltip. */
  show(nextRun: string | null): void {
    if (!this.tray) {
      this.tray = new Tray(trayImage())
      // Windows and Linux: a click opens the window (macOS opens the menu).
      this.tray.on('click', () => this.actions.open())
    }
    this.tray.setToolTip(nextRun ? `Skwirl · next backup: ${nextRun}` : 'Skwirl')
    this.tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Open Skwirl', click: () => this.actions.open() },
        { type: 'separator' },
        { label: nextRun ? `Next backup: ${nextRun}` : 'No backup scheduled', enabled: false },
        { type: 'separator' },
        { label: 'Quit Skwirl', click: () => this.actions.quit() },
      ]),
    )
  }

  hide(): void {
    this.tray?.destroy()
    this.tray = null
  }
}
