import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { makeDataDir, RESOURCES_DIR, googleDriveCode } from '../../../test/support/fixtures'
import { DATABASE_FILE, DatabaseFromNewerSkwirlError, openDatabase } from './database'
import { MIGRATIONS } from './migrations'
import { ProviderStore } from './provider-store'

const cleanups: Array<() => void> = []
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.()
})

function dataDir(): string {
  const data = makeDataDir()
  cleanups.push(data.remove)
  return data.dir
}

function open(dir: string): { store: ProviderStore; close: () => void } {
  const db = openDatabase(dir)
  return { store: new ProviderStore(db), close: () => db.close() }
}

describe('the database file', () => {
  it('is created in the data directory with WAL, foreign keys and the latest schema', () => {
    const dir = dataDir()
    const db = openDatabase(dir)
    expect(db.name).toBe(join(dir, DATABASE_FILE))
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length)
    db.close()
  })

  it('refuses a database written by a newer Skwirl, with a message that says what to do', () => {
    const dir = dataDir()
    const raw = new BetterSqlite3(join(dir, DATABASE_FILE))
    raw.pragma(`user_version = ${MIGRATIONS.length + 5}`)
    raw.close()
    expect(() => openDatabase(dir)).toThrow(DatabaseFromNewerSkwirlError)
    expect(() => openDatabase(dir)).toThrow(/newer Skwirl.*Update Skwirl/)
  })

  it('applies migrations to an older database and keeps its rows', () => {
    const dir = dataDir()
    const first = open(dir)
    first.store.create({ name: 'Mine', code: 'x = 1' })
    first.close()
    const again = open(dir)
    expect(again.store.findByName('mine')?.code).toBe('x = 1')
    again.close()
  })
})

describe('ProviderStore', () => {
  it('seeds Google Drive from resources/providers exactly as shipped, once', () => {
    const dir = dataDir()
    const first = open(dir)
    first.store.seedDefaults(RESOURCES_DIR)
    first.store.seedDefaults(RESOURCES_DIR)
    first.close()
    const again = open(dir)
    again.store.seedDefaults(RESOURCES_DIR)
    const providers = again.store.list()
    expect(providers.map((p) => p.name)).toEqual(['Google Drive'])
    const drive = again.store.get(providers[0]!.id)
    expect(drive.code).toBe(googleDriveCode())
    expect(drive.code).toContain('function list_file_ids()')
    again.close()
  })

  it('does not bring back a seeded provider the user removed', () => {
    const dir = dataDir()
    const { store, close } = open(dir)
    store.seedDefaults(RESOURCES_DIR)
    const db = openDatabase(dir)
    db.prepare('DELETE FROM providers').run()
    db.close()
    store.seedDefaults(RESOURCES_DIR)
    expect(store.list()).toEqual([])
    close()
  })

  it('keeps names unique regardless of case and refuses blank names', () => {
    const { store, close } = open(dataDir())
    store.create({ name: 'Dropbox', code: '' })
    expect(() => store.create({ name: 'dropbox', code: '' })).toThrow(/already exists/)
    expect(() => store.create({ name: '   ', code: '' })).toThrow(/needs a name/)
    close()
  })

  it('has ids, timestamps and code, and answers not-found for an unknown id', () => {
    const { store, close } = open(dataDir())
    const created = store.create({ name: '  WebDAV ', code: 'print(1)' })
    expect(created.name).toBe('WebDAV')
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(Date.parse(created.createdAt)).not.toBeNaN()
    expect(store.get(created.id)).toEqual(created)
    expect(() => store.get('nope')).toThrow(/No provider has the id nope/)
    close()
  })

  it('lists providers by name without their code', () => {
    const { store, close } = open(dataDir())
    store.create({ name: 'b', code: 'x' })
    store.create({ name: 'A', code: 'y' })
    const list = store.list()
    expect(list.map((p) => p.name)).toEqual(['A', 'b'])
    expect(list[0]).not.toHaveProperty('code')
    close()
  })

  it('fails clearly when the seed file is missing', () => {
    const dir = dataDir()
    const resources = join(dataDir(), 'resources')
    mkdirSync(join(resources, 'providers'), { recursive: true })
    const { store, close } = open(dir)
    expect(() => store.seedDefaults(resources)).toThrow(/google-drive\.lua/)
    writeFileSync(join(resources, 'providers', 'x'), '')
    copyFileSync(
      join(RESOURCES_DIR, 'providers', 'google-drive.lua'),
      join(resources, 'providers', 'google-drive.lua'),
    )
    store.seedDefaults(resources)
    expect(store.list()).toHaveLength(1)
    close()
  })
})
