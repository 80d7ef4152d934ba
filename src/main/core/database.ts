import { accessSync, constants, mkdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import BetterSqlite3, { type Database } from 'better-sqlite3'
import { MIGRATIONS } from './migrations'

export const DATABASE_FILE = 'skwirl.db'

export class DatabaseFromNewerSkwirlError extends Error {
  override name = 'DatabaseFromNewerSkwirlError'
}

/**
 * A data directory or database Skwirl cannot use, said for the person: which file, what is
 * wrong with it, and what to do.
 */
export class DataDirError extends Error {
  override name = 'DataDirError'
}

/** Opens (creating if needed) the database in dataDir and brings its schema up to date. */
export function openDatabase(dataDir: string): Database {
  const file = join(dataDir, DATABASE_FILE)
  try {
    mkdirSync(dirname(file), { recursive: true })
  } catch (error) {
    throw new DataDirError(directoryProblem(dataDir, error))
  }
  let db: Database
  try {
    db = new BetterSqlite3(file)
  } catch (error) {
    throw new DataDirError(databaseProblem(file, error))
  }
  try {
    // The desktop app and the CLI may share the file: wait for the other's write instead of
    // failing (switching to WAL takes a lock too, so this comes first).
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
    switchToWal(db)
    db.pragma('foreign_keys = ON')
    migrate(db, file)
    return db
  } catch (error) {
    db.close()
    if (error instanceof DatabaseFromNewerSkwirlError) throw error
    throw new DataDirError(databaseProblem(file, error))
  }
}

/** How long a Skwirl waits for another's hold on the database before it gives up. */
const BUSY_TIMEOUT_MS = 5000

/**
 * Puts the database in WAL mode (kept in the file: later opens find it so). On a fresh database,
 * still in rollback-journal mode, the switch reads the header and then needs the write lock: when
 * another Skwirl starting at the same moment holds that lock, SQLite answers SQLITE_BUSY at once
 * instead of waiting (waiting while holding a read lock could deadlock). The switch is then
 * tried again, after a short random pause, for as long as busy_timeout would have waited.
 */
function switchToWal(db: Database): void {
  const giveUpAt = Date.now() + BUSY_TIMEOUT_MS
  for (;;) {
    try {
      db.pragma('journal_mode = WAL')
      return
    } catch (error) {
      if (!errorCode(error).startsWith('SQLITE_BUSY') || Date.now() >= giveUpAt) throw error
      // The read lock is let go between tries, so the other can finish its write.
      Atomics.wait(PAUSE, 0, 0, 5 + Math.random() * 20)
    }
  }
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4))

/**
 * Applies the migrations one transaction each. The version is read inside each write
 * transaction (BEGIN IMMEDIATE), so that Skwirl processes starting together on a fresh data
 * directory apply every migration once: the others wait, then find it done.
 */
export function migrate(db: Database, file = 'the database'): void {
  applyMigrations(db, MIGRATIONS, (current, known) => {
    return new DatabaseFromNewerSkwirlError(
      `${file} was written by a newer Skwirl (schema version ${current}; this Skwirl knows up to ${known}). Update Skwirl, or point SKWIRL_DATA_DIR at another directory.`,
    )
  })
}

/**
 * Brings a database up to the newest of `migrations` against PRAGMA user_version, one
 * transaction each; a database from a newer Skwirl gets the error `tooNew` makes. The version is
 * read inside each write transaction (BEGIN IMMEDIATE), so that processes starting together
 * apply every migration once: the others wait, then find it done.
 */
export function applyMigrations(
  db: Database,
  migrations: ReadonlyArray<(db: Database) => void>,
  tooNew: (current: number, known: number) => Error,
): void {
  const version = (): number => {
    const current = db.pragma('user_version', { simple: true }) as number
    if (current > migrations.length) throw tooNew(current, migrations.length)
    return current
  }
  // Up to date (every start but the first): no write lock taken.
  if (version() === migrations.length) return
  const step = db.transaction((): boolean => {
    const current = version()
    const migration = migrations[current]
    if (!migration) return false
    migration(db)
    db.pragma(`user_version = ${current + 1}`)
    return true
  })
  while (step.immediate()) {
    // one migration a transaction, until none is left
  }
}

const WHAT_TO_DO = 'or point SKWIRL_DATA_DIR at another directory'

function errorCode(error: unknown): string {
  return String((error as { code?: unknown } | null)?.code ?? '')
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Why the data directory could not be made, and what to do. */
function directoryProblem(dir: string, error: unknown): string {
  const code = errorCode(error)
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    return `Skwirl's data directory ${dir} cannot be made: a file is in the way (${pathProblem(dir)}). Move that file, ${WHAT_TO_DO}.`
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return `Skwirl's data directory ${dir} cannot be made: permission denied. Give yourself write access to its parent, ${WHAT_TO_DO}.`
  }
  if (code === 'EROFS') {
    return `Skwirl's data directory ${dir} cannot be made: the file system is read-only. ${capitalize(WHAT_TO_DO)}.`
  }
  if (code === 'ENOSPC') {
    return `Skwirl's data directory ${dir} cannot be made: the disk is full. Free some space, ${WHAT_TO_DO}.`
  }
  return `Skwirl's data directory ${dir} cannot be made: ${errorText(error)}. ${capitalize(WHAT_TO_DO)}.`
}

/** The first part of `path` that exists and is not a directory, said as such. */
function pathProblem(path: string): string {
  for (let at = path; ; at = dirname(at)) {
    try {
      if (!statSync(at).isDirectory()) return `${at} is a file`
      return `${path} is not a directory`
    } catch {
      if (dirname(at) === at) return `${path} is not a directory`
    }
  }
}

/** Why the database could not be opened or read, and what to do. */
function databaseProblem(file: string, error: unknown): string {
  const code = errorCode(error)
  const dir = dirname(file)
  const said = errorText(error)
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return `${file} is not a Skwirl database, or it is damaged (${said}). Move it aside (Skwirl then starts with an empty one; its -wal and -shm files with it), restore it from a backup, ${WHAT_TO_DO}.`
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return `${file} cannot be written (${said}). Give yourself write access to it and to ${dir}, ${WHAT_TO_DO}.`
  }
  if (code === 'SQLITE_FULL') {
    return `${file} cannot be written: the disk is full. Free some space, ${WHAT_TO_DO}.`
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    let why = 'it cannot be opened'
    try {
      if (statSync(file).isDirectory()) why = 'it is a directory, not a file'
    } catch {
      why = 'it cannot be created'
    }
    try {
      accessSync(dir, constants.W_OK)
    } catch {
      why += `; ${dir} is not writable for you`
    }
    return `${file} cannot be opened (${why}). Check that ${dir} is a directory you can write to, ${WHAT_TO_DO}.`
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return `${file} cannot be read or written: the disk reported an error (${said}). Check the disk, ${WHAT_TO_DO}.`
  }
  return `${file} cannot be used: ${said}. ${capitalize(WHAT_TO_DO)}.`
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
