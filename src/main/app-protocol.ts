// The renderer is served from app://skwirl/ instead of file://: an origin of its own (file://
// pages share one with every file on the disk), only the build's renderer files, and the CSP as
// a response header, as browser mode sends it.
import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { protocol } from 'electron'
import { APP_HOST, APP_SCHEME } from './app-origin'
import { contentTypeOf, RENDERER_CSP, rendererFile } from './core/static-assets'

/** Before the app is ready: app:// gets what https has (a secure context, fetch, modules). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: {
        standard: true,
        secure: true,
        supportFetchAPI: true,
        corsEnabled: true,
        codeCache: true,
      },
    },
  ])
}

/** Once ready: answers app://skwirl/<path> with the file of that name under `rendererDir`. */
export function serveAppProtocol(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url)
    if (url.host !== APP_HOST) return plain(404, 'Not found')
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Not allowed')
    const file = rendererFile(rendererDir, url.pathname === '/' ? '/index.html' : url.pathname)
    if (!file) return plain(404, 'Not found')
    let body: Buffer
    try {
      body = await readFile(file)
    } catch {
      return plain(404, 'Not found')
    }
    const headers: Record<string, string> = {
      'Content-Type': contentTypeOf(file),
      'X-Content-Type-Options': 'nosniff',
    }
    if (extname(file) === '.html') headers['Content-Security-Policy'] = RENDERER_CSP
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { headers })
  })
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
}
