// Migration 7 on a database written before it: the run records and their files stay, the schema
// is sound, and a run can end for the sign-in.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, expect, it } from 'vitest'
import { DATABASE_FILE, openDatabase } from './database'
import { MIGRATIONS } from './migrations'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

it('widens the run reasons in place: records and their files survive, the schema checks out', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skwirl-migration-'))
  dirs.push(dir)
  const old = new BetterSqlite3(join(dir, DATABASE_FILE))
  old.pragma('foreign_keys = ON')
  for (const step of MIGRATIONS.slice(0, 4)) step(old)
  old.pragma('user_version = 4')
  old.exec(`
    INSERT INTO runs (key, id, provider_id, provider_name, status, phase, reason, started_at,
      updated_at, owner_pid, owner_host)
    VALUES (1, 'r1', 'p1', 'Drive', 'failed', 'listing', 'error', '2026-01-01T00:00:00Z',
      '2026-01-01T00:00:00Z', 1, 'h');
    INSERT INTO run_files (run_key, position, file_id, outcome, bytes) VALUES (1, 0, 'f1', 'downloaded', 10);
  `)
  expect(() => old.prepare("UPDATE runs SET reason = 'sign-in' WHERE key = 1").run()).toThrow(
    /CHECK constraint failed/,
  )
  old.close()

  const db = openDatabase(dir)
  try {
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length)
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(db.prepare('SELECT count(*) AS n FROM run_files').get()).toEqual({ n: 1 })
    db.prepare("UPDATE runs SET reason = 'sign-in' WHERE key = 1").run()
    expect(() => db.prepare("UPDATE runs SET reason = 'bogus' WHERE key = 1").run()).toThrow(
      /CHECK constraint failed/,
    )
    // The connection is back to its defensive self: the schema cannot be written by hand.
    expect(() => db.pragma('writable_schema = ON')).not.toThrow()
    expect(() =>
      db.prepare("UPDATE sqlite_schema SET sql = sql WHERE name = 'runs'").run(),
    ).toThrow()
  } finally {
    db.close()
  }
})
