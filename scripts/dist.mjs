// `npm run dist`: the installers for this machine's platform (electron-builder.yml) in dist/:
// AppImage and deb on Linux, dmg on macOS, NSIS on Windows. Arguments go on to electron-builder
// (`npm run dist -- --dir` for an unpacked app only).
// electron-builder packs a downloaded Electron, so that comes first: where it cannot be had (no
// internet), dist stops at once with one line, before building anything.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)

/** electron-builder's names for the platforms it builds on. */
const PLATFORM_FLAGS = { linux: '--linux', darwin: '--mac', win32: '--win' }

/**
 * Fetches (or finds in electron-builder's cache) the Electron zip the build will unpack, the
 * same way electron-builder does; throws when it cannot be had.
 */
export async function fetchElectron({ version, platform, arch }) {
  const builderRequire = createRequire(require.resolve('electron-builder'))
  const { downloadElectronArtifactZip } = builderRequire('app-builder-lib/out/util/electronGet')
  return downloadElectronArtifactZip({
    electronDownload: null,
    artifactName: 'electron',
    platformName: platform,
    arch,
    version,
  })
}

function runNode(script, args) {
  return spawnSync(process.execPath, [script, ...args], { cwd: root, stdio: 'inherit' }).status ?? 1
}

/**
 * @typedef {object} DistOptions
 * @property {string[]} [args] passed on to electron-builder
 * @property {string} [platform] process.platform of the build machine
 * @property {string} [arch]
 * @property {string} [version] Electron's
 * @property {(target: { version: string, platform: string, arch: string }) => Promise<unknown>} [getElectron]
 * @property {() => number} [build]
 * @property {() => number} [icons]
 * @property {(flags: string[]) => number} [pack]
 * @property {(line: string) => void} [say]
 */

/**
 * The steps of `npm run dist`; each is a seam for the test. Answers the exit code.
 * @param {DistOptions} [options]
 */
export async function dist({
  args = [],
  platform = process.platform,
  arch = process.arch,
  version = require('electron/package.json').version,
  getElectron = fetchElectron,
  build = () =>
    runNode(
      join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js'),
      ['build'],
    ),
  icons = () => runNode(join(root, 'scripts', 'icons.mjs'), []),
  pack = (flags) =>
    runNode(join(dirname(require.resolve('electron-builder/package.json')), 'cli.js'), flags),
  say = (line) => console.error(line),
} = {}) {
  const flag = PLATFORM_FLAGS[platform]
  if (!flag) {
    say(`Skwirl: npm run dist builds on Linux, macOS or Windows, not on ${platform}.`)
    return 1
  }
  try {
    await getElectron({ version, platform, arch })
  } catch (error) {
    const offline = ['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH'].includes(error?.code)
    const why = offline ? 'no internet' : String(error?.message ?? error).split('\n')[0]
    say(
      `Skwirl: npm run dist needs Electron ${version} for ${platform}-${arch}, which could not be downloaded here (${why}); nothing was built.`,
    )
    return 1
  }
  for (const step of [build, icons]) {
    const status = step()
    if (status !== 0) return status
  }
  return pack([flag, ...args])
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exit(await dist({ args: process.argv.slice(2) }))
}
