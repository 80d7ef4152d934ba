// The secret store on a real database file: values encrypted at rest under a data key, the key
// kept by the strongest protection there is (a key file only as the last resort), and clear
// refusals when the key cannot be had.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Database } from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase } from '../database'
import { KEY_FILE, keyFileProtector, SecretVault, type KeyProtector } from '.'

const dirs: string[] = []
const dbs: Database[] = []

afterEach(() => {
  for (const db of dbs.splice(0)) db.close()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'skwirl-vault-'))
  dirs.push(dir)
  return dir
}

function database(dir: string): Database {
  const db = openDatabase(dir)
  dbs.push(db)
  return db
}

/** A stand-in for an OS protection (safeStorage, a keyring) that holds keys in memory. */
function systemProtector(
  kind: 'safe-storage' | 'keyring',
  available = true,
): KeyProtector & { held: Map<string, Buffer> } {
  const held = new Map<string, Buffer>()
  return {
    kind,
    description: `the test's ${kind}`,
    held,
    probe: async () => (available ? null : 'not here'),
    seal: (key, keyId) => {
      held.set(keyId, Buffer.from(key))
      return kind === 'safe-storage' ? Buffer.from(`sealed:${keyId}`) : null
    },
    open: (_sealed, keyId) => held.get(keyId) ?? null,
    discard: (keyId) => held.delete(keyId),
  }
}

describe('the secret vault', () => {
  it('keeps values encrypted in the database, bound to their names, in a 0600 key file as a last resort', async () => {
    const dir = dataDir()
    const db = database(dir)
    const vault = new SecretVault(db, [keyFileProtector(dir)])
    expect((await vault.protection()).summary).toBe(
      `Secrets will be encrypted with a key kept by a key file only you can read (${join(dir, KEY_FILE)}).`,
    )
    await vault.set('setting/p/api_key', 'sk-live-abcdef123456', 'p')
    expect(await vault.get('setting/p/api_key')).toBe('sk-live-abcdef123456')
    expect(vault.has('setting/p/api_key')).toBe(true)
    expect(statSync(join(dir, KEY_FILE)).mode & 0o777).toBe(0o600)
    expect(await vault.protection()).toMatchObject({ level: 'key-file' })
    db.pragma('wal_checkpoint(TRUNCATE)')
    expect(readFileSync(join(dir, 'skwirl.db')).includes('sk-live-abcdef123456')).toBe(false)

    // A row copied under another name does not decrypt (the name is authenticated with it).
    db.prepare(
      "INSERT INTO secrets (name, provider_id, data, updated_at) SELECT 'setting/q/x', 'q', data, updated_at FROM secrets WHERE name = 'setting/p/api_key'",
    ).run()
    await expect(vault.get('setting/q/x')).rejects.toThrow(/cannot be decrypted/)

    // Another process (a new vault on the same files) reads it with the same key file.
    const other = new SecretVault(database(dir), [keyFileProtector(dir)])
    expect(await other.get('setting/p/api_key')).toBe('sk-live-abcdef123456')
  })

  it('refuses a key file other users can read, saying how to fix it', async () => {
    const dir = dataDir()
    await new SecretVault(database(dir), [keyFileProtector(dir)]).set('a', 'value-1', null)
    chmodSync(join(dir, KEY_FILE), 0o644)
    const vault = new SecretVault(database(dir), [keyFileProtector(dir)])
    await expect(vault.get('a')).rejects.toThrow(
      `can be read by other users (mode 644); make it yours alone with: chmod 600 '${join(dir, KEY_FILE)}'`,
    )
    expect(await vault.protection()).toMatchObject({ level: 'locked' })
  })

  it('prefers an OS protection and then writes no key file; another process with the keyring reads it', async () => {
    const dir = dataDir()
    const safeStorage = systemProtector('safe-storage')
    const keyring = systemProtector('keyring')
    const app = new SecretVault(database(dir), [safeStorage, keyring, keyFileProtector(dir)])
    await app.set('oauth/p', 'refresh-token-value', 'p')
    expect(() => statSync(join(dir, KEY_FILE))).toThrow()
    expect((await app.protection()).summary).toBe(
      "Secrets are encrypted (AES-256-GCM) with a key kept by the test's safe-storage and the test's keyring.",
    )
    // The CLI has no safeStorage, but the keyring holds the same key.
    const cli = new SecretVault(database(dir), [keyring, keyFileProtector(dir)])
    expect(await cli.get('oauth/p')).toBe('refresh-token-value')
    // Without either, the secrets are locked, and the message says by what and what to do.
    const elsewhere = new SecretVault(database(dir), [
      systemProtector('keyring', false),
      keyFileProtector(dir),
    ])
    await expect(elsewhere.get('oauth/p')).rejects.toThrow(
      /^The stored secrets are protected by the desktop app \(Electron safeStorage\) and the system keyring, which this Skwirl process cannot open \(.*\)\. Open them where they were set/,
    )
  })
})
