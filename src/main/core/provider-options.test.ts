import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { makeDataDir } from '../../../test/support/fixtures'
import { DATABASE_FILE, openDatabase } from './database'
import { MIGRATIONS } from './migrations'
import { SCHEDULE_OFF as OFF } from '../../shared/schedule'
import { ScheduleStore } from './scheduler'
import { ProviderOptionsStore } from './provider-options'
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

describe('migration 6: destinations', () => {
  it('rebuilds runs and run_files with their rows, and the cascade still holds', () => {
    const dir = dataDir()
    const raw = new BetterSqlite3(join(dir, DATABASE_FILE))
    raw.pragma('foreign_keys = ON')
    raw.transaction(() => {
      for (const step of MIGRATIONS.slice(0, 5)) step(raw)
      raw.pragma('user_version = 5')
    })()
    const run = raw.prepare(`
      INSERT INTO runs (id, provider_id, provider_name, status, phase, reason, started_at,
        finished_at, listed, downloaded, failed, bytes, updated_at, owner_pid, owner_host)
      VALUES (?, 'p', 'P', ?, 'backing-up', ?, ?, ?, 2, 1, 1, 10, ?, 1, 'h')`)
    run.run('r1', 'completed', null, '2025-01-01T00:00:00Z', '2025-01-01T00:01:00Z', 'x')
    run.run('r2', 'failed', 'interrupted', '2025-01-02T00:00:00Z', null, 'x')
    const file = raw.prepare(`
      INSERT INTO run_files (run_key, position, file_id, outcome, failed_at, bytes)
      VALUES (?, ?, ?, ?, ?, ?)`)
    file.run(1, 0, 'a', 'downloaded', null, 10)
    file.run(1, 1, 'b', 'failed', 'metadata', 0)
    file.run(2, 0, 'c', 'failed', 'download', 0)
    raw.close()

    const db = openDatabase(dir)
    cleanups.push(() => db.close())
    expect(
      db.prepare('SELECT id, status, reason, unchanged, destination FROM runs ORDER BY key').all(),
    ).toEqual([
      { id: 'r1', status: 'completed', reason: null, unchanged: 0, destination: null },
      { id: 'r2', status: 'failed', reason: 'interrupted', unchanged: 0, destination: null },
    ])
    expect(
      db
        .prepare('SELECT run_key, file_id, outcome FROM run_files ORDER BY run_key, position')
        .all(),
    ).toEqual([
      { run_key: 1, file_id: 'a', outcome: 'downloaded' },
      { run_key: 1, file_id: 'b', outcome: 'failed' },
      { run_key: 2, file_id: 'c', outcome: 'failed' },
    ])
    // The new values are allowed, and run_files still follows runs.
    db.prepare(
      "UPDATE runs SET reason = 'destination', problem = 'destination full' WHERE key = 2",
    ).run()
    db.prepare(
      "INSERT INTO run_files (run_key, position, file_id, outcome, bytes) VALUES (1, 2, 'd', 'unchanged', 0)",
    ).run()
    db.prepare('DELETE FROM runs WHERE key = 1').run()
    expect(db.prepare('SELECT COUNT(*) AS n FROM run_files').get()).toEqual({ n: 1 })
    expect(db.pragma('foreign_key_check')).toEqual([])
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
  })
})

describe('ProviderOptionsStore', () => {
  function stores(): { providers: ProviderStore; options: ProviderOptionsStore } {
    const db = openDatabase(dataDir())
    cleanups.push(() => db.close())
    return {
      providers: new ProviderStore(db),
      options: new ProviderOptionsStore(db, new ScheduleStore(db)),
    }
  }

  it('has the defaults until something is set: check only, versions kept 30 days', () => {
    const { options } = stores()
    expect(options.get('nobody')).toEqual({
      destination: null,
      retentionDays: 30,
      transfers: 1,
      schedule: OFF,
    })
    expect(options.all(['a', 'b'])).toEqual({
      a: { destination: null, retentionDays: 30, transfers: 1, schedule: OFF },
      b: { destination: null, retentionDays: 30, transfers: 1, schedule: OFF },
    })
  })

  it('takes a folder’s full path, creating it when missing, and keeps the other options', () => {
    const { providers, options } = stores()
    const { id } = providers.create({ name: 'P', code: '' })
    const target = join(dataDir(), 'backups', 'P')
    expect(options.set(id, { destination: `  ${target}  ` })).toEqual({
      destination: target,
      retentionDays: 30,
      transfers: 1,
      schedule: OFF,
      created: true,
      scheduleChanged: false,
    })
    expect(existsSync(target)).toBe(true)
    expect(options.set(id, { retentionDays: 7 })).toMatchObject({
      destination: target,
      created: false,
    })
    expect(options.get(id)).toEqual({
      destination: target,
      retentionDays: 7,
      transfers: 1,
      schedule: OFF,
    })
    expect(options.set(id, { destination: null })).toMatchObject({
      destination: null,
      retentionDays: 7,
    })
    // A relative path needs a base (the CLI's working directory); the app gives none.
    expect(options.set(id, { destination: 'rel' }, target).destination).toBe(join(target, 'rel'))
  })

  it('refuses what cannot be a destination, with a sentence that says why', () => {
    const { providers, options } = stores()
    const { id } = providers.create({ name: 'P', code: '' })
    const base = dataDir()
    const file = join(base, 'a-file')
    writeFileSync(file, '')
    mkdirSync(join(base, 'ok'))
    expect(() => options.set(id, { destination: '' })).toThrow('Choose a folder for the backup.')
    expect(() => options.set(id, { destination: 'Backups/Drive' })).toThrow(
      /^Give the folder's full path \(such as .*\), not "Backups\/Drive"\.$/,
    )
    expect(() => options.set(id, { destination: file })).toThrow(`${file} is a file, not a folder.`)
    expect(() => options.set(id, { destination: join(file, 'below') })).toThrow(
      /is a file, not a folder|Part of/,
    )
    expect(() => options.set(id, { retentionDays: -1 })).toThrow(/from 0 to 36500/)
    expect(() => options.set(id, { retentionDays: 1.5 })).toThrow(/whole number/)
    expect(options.get(id)).toEqual({
      destination: null,
      retentionDays: 30,
      transfers: 1,
      schedule: OFF,
    })
  })

  it('holds the transfers: 1 to 16 files at a time, kept beside the other options', () => {
    const { providers, options } = stores()
    const { id } = providers.create({ name: 'P', code: '' })
    expect(options.set(id, { transfers: 4 })).toMatchObject({ transfers: 4, retentionDays: 30 })
    expect(options.runOptions(id)).toEqual({ destination: null, retentionDays: 30, transfers: 4 })
    options.set(id, { retentionDays: 9 })
    expect(options.get(id)).toMatchObject({ transfers: 4, retentionDays: 9 })
    for (const bad of [0, 17, 2.5]) {
      expect(() => options.set(id, { transfers: bad })).toThrow(
        /^Transfers: back up a whole number of files at once, from 1 to 16 \(transfers must be/,
      )
    }
    expect(options.set(id, { transfers: 16 }).transfers).toBe(16)
    expect(options.set(id, { transfers: 1 }).transfers).toBe(1)
  })

  it('holds the schedule too: set with the others, all or nothing', () => {
    const { providers, options } = stores()
    const { id } = providers.create({ name: 'P', code: '' })
    const daily = { kind: 'daily', time: '02:30' } as const
    expect(options.set(id, { schedule: daily })).toMatchObject({
      schedule: daily,
      scheduleChanged: true,
    })
    expect(options.set(id, { schedule: daily })).toMatchObject({ scheduleChanged: false })
    expect(options.get(id)).toEqual({
      destination: null,
      retentionDays: 30,
      transfers: 1,
      schedule: daily,
    })
    expect(options.all([id])[id]?.schedule).toEqual(daily)
    // A bad destination beside a new schedule: neither is kept.
    expect(() =>
      options.set(id, { destination: 'relative', schedule: { kind: 'interval', hours: 2 } }),
    ).toThrow(/full path/)
    expect(options.get(id).schedule).toEqual(daily)
  })

  it('forgets a provider’s options when the provider is deleted', () => {
    const { providers, options } = stores()
    const { id } = providers.create({ name: 'P', code: '' })
    options.set(id, { retentionDays: 3, schedule: { kind: 'interval', hours: 4 } })
    providers.delete(id)
    expect(options.get(id)).toEqual({
      destination: null,
      retentionDays: 30,
      transfers: 1,
      schedule: OFF,
    })
  })
})
