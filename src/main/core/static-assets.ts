// How the renderer's files are sent, by browser mode and by the desktop app's app:// protocol:
// their types and CSP, and, in browser mode, the build's precompressed copy the browser accepts
// (scripts/vite-precompress.mjs writes them), cached for good when the name carries a content
// hash (assets/), revalidated by ETag otherwise (index.html).
import type { Stats } from 'node:fs'
import { stat } from 'node:fs/promises'
import { extname, join, relative, resolve, sep } from 'node:path'

/** The renderer's Content-Security-Policy, sent as a header with its page. */
export const RENDERER_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
}

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
}

/**
 * The file under `root` a URL path names, or null when the path is malformed or would lead out
 * of `root` (`..`, encoded or not). No fallback: an unknown path is for the caller to refuse.
 */
export function rendererFile(root: string, pathname: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    return null
  }
  if (decoded.includes('\0')) return null
  const base = resolve(root)
  const file = resolve(base, `.${sep}${decoded}`)
  return file.startsWith(base + sep) ? file : null
}

/** In order of preference: Brotli is smaller, gzip is everywhere. */
const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const

export interface AssetVariant {
  /** The file to send: `file` itself or its precompressed copy. */
  path: string
  size: number
  /** The Content-Encoding to send with it; null for the file as it is. */
  encoding: 'br' | 'gzip' | null
}

/** The codings an Accept-Encoding header allows (a q of 0 refuses one; `*` stands for the rest). */
export function acceptedEncodings(header: string | undefined): Set<string> {
  const accepted = new Set<string>()
  const refused = new Set<string>()
  let wildcard = false
  for (const part of (header ?? '').split(',')) {
    const [rawName, ...params] = part.trim().toLowerCase().split(';')
    const name = rawName?.trim()
    if (!name) continue
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    const allowed = q === undefined || Number(q.slice(2)) > 0
    if (name === '*') wildcard = allowed
    else if (allowed) accepted.add(name)
    else refused.add(name)
  }
  if (wildcard) for (const { name } of ENCODINGS) if (!refused.has(name)) accepted.add(name)
  return accepted
}

/** The smallest form of `file` the client accepts: a precompressed copy beside it, or the file. */
export async function pickVariant(
  file: string,
  fileStats: Stats,
  acceptEncoding: string | undefined,
): Promise<AssetVariant> {
  const accepted = acceptedEncodings(acceptEncoding)
  for (const { name, suffix } of ENCODINGS) {
    if (!accepted.has(name)) continue
    const copy = await stat(file + suffix).catch(() => null)
    // A copy older than its file is left from an earlier build: never send it.
    if (copy?.isFile() && copy.mtimeMs >= fileStats.mtimeMs) {
      return { path: file + suffix, size: copy.size, encoding: name }
    }
  }
  return { path: file, size: fileStats.size, encoding: null }
}

/** Hashed build assets never change under their name; everything else is checked each time. */
export function cacheControl(root: string, file: string): string {
  const path = relative(root, file)
  return path.startsWith(join('assets', sep)) ? 'private, max-age=31536000, immutable' : 'no-cache'
}

/** A validator for `no-cache` files: size and time (every build changes them), per encoding. */
export function entityTag(fileStats: Stats, encoding: AssetVariant['encoding']): string {
  const version = `${fileStats.size.toString(16)}-${Math.floor(fileStats.mtimeMs).toString(16)}`
  return `W/"${version}${encoding ? `-${encoding}` : ''}"`
}

/** Whether an If-None-Match header names the current tag (a weak comparison, as for GET). */
export function stillFresh(ifNoneMatch: string | undefined, tag: string): boolean {
  if (!ifNoneMatch) return false
  const bare = tag.replace(/^W\//, '')
  return ifNoneMatch
    .split(',')
    .map((t) => t.trim())
    .some((t) => t === '*' || t.replace(/^W\//, '') === bare)
}
