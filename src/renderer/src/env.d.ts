/// <reference types="vite/client" />
import type { SkwirlBridge } from '../../shared/api'

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in browser mode. */
    skwirl?: SkwirlBridge
  }
}
