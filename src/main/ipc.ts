// The desktop app's side of the typed contract: one ipcMain handler per SkwirlApi method, each
// answering through the same dispatch() as browser mode.
import { ipcMain, type IpcMainInvokeEvent } from 'electron'
import { API_METHODS, ipcChannel } from '../shared/api'
import { dispatch, type ApiHandlers } from './core/handlers'
import type { Logger } from './core/logger'

export function registerIpcHandlers(
  handlers: ApiHandlers,
  logger: Logger,
  isTrustedSender: (event: IpcMainInvokeEvent) => boolean,
): void {
  for (const method of API_METHODS) {
    ipcMain.handle(ipcChannel(method), (event, ...args: unknown[]) => {
      if (!isTrustedSender(event)) {
        logger.warn(`IPC ${method} refused: the sender is not Skwirl's own page`)
        return {
          ok: false,
          error: { code: 'invalid-argument', message: 'Refused: not Skwirl’s own page.' },
        }
      }
      return dispatch(handlers, method, args, logger)
    })
  }
}
