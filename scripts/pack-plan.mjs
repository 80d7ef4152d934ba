// What `npm run dist` would put into the app, worked out by electron-builder itself without
// building anything: it loads electron-builder.yml as a build would, then, where a build would
// download Electron and write app.asar, runs the same file matchers over this checkout instead.
//   node scripts/pack-plan.mjs [linux|mac|win] [x64|arm64]   prints the list
import { createRequire } from 'node:module'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
// electron-builder's engine; its internals are reached through it, as the build reaches them.
const builderRequire = createRequire(createRequire(import.meta.url).resolve('electron-builder'))
const lib = builderRequire('app-builder-lib')
const { getMainFileMatchers, getNodeModuleFileMatcher, getFileMatchers } = builderRequire(
  'app-builder-lib/out/fileMatcher',
)
const { computeFileSets, computeNodeModuleFileSets, getDestinationPath } = builderRequire(
  'app-builder-lib/out/util/appFileCopier',
)
const { detectUnpackedDirs } = builderRequire('app-builder-lib/out/asar/unpackDetector')

const PLATFORMS = { linux: lib.Platform.LINUX, mac: lib.Platform.MAC, win: lib.Platform.WINDOWS }
const HELPERS = { linux: lib.LinuxPackager, mac: lib.MacPackager, win: lib.WinPackager }

/**
 * @typedef {object} PackPlan
 * @property {string} platform electron-builder's name for it: linux, mac or win
 * @property {string} arch
 * @property {Record<string, unknown>} config the configuration as electron-builder resolved it
 * @property {string[]} asar paths inside app.asar, sorted
 * @property {string[]} unpacked the paths of `asar` that go to app.asar.unpacked instead
 * @property {string[]} resources paths under the app's resources folder, outside app.asar
 * @property {number} bytes the size of everything in `asar` and `resources`
 */

/**
 * @param {{ platform: 'linux' | 'mac' | 'win', arch: 'x64' | 'arm64', projectDir?: string }} target
 * @returns {Promise<PackPlan>}
 */
export async function packPlan({ platform, arch, projectDir = root }) {
  /** @type {PackPlan | null} */
  let plan = null
  const packager = new lib.Packager({
    projectDir,
    targets: PLATFORMS[platform].createTarget(['dir'], lib.Arch[arch]),
    // Only what a build reads and matches: pack() is replaced by the plan.
    platformPackagerFactory: (info) => {
      const helper = new HELPERS[platform](info)
      helper.pack = async (outDir, archValue) => {
        plan = await planFor(helper, platform, outDir, archValue)
      }
      return helper
    },
  })
  // A plan writes nothing: not even builder-debug.yml into dist/.
  packager.debugLogger.isEnabled = false
  const quietly = silenceBuilderLog()
  try {
    await packager.build()
  } finally {
    quietly.restore()
  }
  if (!plan) throw new Error(`electron-builder planned nothing for ${platform} ${arch}.`)
  return plan
}

async function planFor(helper, platform, outDir, archValue) {
  const info = helper.info
  const options = helper.platformSpecificBuildOptions
  const matcherOptions = helper.createGetFileMatchersOptions(outDir, archValue, options)
  const { macroExpander } = matcherOptions
  // Where a build puts them (doPack); nothing is written there.
  const appOutDir = join(outDir, 'plan-unpacked')
  const resourcesDir = helper.getResourcesDir(appOutDir)
  const appDestination = join(resourcesDir, 'app')

  const mainMatchers = getMainFileMatchers(
    info.appDir,
    appDestination,
    macroExpander,
    options,
    helper,
    outDir,
    false,
  )
  const fileSets = await computeFileSets(mainMatchers, null, helper, false)
  const moduleMatcher = getNodeModuleFileMatcher(
    info.appDir,
    appDestination,
    macroExpander,
    options,
    info,
  )
  fileSets.push(...(await computeNodeModuleFileSets(helper, moduleMatcher)))

  // As the asar packager decides: the asarUnpack patterns, then whole modules that hold binaries.
  const unpackMatcher = getFileMatchers(info.config, 'asarUnpack', appDestination, {
    ...matcherOptions,
    defaultSrc: info.appDir,
  })?.[0]
  const unpackFilter = unpackMatcher?.createFilter()
  const unpackedDirs = new Set()
  for (const fileSet of fileSets) detectUnpackedDirs(fileSet, unpackedDirs)

  const asar = []
  const unpacked = []
  let bytes = 0
  for (const fileSet of fileSets) {
    for (const file of fileSet.files) {
      const stat = fileSet.metadata.get(file)
      if (!stat?.isFile()) continue
      const path = toPosix(relative(appDestination, getDestinationPath(file, fileSet)))
      asar.push(path)
      bytes += stat.size
      const inUnpackedDir = [...unpackedDirs].some((dir) => path.startsWith(`${toPosix(dir)}/`))
      if (unpackFilter?.(file, stat) || inUnpackedDir) unpacked.push(path)
    }
  }

  const resources = []
  for (const matcher of helper.getExtraFileMatchers(true, appOutDir, matcherOptions) ?? []) {
    const [set] = await computeFileSets([matcher], null, helper, false)
    for (const file of set?.files ?? []) {
      const stat = set.metadata.get(file)
      if (!stat?.isFile()) continue
      resources.push(toPosix(relative(resourcesDir, getDestinationPath(file, set))))
      bytes += stat.size
    }
  }
  return {
    platform,
    arch: lib.Arch[archValue],
    config: info.config,
    asar: asar.sort(),
    unpacked: unpacked.sort(),
    resources: resources.sort(),
    bytes,
  }
}

function toPosix(path) {
  return sep === '/' ? path : path.split(sep).join('/')
}

/** electron-builder reports each step on stdout; a plan is a question, not a build. */
function silenceBuilderLog() {
  const { log } = builderRequire('builder-util')
  const saved = { info: log.info, warn: log.warn }
  log.info = () => {}
  if (!process.env.DEBUG) log.warn = () => {}
  return { restore: () => Object.assign(log, saved) }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const platform = process.argv[2] ?? { darwin: 'mac', win32: 'win' }[process.platform] ?? 'linux'
  const arch = process.argv[3] ?? (process.arch === 'arm64' ? 'arm64' : 'x64')
  const plan = await packPlan({ platform, arch })
  for (const path of plan.asar) {
    console.log(`app.asar${plan.unpacked.includes(path) ? '.unpacked' : ''}/${path}`)
  }
  for (const path of plan.resources) console.log(`resources/${path}`)
  console.log(
    `${plan.platform} ${plan.arch}: ${plan.asar.length} files in app.asar (${plan.unpacked.length} unpacked), ${plan.resources.length} resources, ${(plan.bytes / 1024 / 1024).toFixed(1)} MB`,
  )
}
