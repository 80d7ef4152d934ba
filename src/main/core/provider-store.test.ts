import type { Database } from 'better-sqlite3'
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import {
  googleDriveCode,
  makeDataDir,
  RESOURCES_DIR,
  shippedGoogleDriveCode,
} from '../../../test/support/fixtures'
import { DATABASE_FILE, DatabaseFromNewerSkwirlError, openDatabase } from './database'
import { CodeDoesNotCompileError } from './lua-check'
import { MIGRATIONS } from './migrations'
import { copyName, ProviderStore } from './provider-store'

const cleanups: Array<() => void> = []
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.()
})

function dataDir(): string {
  const data = makeDataDir()
  cleanups.push(data.remove)
  return data.dir
}

function open(dir: string): { store: ProviderStore; db: Database; close: () => void } {
  const db = openDatabase(dir)
  return { store: new ProviderStore(db), db, close: () => db.close() }
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
    expect(drive.code).toBe(shippedGoogleDriveCode())
    expect(drive.code).toContain('function list_file_ids()')
    again.close()
  })

  /** A data directory seeded by the first Skwirl: the seed's Drive text in it, as shipped. */
  function seededWithTheSeedText(): { dir: string; resources: string; id: string } {
    const dir = dataDir()
    const resources = join(dataDir(), 'resources')
    mkdirSync(join(resources, 'providers'), { recursive: true })
    writeFileSync(join(resources, 'providers', 'google-drive.lua'), googleDriveCode())
    const old = open(dir)
    old.store.seedDefaults(resources)
    const id = old.store.list()[0]!.id
    // The first Skwirl kept no id for what it seeded: only the name says which it is.
    old.db.prepare("DELETE FROM app_meta WHERE key LIKE 'seeded-id:%'").run()
    old.close()
    return { dir, resources, id }
  }

  it('gives a database that holds the seed text unchanged the new shipped text', () => {
    const { dir, id } = seededWithTheSeedText()
    const now = open(dir)
    now.store.seedDefaults(RESOURCES_DIR)
    expect(now.store.get(id).code).toBe(shippedGoogleDriveCode())
    expect(now.store.shippedUpdate(id)).toBeNull()
    now.close()
  })

  it('keeps an edited Google Drive and offers the shipped text, until it is dismissed', () => {
    const { dir, id } = seededWithTheSeedText()
    const edited = `${googleDriveCode()}
-- my change
`
    const before = open(dir)
    before.store.update(id, { name: 'Google Drive', code: edited, expectedUpdatedAt: null })
    before.close()

    const now = open(dir)
    now.store.seedDefaults(RESOURCES_DIR)
    expect(now.store.get(id).code).toBe(edited)
    expect(now.store.shippedUpdate(id)).toEqual({
      key: 'google-drive',
      code: shippedGoogleDriveCode(),
    })
    // Another provider is never offered it.
    const other = now.store.create({ name: 'Mine', code: shippedGoogleDriveCode() })
    expect(now.store.shippedUpdate(other.id)).toBeNull()

    now.store.dismissShippedUpdate(id)
    expect(now.store.shippedUpdate(id)).toBeNull()
    expect(now.store.get(id).code).toBe(edited)
    now.close()
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

  it.each([
    ['Über', 'über'],
    ['Straße', 'STRASSE'],
    ['Café', 'CAFE\u0301'],
    ['ΣΊΣΥΦΟΣ', 'σίσυφος'],
    ['  Box ', 'box'],
  ])('treats %j and %j as the same name (Unicode case folding, NFC)', (first, second) => {
    const { store, close } = open(dataDir())
    store.create({ name: first, code: '' })
    const clash = catchError(() => store.create({ name: second, code: '' }))
    expect(clash).toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/already exists/),
    })
    expect(store.findByName(second)?.name).toBe(first.trim())
    expect(store.list()).toHaveLength(1)
    close()
  })

  it.each([
    ['', 'A provider needs a name.'],
    [' \t ', 'A provider needs a name.'],
    ['x'.repeat(81), 'A name can be at most 80 characters long.'],
    ['two\nlines', 'A name cannot contain line breaks or tabs.'],
    ['tab\there', 'A name cannot contain line breaks or tabs.'],
  ])('refuses the name %j with a message for the person', (name, message) => {
    const { store, close } = open(dataDir())
    expect(catchError(() => store.create({ name, code: '' }))).toMatchObject({
      code: 'invalid-argument',
      message,
    })
    expect(store.list()).toEqual([])
    close()
  })

  it('accepts an 80-character name, counting characters rather than UTF-16 units', () => {
    const { store, close } = open(dataDir())
    expect(store.create({ name: '☁️'.repeat(40), code: '' }).name).toBe('☁️'.repeat(40))
    expect(store.create({ name: '𝄞'.repeat(80), code: '' }).name).toHaveLength(160)
    close()
  })

  it('refuses code that does not compile, naming the line, and writes nothing', () => {
    const { store, close } = open(dataDir())
    const error = catchError(() => store.create({ name: 'Broken', code: 'x = 1\nfunction (' }))
    expect(error).toBeInstanceOf(CodeDoesNotCompileError)
    expect(error).toMatchObject({
      code: 'invalid-argument',
      message: "The code does not compile: line 2: <name> expected near '('",
      syntaxError: { line: 2, message: "<name> expected near '('" },
    })
    expect(store.list()).toEqual([])
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
    store.create({ name: 'b', code: 'x = 1' })
    store.create({ name: 'A', code: 'y = 1' })
    const list = store.list()
    expect(list.map((p) => p.name)).toEqual(['A', 'b'])
    expect(list[0]).not.toHaveProperty('code')
    close()
  })

  it('deletes a provider, and answers not-found for one that is gone', () => {
    const { store, close } = open(dataDir())
    const a = store.create({ name: 'A', code: '' })
    const b = store.create({ name: 'B', code: '' })
    store.delete(a.id)
    expect(store.list().map((p) => p.name)).toEqual(['B'])
    expect(catchError(() => store.delete(a.id))).toMatchObject({ code: 'not-found' })
    expect(store.get(b.id).name).toBe('B')
    // The name is free again.
    expect(store.create({ name: 'a', code: '' }).name).toBe('a')
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

describe('ProviderStore.update: saving from the editor', () => {
  function withProviders() {
    const { store, close } = open(dataDir())
    cleanups.push(close)
    const mine = store.create({ name: 'Mine', code: 'x = 1' })
    const other = store.create({ name: 'Other', code: 'y = 2' })
    return { store, mine, other }
  }

  it('saves name and code together with a later updatedAt', () => {
    const { store, mine } = withProviders()
    const saved = store.update(mine.id, {
      name: ' Renamed ',
      code: 'x = 2',
      expectedUpdatedAt: mine.updatedAt,
    })
    expect(saved).toMatchObject({ id: mine.id, name: 'Renamed', code: 'x = 2' })
    expect(saved.createdAt).toBe(mine.createdAt)
    expect(saved.updatedAt > mine.updatedAt).toBe(true)
    expect(store.get(mine.id)).toEqual(saved)
    expect(store.findByName('renamed')?.id).toBe(mine.id)
    expect(store.findByName('Mine')).toBeNull()
  })

  it('gives every save its own updatedAt, even several in one millisecond', () => {
    const { store, mine } = withProviders()
    let current = mine
    const seen = new Set([mine.updatedAt])
    for (let i = 0; i < 20; i++) {
      current = store.update(mine.id, {
        name: 'Mine',
        code: `x = ${i + 10}`,
        expectedUpdatedAt: current.updatedAt,
      })
      seen.add(current.updatedAt)
    }
    expect(seen.size).toBe(21)
  })

  it('changes nothing, not even updatedAt, when nothing changed', () => {
    const { store, mine } = withProviders()
    expect(
      store.update(mine.id, { name: 'Mine', code: 'x = 1', expectedUpdatedAt: mine.updatedAt }),
    ).toEqual(mine)
  })

  it('lets a provider change the case of its own name, but not take another’s', () => {
    const { store, mine, other } = withProviders()
    const recased = store.update(mine.id, {
      name: 'MINE',
      code: 'x = 1',
      expectedUpdatedAt: mine.updatedAt,
    })
    expect(recased.name).toBe('MINE')
    const clash = catchError(() =>
      store.update(mine.id, { name: 'other', code: 'x = 3', expectedUpdatedAt: recased.updatedAt }),
    )
    expect(clash).toMatchObject({
      code: 'conflict',
      message: 'A provider named “other” already exists. Choose another name.',
    })
    expect(store.get(mine.id)).toEqual(recased)
    expect(store.get(other.id)).toEqual(other)
  })

  it('refuses a blank name or code that does not compile, keeping what was saved', () => {
    const { store, mine } = withProviders()
    expect(
      catchError(() =>
        store.update(mine.id, { name: '  ', code: 'x = 5', expectedUpdatedAt: null }),
      ),
    ).toMatchObject({ code: 'invalid-argument', message: 'A provider needs a name.' })
    expect(
      catchError(() =>
        store.update(mine.id, { name: 'Mine', code: 'x = = 5', expectedUpdatedAt: null }),
      ),
    ).toMatchObject({ code: 'invalid-argument', syntaxError: { line: 1 } })
    expect(store.get(mine.id)).toEqual(mine)
  })

  it('refuses a save based on an older version as outdated; null overwrites', () => {
    const { store, mine } = withProviders()
    const elsewhere = store.update(mine.id, {
      name: 'Mine',
      code: 'x = "from the CLI"',
      expectedUpdatedAt: mine.updatedAt,
    })
    const stale = catchError(() =>
      store.update(mine.id, {
        name: 'Mine',
        code: 'x = "mine"',
        expectedUpdatedAt: mine.updatedAt,
      }),
    )
    expect(stale).toMatchObject({
      code: 'outdated',
      message:
        '“Mine” was changed somewhere else (another window, or the CLI) after you opened it.',
    })
    expect(store.get(mine.id)).toEqual(elsewhere)
    const forced = store.update(mine.id, {
      name: 'Mine',
      code: 'x = "mine"',
      expectedUpdatedAt: null,
    })
    expect(store.get(mine.id).code).toBe('x = "mine"')
    expect(forced.updatedAt > elsewhere.updatedAt).toBe(true)
  })

  it('answers not-found for a provider deleted meanwhile', () => {
    const { store, mine } = withProviders()
    store.delete(mine.id)
    expect(
      catchError(() => store.update(mine.id, { name: 'Mine', code: '', expectedUpdatedAt: null })),
    ).toMatchObject({ code: 'not-found' })
    expect(store.list().map((p) => p.name)).toEqual(['Other'])
  })

  it('is one write: a failure in the middle of the UPDATE leaves the old provider whole', () => {
    const dir = dataDir()
    const db = openDatabase(dir)
    cleanups.push(() => db.close())
    const store = new ProviderStore(db)
    const mine = store.create({ name: 'Mine', code: 'x = 1' })
    // The row is rewritten, then the statement fails (as a crash or a full disk would make it).
    db.exec(
      "CREATE TEMP TRIGGER fail_after_update AFTER UPDATE ON providers BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    )
    expect(() =>
      store.update(mine.id, { name: 'New', code: 'x = 2', expectedUpdatedAt: mine.updatedAt }),
    ).toThrow('disk full')
    expect(store.get(mine.id)).toEqual(mine)
    expect(store.findByName('Mine')?.id).toBe(mine.id)
    expect(store.findByName('New')).toBeNull()
  })
})

describe('ProviderStore.duplicate', () => {
  it('copies the saved code under "<name> copy", then "copy 2", …', () => {
    const { store, close } = open(dataDir())
    cleanups.push(close)
    const original = store.create({ name: 'Drive', code: 'x = 1' })
    const first = store.duplicate(original.id)
    const second = store.duplicate(original.id)
    const ofCopy = store.duplicate(first.id)
    expect([first.name, second.name, ofCopy.name]).toEqual([
      'Drive copy',
      'Drive copy 2',
      'Drive copy copy',
    ])
    expect(first.code).toBe('x = 1')
    expect(first.id).not.toBe(original.id)
    expect(store.list()).toHaveLength(4)
    expect(catchError(() => store.duplicate('gone'))).toMatchObject({ code: 'not-found' })
  })

  it('skips names taken in any case and stays within the length limit', () => {
    const { store, close } = open(dataDir())
    cleanups.push(close)
    const long = store.create({ name: 'L'.repeat(80), code: '' })
    store.create({ name: 'drive COPY', code: '' })
    const drive = store.create({ name: 'Drive', code: '' })
    expect(store.duplicate(drive.id).name).toBe('Drive copy 2')
    const copy = store.duplicate(long.id)
    expect(copy.name).toBe(`${'L'.repeat(75)} copy`)
    expect(copyName('x'.repeat(80), 12)).toHaveLength(80)
  })
})

describe('migration 2: names unique under Unicode case folding', () => {
  it('keys existing names and renames a later one that now clashes', () => {
    const dir = dataDir()
    const raw = new BetterSqlite3(join(dir, DATABASE_FILE))
    raw.transaction(() => {
      MIGRATIONS[0]?.(raw)
      raw.pragma('user_version = 1')
    })()
    const insert = raw.prepare(
      'INSERT INTO providers (id, name, code, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
    )
    insert.run('a', 'Über', 'x = 1', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z')
    insert.run('b', 'über', 'x = 2', '2025-01-02T00:00:00.000Z', '2025-01-02T00:00:00.000Z')
    insert.run('c', 'Dropbox', 'x = 3', '2025-01-03T00:00:00.000Z', '2025-01-03T00:00:00.000Z')
    raw.close()

    const { store, close } = open(dir)
    cleanups.push(close)
    expect(store.list().map((p) => [p.id, p.name])).toEqual([
      ['c', 'Dropbox'],
      ['a', 'Über'],
      ['b', 'über (2)'],
    ])
    expect(store.get('b').code).toBe('x = 2')
    expect(() => store.create({ name: 'DROPBOX', code: '' })).toThrow(/already exists/)
  })
})

function catchError(body: () => unknown): unknown {
  try {
    body()
  } catch (error) {
    return error
  }
  throw new Error('expected an error')
}
