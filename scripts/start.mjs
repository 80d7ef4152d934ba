// `npm start`: rebuild when the sources changed since the last build, then open the desktop app.
// Where Electron's binary is missing and cannot be fetched, say so in one line and point to
// browser mode instead of a stack trace.
import { spawnSync, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { staleBuildReason } from './build-state.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const electronDir = dirname(require.resolve('electron/package.json'))

function electronBinary() {
  const pathFile = join(electronDir, 'path.txt')
  if (!existsSync(pathFile)) return null
  const binary = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(binary) ? binary : null
}

let binary = electronBinary()
if (!binary) {
  // Electron fetches its binary on first use; try once, quietly.
  spawnSync(process.execPath, [join(electronDir, 'install.js')], {
    stdio: 'ignore',
    cwd: electronDir,
  })
  binary = electronBinary()
}
if (!binary) {
  console.error(
    'Skwirl: the Electron binary is not installed and could not be downloaded here; use browser mode instead: npx skwirl serve',
  )
  process.exit(1)
}

const stale = staleBuildReason(root)
if (stale) {
  console.log(`Skwirl: building (${stale}).`)
  const electronVite = join(dirname(require.resolve('electron-vite/package.json')), 'bin')
  const build = spawnSync(process.execPath, [join(electronVite, 'electron-vite.js'), 'build'], {
    stdio: 'inherit',
    cwd: root,
  })
  if (build.status !== 0) process.exit(build.status ?? 1)
}

const app = spawn(binary, [root, ...process.argv.slice(2)], { stdio: 'inherit' })
app.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)))
