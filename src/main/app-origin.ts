// Which pages the desktop shell trusts: its own index.html at app://skwirl/ (or, in a development
// checkout only, at the address `npm run dev` serves it from), and nothing else.
// No electron import: the rules are plain functions, tested in Node.

export const APP_SCHEME = 'app'
export const APP_HOST = 'skwirl'
/** The page the window loads; the only one it may show. */
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * The dev server's address from ELECTRON_RENDERER_URL (`npm run dev`): honoured only when the
 * app is not packaged, and only for http(s) on this machine; null otherwise.
 */
export function rendererDevUrl(value: string | undefined, isPackaged: boolean): URL | null {
  if (isPackaged || !value) return null
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return null
  }
  const web = url.protocol === 'http:' || url.protocol === 'https:'
  return web && LOOPBACK_HOSTS.has(url.hostname) ? url : null
}

/**
 * Whether `url` is Skwirl's own page: app://skwirl/index.html exactly (any query or fragment),
 * or the dev server's index page when one is in use. Not any path ending in index.html.
 */
export function isAppPage(url: string, devUrl: URL | null): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  if (devUrl) {
    return (
      parsed.origin === devUrl.origin &&
      (parsed.pathname === '/' || parsed.pathname === '/index.html')
    )
  }
  return (
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.host === APP_HOST &&
    parsed.pathname === '/index.html' &&
    parsed.username === '' &&
    parsed.password === ''
  )
}
