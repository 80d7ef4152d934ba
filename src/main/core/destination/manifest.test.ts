import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { describeHolder, lockDestination } from './lock'
import {
  Manifest,
  ManifestBusyError,
  ManifestFromNewerSkwirlError,
  MANIFEST_FILE,
} from './manifest'

const folders: string[] = []
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'skwirl-manifest-'))
  folders.push(dir)
  return dir
}

describe('the manifest and its lock', () => {
  it('is held by one connection at a time, and free again once it closes', () => {
    const file = join(folder(), MANIFEST_FILE)
    const first = Manifest.open(file)
    expect(() => Manifest.open(file)).toThrow(ManifestBusyError)
    first.close()
    const second = Manifest.open(file)
    second.close()
  })

  it('lets a second run wait, saying who holds it, until the first lets go', async () => {
    const dir = folder()
    const first = await lockDestination({ skwirlDir: dir, purpose: 'backup', provider: 'Drive' })
    const said: string[] = []
    const waiting = lockDestination({
      skwirlDir: dir,
      purpose: 'verify',
      provider: null,
      pollMs: 20,
      onWaiting: (holder) => said.push(holder),
    })
    await vi.waitFor(() => expect(said).toHaveLength(1))
    expect(said).toEqual([
      expect.stringMatching(/^the backup of “Drive” \(Skwirl process \d+, since /),
    ])
    first.release()
    const second = await waiting
    second.release()
    expect(describeHolder(null)).toBe('another Skwirl run using this destination')
  })

  it('refuses a manifest written by a newer Skwirl, saying what to do', () => {
    const file = join(folder(), MANIFEST_FILE)
    const raw = new BetterSqlite3(file)
    raw.pragma('user_version = 99')
    raw.close()
    expect(() => Manifest.open(file)).toThrow(ManifestFromNewerSkwirlError)
    expect(() => Manifest.open(file)).toThrow(/newer Skwirl.*Update Skwirl to use this backup/)
  })
})
