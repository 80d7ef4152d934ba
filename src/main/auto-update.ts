// Where automatic updates go. Skwirl has no release server yet, so the app does not look for
// updates and `publish` is null in electron-builder.yml. With one, this becomes electron-updater's
// autoUpdater (its `checkForUpdatesAndNotify()` at start and every few hours), fed by the
// `publish` target the installers are uploaded to; docs/packaging.md says what to set up.
import type { Logger } from './core/logger'

export function startUpdateChecks(logger: Logger): void {
  logger.debug('updates: not checked (no release server is configured)')
}
