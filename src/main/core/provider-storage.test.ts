// ProviderStorage on a real database file with the real migrations: what main enforces whatever
// a runner sends, and what becomes of a deleted provider's keys.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Database } from 'better-sqlite3'
import { makeDataDir } from '../../../test/support/fixtures'
import { openDatabase } from './database'
import { ProviderStorage, StorageError } from './provider-storage'
import { ProviderStore } from './provider-store'

let data: { dir: string; remove: () => void }
let db: Database
let storage: ProviderStorage

beforeEach(() => {
  data = makeDataDir()
  db = openDatabase(data.dir)
  storage = new ProviderStorage(db)
})

afterEach(() => {
  db.close()
  data.remove()
})

describe('ProviderStorage', () => {
  it('keeps JSON text per provider and key, across a reopen', () => {
    storage.set('p1', 'cursor', '{"page":2}')
    storage.set('p2', 'cursor', '"other"')
    expect(storage.get('p1', 'cursor')).toBe('{"page":2}')
    expect(storage.get('p2', 'cursor')).toBe('"other"')
    expect(storage.get('p1', 'missing')).toBeNull()
    db.close()
    db = openDatabase(data.dir)
    storage = new ProviderStorage(db)
    expect(storage.get('p1', 'cursor')).toBe('{"page":2}')
    expect(storage.delete('p1', 'cursor')).toBe(true)
    expect(storage.delete('p1', 'cursor')).toBe(false)
    expect(storage.get('p1', 'cursor')).toBeNull()
  })

  it('refuses what a runner should never send: bad keys, text that is not JSON, values too big', () => {
    expect(() => storage.set('p', '', '1')).toThrow(/the key must be a non-empty string/)
    expect(() => storage.set('p', 'k'.repeat(257), '1')).toThrow(/a key may be at most 256 bytes/)
    expect(() => storage.get('p', 'é'.repeat(129))).toThrow(/the key is 258 bytes/)
    expect(() => storage.set('p', 'k', '{oops')).toThrow(/the value is not valid JSON/)
    expect(() => storage.set('p', 'k', `"${'x'.repeat(65535)}"`)).toThrow(StorageError)
    expect(() => storage.set('p', 'k', `"${'x'.repeat(65535)}"`)).toThrow(
      'skwirl.storage.set: the value is 65537 bytes as JSON; a value may be at most 64 KiB',
    )
    storage.set('p', 'k', `"${'x'.repeat(65534)}"`)
    expect(storage.usage('p')).toBe(65536 + 1)
  })

  it('counts keys and values in UTF-8 bytes toward the provider’s total; other providers apart', () => {
    const small = new ProviderStorage(db, { keyBytes: 16, valueBytes: 100, providerBytes: 200 })
    small.set('p', 'ü', `"${'é'.repeat(40)}"`) // key 2 bytes, value 82 bytes
    expect(small.usage('p')).toBe(84)
    small.set('p', 'b', `"${'x'.repeat(98)}"`) // 1 + 100
    expect(small.usage('p')).toBe(185)
    expect(() => small.set('p', 'c', '"xxxxxxxxxxxxxx"')).toThrow(
      "skwirl.storage.set: this provider's storage would hold 202 bytes; it may hold at most 200 bytes (keys and values together): delete keys it no longer needs",
    )
    // Replacing a key counts its new size, not both.
    small.set('p', 'b', `"${'y'.repeat(98)}"`)
    small.set('other', 'c', `"${'x'.repeat(98)}"`)
    expect(small.usage('other')).toBe(101)
  })

  it('goes with its provider when the provider is deleted', () => {
    const providers = new ProviderStore(db)
    const stored = providers.create({ name: 'Stored', code: 'function list_file_ids() end' })
    storage.set(stored.id, 'token', '"abc"')
    storage.set('file:/tmp/x.lua', 'token', '"def"')
    providers.delete(stored.id)
    expect(storage.get(stored.id, 'token')).toBeNull()
    expect(storage.get('file:/tmp/x.lua', 'token')).toBe('"def"')
  })
})
