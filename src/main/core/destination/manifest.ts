// The destination's manifest: DIR/.skwirl/manifest.db, a SQLite file, so that the folder
// describes itself (file id → stored path, checksum, size, modified time, the last run that saw
// it; the versions kept) wherever it is moved. WAL with EXCLUSIVE locking: every change is crash
// safe, no shared-memory file is needed (so it works on network drives), and the lock the
// connection holds is the destination's lock, released by the system when its process dies.
import BetterSqlite3, { type Database, type Statement } from 'better-sqlite3'
import { applyMigrations } from '../database'

export const MANIFEST_FILE = 'manifest.db'
/** A run's writes are committed together at most this long after the first of them… */
const BATCH_MS = 100
/** …or once there are this many. */
const BATCH_WRITES = 256

/** One file the destination keeps. */
export interface ManifestEntry {
  fileId: string
  /** The provider's path, as it gave it. */
  sourcePath: string
  /** Where the copy is, relative to DIR, '/'-separated. */
  storedPath: string
  name: string
  /** The provider's checksum (an MD5 for Drive; whatever the provider reports). */
  checksum: string
  /** MD5 of the bytes Skwirl stored, computed as they streamed; null for an adopted copy without one. */
  md5: string | null
  size: number
  modifiedTime: string
  /** When this copy was written (or adopted). */
  storedAt: string
  /** The id of the last run that listed the file. */
  seenRun: string
  /** When a completed run found the file gone at the source; null while the source has it. */
  deletedAt: string | null
}

/** A previous copy kept under .skwirl/versions/<run start>/<path>. */
export interface ManifestVersion {
  /** Relative to DIR: .skwirl/versions/<run stamp>/<stored path>. */
  versionPath: string
  /** The folder name under versions/: the run's start time, safe as a file name. */
  runStamp: string
  fileId: string
  storedPath: string
  md5: string | null
  size: number | null
  modifiedTime: string | null
}

interface EntryRow {
  file_id: string
  source_path: string
  stored_path: string
  name: string
  checksum: string
  md5: string | null
  size: number
  modified_time: string
  stored_at: string
  seen_run: string
  deleted_at: string | null
}

interface VersionRow {
  version_path: string
  run_stamp: string
  file_id: string
  stored_path: string
  md5: string | null
  size: number | null
  modified_time: string | null
}

// The manifest's own schema, numbered like the app's: append only.
const MANIFEST_MIGRATIONS: ReadonlyArray<(db: Database) => void> = [
  (db) => {
    db.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE files (
        file_id TEXT PRIMARY KEY,
        source_path TEXT NOT NULL,
        stored_path TEXT NOT NULL,
        path_key TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        checksum TEXT NOT NULL,
        md5 TEXT,
        size INTEGER NOT NULL,
        modified_time TEXT NOT NULL,
        stored_at TEXT NOT NULL,
        seen_run TEXT NOT NULL,
        deleted_at TEXT
      );
      CREATE TABLE versions (
        version_path TEXT PRIMARY KEY,
        run_stamp TEXT NOT NULL,
        file_id TEXT NOT NULL,
        stored_path TEXT NOT NULL,
        md5 TEXT,
        size INTEGER,
        modified_time TEXT
      );
      CREATE INDEX versions_by_run ON versions (run_stamp);
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        provider TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,
        downloaded INTEGER NOT NULL DEFAULT 0,
        unchanged INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        deleted_at_source INTEGER NOT NULL DEFAULT 0
      );
    `)
  },
]

export class ManifestFromNewerSkwirlError extends Error {
  override name = 'ManifestFromNewerSkwirlError'
}

/** The manifest is locked by another connection (another run, in this process or another). */
export class ManifestBusyError extends Error {
  override name = 'ManifestBusyError'
}

function toEntry(row: EntryRow): ManifestEntry {
  return {
    fileId: row.file_id,
    sourcePath: row.source_path,
    storedPath: row.stored_path,
    name: row.name,
    checksum: row.checksum,
    md5: row.md5,
    size: row.size,
    modifiedTime: row.modified_time,
    storedAt: row.stored_at,
    seenRun: row.seen_run,
    deletedAt: row.deleted_at,
  }
}

function toVersion(row: VersionRow): ManifestVersion {
  return {
    versionPath: row.version_path,
    runStamp: row.run_stamp,
    fileId: row.file_id,
    storedPath: row.stored_path,
    md5: row.md5,
    size: row.size,
    modifiedTime: row.modified_time,
  }
}

export class Manifest {
  private readonly selectEntry: Statement
  private readonly selectByKey: Statement
  private readonly selectUnder: Statement
  private readonly upsertEntry: Statement
  private readonly markSeen: Statement
  private readonly insertVersion: Statement
  /** A run's batch of writes (see batchWrites()). */
  private batching = false
  private batched = 0
  private batchTimer: NodeJS.Timeout | undefined
  /** A timed commit that failed: the next write says so. */
  private batchError: unknown = null

  private constructor(private readonly db: Database) {
    this.selectEntry = db.prepare('SELECT * FROM files WHERE file_id = ?')
    this.selectByKey = db.prepare('SELECT file_id FROM files WHERE path_key = ?')
    // Anything stored below a folder: keys from "dir/" up to (not including) "dir0" ('0' follows '/').
    this.selectUnder = db.prepare('SELECT 1 FROM files WHERE path_key > ? AND path_key < ? LIMIT 1')
    this.upsertEntry = db.prepare(`
      INSERT INTO files (file_id, source_path, stored_path, path_key, name, checksum, md5, size,
        modified_time, stored_at, seen_run, deleted_at)
      VALUES (@fileId, @sourcePath, @storedPath, @pathKey, @name, @checksum, @md5, @size,
        @modifiedTime, @storedAt, @seenRun, @deletedAt)
      ON CONFLICT (file_id) DO UPDATE SET source_path = excluded.source_path,
        stored_path = excluded.stored_path, path_key = excluded.path_key, name = excluded.name,
        checksum = excluded.checksum, md5 = excluded.md5, size = excluded.size,
        modified_time = excluded.modified_time, stored_at = excluded.stored_at,
        seen_run = excluded.seen_run, deleted_at = excluded.deleted_at`)
    this.markSeen = db.prepare('UPDATE files SET seen_run = ?, deleted_at = NULL WHERE file_id = ?')
    this.insertVersion = db.prepare(`
      INSERT OR IGNORE INTO versions (version_path, run_stamp, file_id, stored_path, md5, size,
        modified_time)
      VALUES (@versionPath, @runStamp, @fileId, @storedPath, @md5, @size, @modifiedTime)`)
  }

  /**
   * Opens (creating) the manifest and takes the destination's lock; throws ManifestBusyError at
   * once when another connection holds it.
   */
  static open(file: string): Manifest {
    let db: Database
    try {
      db = new BetterSqlite3(file, { timeout: 0 })
    } catch (error) {
      throw busyOr(error)
    }
    try {
      // Before anything touches the file: EXCLUSIVE first means WAL never needs shared memory.
      db.pragma('locking_mode = EXCLUSIVE')
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      // The WAL stays small (checkpointed every ~1 MB, then cut back): it lives on the backup's
      // own drive, which may be nearly full.
      db.pragma('wal_autocheckpoint = 256')
      db.pragma('journal_size_limit = 1048576')
      // Takes the write lock now; in EXCLUSIVE mode it is held until close().
      db.exec('BEGIN IMMEDIATE; COMMIT')
      migrateManifest(db, file)
      return new Manifest(db)
    } catch (error) {
      db.close()
      throw busyOr(error)
    }
  }

  setMeta(key: string, value: string): void {
    this.db
      .prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(key, value)
  }

  getMeta(key: string): string | null {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
      { value: string } | undefined
    return row?.value ?? null
  }

  get(fileId: string): ManifestEntry | null {
    const row = this.selectEntry.get(fileId) as EntryRow | undefined
    return row ? toEntry(row) : null
  }

  /** Whether the manifest records no file at all. */
  isEmpty(): boolean {
    return this.db.prepare('SELECT 1 FROM files LIMIT 1').get() === undefined
  }

  /** The file id stored at a path key, if any. */
  ownerOf(key: string): string | null {
    const row = this.selectByKey.get(key) as { file_id: string } | undefined
    return row?.file_id ?? null
  }

  /** Whether any stored file lies below the folder with this key. */
  hasFilesUnder(key: string): boolean {
    return this.selectUnder.get(`${key}/`, `${key}0`) !== undefined
  }

  /**
   * From now on, files and versions recorded go into one transaction, committed BATCH_MS after
   * the first or at BATCH_WRITES (and by flush() and close()): a commit per file cost ~100 µs of
   * main's thread. A crash loses at most the batch: its files are in place without their rows
   * (or with their previous rows), which the next run adopts after checking their MD5 against
   * the source's, or downloads again (keeping what is there as a version); a lost version row
   * leaves its copy under .skwirl/versions, pruned with its folder. The WAL's own guarantee is
   * the same kind: synchronous=NORMAL may lose the last commits on a power cut.
   */
  batchWrites(): void {
    this.batching = true
  }

  /** Commits the batch of writes, if one is open. */
  flush(): void {
    clearTimeout(this.batchTimer)
    this.batchTimer = undefined
    this.batched = 0
    if (!this.db.inTransaction) return
    try {
      this.db.exec('COMMIT')
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK')
      throw error
    }
  }

  private write<T>(body: () => T): T {
    if (!this.batching) return body()
    if (this.batchError !== null) {
      const error = this.batchError
      this.batchError = null
      throw error
    }
    if (!this.db.inTransaction) {
      this.db.exec('BEGIN')
      this.batchTimer = setTimeout(() => {
        try {
          this.flush()
        } catch (error) {
          this.batchError = error
        }
      }, BATCH_MS)
      this.batchTimer.unref()
    }
    const result = body()
    if (++this.batched >= BATCH_WRITES) this.flush()
    return result
  }

  put(entry: ManifestEntry, pathKey: string): void {
    this.write(() => this.upsertEntry.run({ ...entry, pathKey }))
  }

  /** The listing saw these ids: each is at the source (again). */
  saw(ids: readonly string[], runId: string): void {
    this.db.transaction(() => {
      for (const id of ids) this.markSeen.run(runId, id)
    })()
  }

  addVersion(version: ManifestVersion): void {
    this.write(() => this.insertVersion.run(version))
  }

  /** Marks deleted every file the run did not see; answers how many. */
  markDeleted(runId: string, at: string): number {
    return this.db
      .prepare('UPDATE files SET deleted_at = ? WHERE seen_run != ? AND deleted_at IS NULL')
      .run(at, runId).changes
  }

  /** The run stamps that have versions recorded. */
  versionStamps(): string[] {
    return (
      this.db.prepare('SELECT DISTINCT run_stamp FROM versions').all() as Array<{
        run_stamp: string
      }>
    ).map((row) => row.run_stamp)
  }

  forgetVersions(runStamp: string): void {
    this.db.prepare('DELETE FROM versions WHERE run_stamp = ?').run(runStamp)
  }

  beginRun(run: { id: string; provider: string; startedAt: string }): void {
    this.db
      .prepare(
        `INSERT INTO runs (id, provider, started_at, status) VALUES (?, ?, ?, 'running')
         ON CONFLICT (id) DO NOTHING`,
      )
      .run(run.id, run.provider, run.startedAt)
  }

  finishRun(
    id: string,
    result: {
      status: string
      downloaded: number
      unchanged: number
      failed: number
      deletedAtSource: number
    },
  ): void {
    this.db
      .prepare(
        `UPDATE runs SET finished_at = ?, status = ?, downloaded = ?, unchanged = ?, failed = ?,
           deleted_at_source = ?
         WHERE id = ?`,
      )
      .run(
        new Date().toISOString(),
        result.status,
        result.downloaded,
        result.unchanged,
        result.failed,
        result.deletedAtSource,
        id,
      )
  }

  /** Every entry, in stored-path order, a page at a time (memory stays flat). */
  *entries(pageSize = 1000): Generator<ManifestEntry> {
    const page = this.db.prepare('SELECT * FROM files WHERE path_key > ? ORDER BY path_key LIMIT ?')
    let after = ''
    for (;;) {
      const rows = page.all(after, pageSize) as Array<EntryRow & { path_key: string }>
      for (const row of rows) yield toEntry(row)
      if (rows.length < pageSize) return
      after = (rows[rows.length - 1] as { path_key: string }).path_key
    }
  }

  *versions(pageSize = 1000): Generator<ManifestVersion> {
    const page = this.db.prepare(
      'SELECT * FROM versions WHERE version_path > ? ORDER BY version_path LIMIT ?',
    )
    let after = ''
    for (;;) {
      const rows = page.all(after, pageSize) as VersionRow[]
      for (const row of rows) yield toVersion(row)
      if (rows.length < pageSize) return
      after = (rows[rows.length - 1] as VersionRow).version_path
    }
  }

  counts(): { files: number; deleted: number; versions: number } {
    const files = this.db.prepare('SELECT COUNT(*) AS n FROM files').get() as { n: number }
    const deleted = this.db
      .prepare('SELECT COUNT(*) AS n FROM files WHERE deleted_at IS NOT NULL')
      .get() as { n: number }
    const versions = this.db.prepare('SELECT COUNT(*) AS n FROM versions').get() as { n: number }
    return { files: files.n, deleted: deleted.n, versions: versions.n }
  }

  /** Runs its body in one transaction. */
  transaction<T>(body: () => T): T {
    return this.db.transaction(body)()
  }

  /** Commits what is batched and releases the lock. */
  close(): void {
    if (!this.db.open) return
    try {
      this.flush()
    } finally {
      this.db.close()
    }
  }
}

function busyOr(error: unknown): unknown {
  const code = (error as { code?: unknown }).code
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new ManifestBusyError('the destination is in use by another run')
  }
  return error
}

function migrateManifest(db: Database, file: string): void {
  applyMigrations(db, MANIFEST_MIGRATIONS, (current, known) => {
    return new ManifestFromNewerSkwirlError(
      `${file} was written by a newer Skwirl (manifest version ${current}; this Skwirl knows up to ${known}). Update Skwirl to use this backup.`,
    )
  })
}
