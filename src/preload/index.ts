// The renderer's only door to main: one ipcRenderer.invoke per SkwirlApi method and a listener
// for main's known events. Nothing generic is exposed.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import {
  apiOverTransport,
  IPC_EVENT_CHANNEL,
  ipcChannel,
  isEventName,
  type ApiMethod,
  type ApiResult,
  type SkwirlBridge,
} from '../shared/api'

async function invoke<T>(method: ApiMethod, ...args: unknown[]): Promise<T> {
  const result = (await ipcRenderer.invoke(ipcChannel(method), ...args)) as ApiResult<T>
  if (result.ok) return result.value
  // Errors cross contextBridge as plain Errors: keep the code in the name so the UI can tell them apart.
  const error = new Error(result.error.message)
  error.name = `ApiError:${result.error.code}`
  throw error
}

const api: SkwirlBridge = {
  ...apiOverTransport((method, args) => invoke(method, ...args)),
  on: (event, listener) => {
    if (!isEventName(event)) throw new Error(`Unknown event ${String(event)}`)
    const forward = (_e: IpcRendererEvent, name: unknown, payload: unknown): void => {
      if (name === event) listener(payload as Parameters<typeof listener>[0])
    }
    ipcRenderer.on(IPC_EVENT_CHANNEL, forward)
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, forward)
    }
  },
}

contextBridge.exposeInMainWorld('skwirl', api)
