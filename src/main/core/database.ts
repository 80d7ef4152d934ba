import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import BetterSqlite3, { type Database } from 'better-sqlite3'
import { MIGRATIONS } from './migrations'

export const DATABASE_FILE = 'skwirl.db'

export class DatabaseFromNewerSkwirlError extends Error {
  override name = 'DatabaseFromNewerSkwirlError'
}

/** Opens (creating if needed) the database in dataDir and brings its schema up to date. */
export function openDatabase(dataDir: string): Database {
  const file = join(dataDir, DATABASE_FILE)
  mkdirSync(dirname(file), { recursive: true })
  const db = new BetterSqlite3(file)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('foreign_keys = ON')
    // The desktop app and the CLI may share the file: wait for the other's write instead of failing.
    db.pragma('busy_timeout = 5000')
    migrate(db, file)
    return db
  } catch (error) {
    db.close()
    throw error
  }
}

export function migrate(db: Database, file = 'the database'): void {
  applyMigrations(db, MIGRATIONS, (current, known) => {
    return new DatabaseFromNewerSkwirlError(
      `${file} was written by a newer Skwirl (schema version ${current}; this Skwirl knows up to ${known}). Update Skwirl, or point SKWIRL_DATA_DIR at another directory.`,
    )
  })
}

/**
 * Brings a database up to the newest of `migrations` against PRAGMA user_version, one
 * transaction each; a database from a newer Skwirl gets the error `tooNew` makes.
 */
export function applyMigrations(
  db: Database,
  migrations: ReadonlyArray<(db: Database) => void>,
  tooNew: (current: number, known: number) => Error,
): void {
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > migrations.length) throw tooNew(current, migrations.length)
  for (let version = current + 1; version <= migrations.length; version++) {
    const step = migrations[version - 1]
    if (!step) continue
    db.transaction(() => {
      step(db)
      db.pragma(`user_version = ${version}`)
    }).immediate()
  }
}
