// `npm start` rebuilds when, and only when, something the build reads is newer than out/.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { OUTPUTS, staleBuildReason } from '../../scripts/build-state.mjs'

let root: string

function write(path: string, secondsAgo: number): void {
  const full = join(root, path)
  mkdirSync(dirname(full), { recursive: true })
  writeFileSync(full, path)
  age(path, secondsAgo)
}

function age(path: string, secondsAgo: number): void {
  const when = new Date(Date.now() - secondsAgo * 1000)
  utimesSync(join(root, path), when, when)
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'skwirl-build-state-'))
  write('package.json', 100)
  write('electron.vite.config.ts', 100)
  write('src/main/index.ts', 100)
  write('src/renderer/src/App.tsx', 100)
  for (const dir of ['src/main', 'src/renderer/src', 'src/renderer', 'src']) age(dir, 100)
  for (const output of OUTPUTS) write(output, 10)
})

afterEach(() => rmSync(root, { recursive: true, force: true }))

describe('staleBuildReason', () => {
  it('finds a build newer than its sources current', () => {
    expect(staleBuildReason(root)).toBeNull()
  })

  it('names the source edited after the build', () => {
    age('src/renderer/src/App.tsx', 1)
    expect(staleBuildReason(root)).toBe('src/renderer/src/App.tsx changed since the last build')
  })

  it('notices a source removed after the build (its folder changed)', () => {
    rmSync(join(root, 'src/main/index.ts'))
    expect(staleBuildReason(root)).toBe('src/main changed since the last build')
  })

  it('rebuilds when the configuration changed or an output is missing', () => {
    age('electron.vite.config.ts', 1)
    expect(staleBuildReason(root)).toBe('electron.vite.config.ts changed since the last build')
    age('electron.vite.config.ts', 100)
    rmSync(join(root, 'out/preload/index.js'))
    expect(staleBuildReason(root)).toBe('out/preload/index.js is missing')
  })
})
