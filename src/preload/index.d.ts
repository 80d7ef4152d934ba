import type { SkwirlBridge } from '../shared/api'

declare global {
  interface Window {
    /** Present in the desktop app; absent in browser mode, where the socket client stands in. */
    skwirl?: SkwirlBridge
  }
}
