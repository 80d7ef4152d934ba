// `prepare` (npm install, npm ci): a developer's install builds the app so that a fresh checkout
// works at once; a production install (`npm ci --omit=dev`) has no build tools and skips it.
// Runs under whatever Node npm uses (the system's when dev dependencies are omitted).
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)

let electronVite
try {
  electronVite = join(
    dirname(require.resolve('electron-vite/package.json')),
    'bin/electron-vite.js',
  )
} catch {
  console.log('skwirl: no dev dependencies (a production install); not building.')
  process.exit(0)
}
const build = spawnSync(process.execPath, [electronVite, 'build'], { stdio: 'inherit' })
process.exit(build.status ?? 1)
