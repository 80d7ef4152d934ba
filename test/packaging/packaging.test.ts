// What electron-builder.yml would pack for each platform, as electron-builder itself works it out
// (scripts/pack-plan.mjs), without building: the app's build and its production dependencies,
// the one native binary the target loads, the shipped providers; nothing else.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { packPlan, type PackPlan } from '../../scripts/pack-plan.mjs'

const ROOT = join(__dirname, '..', '..')
const TARGETS = [
  { platform: 'linux', arch: 'x64', binary: 'linux-x64.node' },
  { platform: 'mac', arch: 'arm64', binary: 'darwin-arm64.node' },
  { platform: 'win', arch: 'x64', binary: 'win32-x64.node' },
] as const
/** The renderer's JavaScript budget (issue 17; it was 1,526 KB unminified). */
const RENDERER_JS_BUDGET = 800 * 1024
/** What the app itself weighs in the installer, Electron aside (about 3.9 MB now). */
const APP_BUDGET = 6 * 1024 * 1024

/** The production dependencies and theirs, read from node_modules (not from electron-builder). */
function productionDependencies(): Set<string> {
  const found = new Set<string>()
  const visit = (name: string): void => {
    if (found.has(name)) return
    const manifest = join(ROOT, 'node_modules', name, 'package.json')
    if (!existsSync(manifest)) return // An optional dependency that is not installed.
    found.add(name)
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
      dependencies?: Record<string, string>
      optionalDependencies?: Record<string, string>
    }
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(dep)
  }
  for (const dep of Object.keys(appDependencies())) visit(dep)
  return found
}

function appDependencies(): Record<string, string> {
  const app = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>
  }
  return app.dependencies
}

function moduleOf(path: string): string | null {
  const match = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)
  return match ? match[1]! : null
}

const plans = new Map<string, PackPlan>()

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'out', 'renderer', 'index.html'))) {
    throw new Error('The app is not built: run `npm run build` (npm test builds first).')
  }
  for (const target of TARGETS) plans.set(target.platform, await packPlan(target))
}, 120_000)

describe.each(TARGETS)('the $platform $arch package', ({ platform, binary }) => {
  const plan = (): PackPlan => plans.get(platform)!

  it('holds the build, package.json and what main and the runner load at run time', () => {
    const { asar } = plan()
    for (const needed of [
      'package.json',
      'out/main/index.js',
      'out/main/runner.js',
      'out/preload/index.js',
      'out/renderer/index.html',
      'node_modules/better-sqlite3/lib/index.js',
      'node_modules/fengari/src/fengari.js',
      'node_modules/electron-log/node.js',
      'node_modules/ws/index.js',
    ]) {
      expect(asar, needed).toContain(needed)
    }
    expect(asar.some((path) => /^out\/renderer\/assets\/index-[\w-]+\.js$/.test(path))).toBe(true)
    // Each dependency's entry point, as Node resolves it (main and the runner are Node).
    const fromApp = createRequire(join(ROOT, 'package.json'))
    for (const dep of Object.keys(appDependencies())) {
      const entry = relative(ROOT, fromApp.resolve(dep)).replace(/\\/g, '/')
      expect(asar, entry).toContain(entry)
    }
    // Every file the main build wrote, but for the CLI (run with Node from npm, not the app).
    const mainFiles = readdirSync(join(ROOT, 'out', 'main'), {
      recursive: true,
      withFileTypes: true,
    })
      .filter((entry) => entry.isFile())
      .map((entry) =>
        join(entry.parentPath, entry.name)
          .slice(ROOT.length + 1)
          .replace(/\\/g, '/'),
      )
      .filter((path) => path !== 'out/main/cli.js')
    for (const path of mainFiles) expect(asar, path).toContain(path)
  })

  it('holds nothing else: no sources, tests, benchmarks, docs, scripts, maps or dev dependencies', () => {
    const { asar } = plan()
    const production = productionDependencies()
    const strays = asar.filter((path) => {
      if (path === 'package.json') return false
      if (/^out\/(main|preload|renderer)\//.test(path)) {
        return path === 'out/main/cli.js' || /\.(map|br|gz)$/.test(path)
      }
      const dep = moduleOf(path)
      return dep === null || !production.has(dep)
    })
    expect(strays).toEqual([])
    expect(asar.filter((path) => /\.(map|md|ts|cc|cpp|h|hpp|c|gyp|gypi|mk)$/i.test(path))).toEqual(
      [],
    )
    expect(
      asar.filter((path) => /(^|\/)(test|tests|__tests__|e2e|bench|docs)\//.test(path)),
    ).toEqual([])
    // better-sqlite3 without SQLite's sources, its C++ or node-gyp's leftovers; no C++ headers.
    expect(
      asar.filter((path) => /^node_modules\/better-sqlite3\/(deps|src|build)\//.test(path)),
    ).toEqual([])
    expect(asar.filter((path) => path.startsWith('node_modules/node-addon-api/'))).toEqual([])
  })

  it(`has one native binary, ${binary}, unpacked from the asar where the OS can load it`, () => {
    const { asar, unpacked } = plan()
    const natives = asar.filter((path) => /\.(node|dll|so|dylib|exe)$/.test(path))
    expect(natives).toEqual([`node_modules/better-sqlite3/prebuilds/${binary}`])
    expect(unpacked).toEqual(natives)
  })

  it('ships the providers beside the asar, where the app looks for them', () => {
    const shipped = readdirSync(join(ROOT, 'resources', 'providers'))
      .filter((name) => name.endsWith('.lua'))
      .map((name) => `resources/providers/${name}`)
    expect(plan().resources).toEqual(shipped.sort())
  })

  it('stays lean: the app within its budget, the renderer’s JavaScript under 800 KB', () => {
    const { asar, bytes } = plan()
    expect(bytes).toBeLessThan(APP_BUDGET)
    const rendererJs = asar
      .filter((path) => path.startsWith('out/renderer/') && path.endsWith('.js'))
      .reduce((sum, path) => sum + statSync(join(ROOT, path)).size, 0)
    expect(rendererJs).toBeLessThan(RENDERER_JS_BUDGET)
  })
})

describe('the configuration', () => {
  it('names the app, builds each platform’s installers and associates .lua files', () => {
    const config = plans.get('linux')!.config as {
      appId: string
      productName: string
      npmRebuild: boolean
      afterPack: string
      fileAssociations: Array<{ ext: string }>
      linux: { target: string[] }
      mac: { target: Array<{ target: string }> }
      win: { target: Array<{ target: string }> }
    }
    expect(config.appId).toBe('app.skwirl.desktop')
    expect(config.productName).toBe('Skwirl')
    expect(config.linux.target).toEqual(['AppImage', 'deb'])
    expect(config.mac.target.map((t) => t.target)).toEqual(['dmg'])
    expect(config.win.target.map((t) => t.target)).toEqual(['nsis'])
    expect(config.fileAssociations.map((a) => a.ext)).toEqual(['lua'])
    // The checkout's better-sqlite3 binary (Node-API) serves Electron as it is: never rebuilt.
    expect(config.npmRebuild).toBe(false)
    expect(config.afterPack).toBe('./scripts/after-pack.mjs')
  })
})
