// The one way the renderer reaches main, chosen once at startup.
import type { SkwirlBridge } from '../../../shared/api'
import { ALWAYS_OPEN, type ConnectionSource } from './connection'
import { createSocketClient } from './socket-client'

export interface Transport {
  api: SkwirlBridge
  connection: ConnectionSource
  /** The desktop app has the system's file dialogs; a browser uploads and downloads. */
  fileDialogs: 'native' | 'browser'
}

/** The preload's bridge in the desktop app, a WebSocket client in browser mode. */
export function chooseTransport(bridge: SkwirlBridge | undefined): Transport {
  if (bridge) return { api: bridge, connection: ALWAYS_OPEN, fileDialogs: 'native' }
  const client = createSocketClient()
  return { api: client, connection: client, fileDialogs: 'browser' }
}

const transport = chooseTransport(window.skwirl)

export const api: SkwirlBridge = transport.api
export const connection: ConnectionSource = transport.connection
export const fileDialogs = transport.fileDialogs
