// Whether out/ is older than what it is built from, so that `npm start` rebuilds only when
// something changed (a build takes seconds; a stale one costs an afternoon).
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

/** What the build reads: the sources, the build configuration, the dependencies. */
const INPUTS = ['src', 'electron.vite.config.ts', 'package.json', 'package-lock.json']
/** One file from each of the build's outputs; electron-vite rewrites them all on every build. */
export const OUTPUTS = [
  'out/main/index.js',
  'out/main/runner.js',
  'out/main/cli.js',
  'out/preload/index.js',
  'out/renderer/index.html',
]

function mtimeOrNull(path) {
  try {
    return statSync(path).mtimeMs
  } catch {
    return null
  }
}

/** The newest file or folder under `path` (a folder's time changes when an entry goes). */
function newest(path) {
  const stats = statSync(path, { throwIfNoEntry: false })
  if (!stats) return null
  let found = { path, mtimeMs: stats.mtimeMs }
  if (stats.isDirectory()) {
    for (const entry of readdirSync(path)) {
      const inner = newest(join(path, entry))
      if (inner && inner.mtimeMs > found.mtimeMs) found = inner
    }
  }
  return found
}

/** Why `root`'s build must be redone, or null when out/ is newer than everything it comes from. */
export function staleBuildReason(root) {
  let built = Infinity
  for (const output of OUTPUTS) {
    const mtime = mtimeOrNull(join(root, output))
    if (mtime === null) return `${output} is missing`
    built = Math.min(built, mtime)
  }
  for (const input of INPUTS) {
    const found = newest(join(root, input))
    if (found && found.mtimeMs > built)
      return `${relative(root, found.path)} changed since the last build`
  }
  return null
}
