// A save is atomic: kill the process that is saving, at any moment, and the provider is still
// one whole version (the old one or the new one), never a mix.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/main/core/database'
import { ProviderStore } from '../../src/main/core/provider-store'
import { crashVersion } from '../support/crash-versions'
import { makeDataDir, REPO_ROOT } from '../support/fixtures'

const WRITER = join(REPO_ROOT, 'test', 'support', 'crash-writer.mjs')
const data = makeDataDir()
afterAll(() => data.remove())

/** Starts the writer, lets it save for `ms`, then kills it with SIGKILL (no cleanup at all). */
async function killWhileSaving(id: string, ms: number): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--experimental-transform-types', '--no-warnings', WRITER, data.dir, id],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  )
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('writing')) resolve()
    })
    void exited.then(() => reject(new Error(`the writer exited before writing: ${stderr}`)))
  })
  await new Promise((resolve) => setTimeout(resolve, ms))
  child.kill('SIGKILL')
  expect(await exited, stderr).toBe('SIGKILL')
}

describe('a save killed half way', () => {
  it('leaves one whole version of the provider, every time', async () => {
    const setup = openDatabase(data.dir)
    const original = new ProviderStore(setup).create(crashVersion(0))
    setup.close()

    const seen = new Set<number>()
    for (const ms of [0, 15, 40, 90, 160, 250]) {
      await killWhileSaving(original.id, ms)
      const db = openDatabase(data.dir)
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
        const provider = new ProviderStore(db).get(original.id)
        const n = Number(/^-- version (\d+)\n/.exec(provider.code)?.[1])
        expect(Number.isInteger(n), provider.code.slice(0, 40)).toBe(true)
        // Name and code are the same version, and the code is that version byte for byte.
        expect({ name: provider.name, code: provider.code }).toEqual(crashVersion(n))
        seen.add(n)
      } finally {
        db.close()
      }
    }
    // The writer got somewhere: the provider moved on from version 0.
    expect([...seen].some((n) => n > 0)).toBe(true)
  }, 60_000)
})
