import type { Database } from 'better-sqlite3'
import { providerNameKey } from '../../shared/provider-rules'

// The one place that knows the schema. Append only: a migration that has shipped never changes.
export const MIGRATIONS: ReadonlyArray<(db: Database) => void> = [
  // 1: providers, and the app's own facts (such as which defaults were seeded)
  (db) => {
    db.exec(`
      CREATE TABLE providers (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        code TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX providers_name_unique ON providers (name COLLATE NOCASE);
      CREATE TABLE app_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `)
  },
  // 2: names unique under full Unicode case folding (NOCASE folds ASCII only), in name_key
  (db) => {
    db.exec(`ALTER TABLE providers ADD COLUMN name_key TEXT NOT NULL DEFAULT ''`)
    const rows = db
      .prepare('SELECT id, name FROM providers ORDER BY created_at, id')
      .all() as Array<{
      id: string
      name: string
    }>
    const taken = new Set<string>()
    const update = db.prepare('UPDATE providers SET name = ?, name_key = ? WHERE id = ?')
    for (const row of rows) {
      // Two names NOCASE let through ("Über", "über") would now clash: the later one gets a number.
      let name = row.name
      for (let n = 2; taken.has(providerNameKey(name)); n++) name = `${row.name} (${n})`
      taken.add(providerNameKey(name))
      update.run(name, providerNameKey(name), row.id)
    }
    db.exec('CREATE UNIQUE INDEX providers_name_key_unique ON providers (name_key)')
  },
  // 3: skwirl.storage, each provider's small key/value store (values are JSON text). A provider
  // run from a file (`skwirl run x.lua`) is not in providers, so no foreign key; a trigger clears
  // a stored provider's keys when it is deleted.
  (db) => {
    db.exec(`
      CREATE TABLE provider_storage (
        provider_id TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (provider_id, key)
      ) WITHOUT ROWID;
      CREATE TRIGGER provider_storage_follows_provider AFTER DELETE ON providers
      BEGIN
        DELETE FROM provider_storage WHERE provider_id = OLD.id;
      END;
    `)
  },
  // 4: run records, written as a run goes. owner_* say which process runs it, so that a run left
  // 'running' by a process that is gone can be marked interrupted. A run outlives its provider
  // (no foreign key: history is a record). Files are keyed by the run's integer key to stay small.
  (db) => {
    db.exec(`
      CREATE TABLE runs (
        key INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        provider_id TEXT NOT NULL,
        provider_name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
        phase TEXT NOT NULL CHECK (phase IN ('starting', 'listing', 'backing-up')),
        reason TEXT CHECK (reason IN ('error', 'runner', 'interrupted', 'stopped', 'closed')),
        started_at TEXT NOT NULL,
        finished_at TEXT,
        listed INTEGER NOT NULL DEFAULT 0,
        downloaded INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        bytes INTEGER NOT NULL DEFAULT 0,
        files_kept INTEGER NOT NULL DEFAULT 1,
        updated_at TEXT NOT NULL,
        owner_pid INTEGER NOT NULL,
        owner_host TEXT NOT NULL,
        owner_start TEXT
      );
      CREATE INDEX runs_by_provider ON runs (provider_id, started_at);
      CREATE INDEX runs_running ON runs (status) WHERE status = 'running';
      CREATE TABLE run_files (
        run_key INTEGER NOT NULL REFERENCES runs (key) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        file_id TEXT NOT NULL,
        name TEXT,
        path TEXT,
        size INTEGER,
        checksum TEXT,
        modified_time TEXT,
        outcome TEXT NOT NULL CHECK (outcome IN ('downloaded', 'failed')),
        failed_at TEXT CHECK (failed_at IN ('metadata', 'download')),
        bytes INTEGER NOT NULL,
        PRIMARY KEY (run_key, position)
      ) WITHOUT ROWID;
      CREATE INDEX run_files_failed ON run_files (run_key, position) WHERE outcome = 'failed';
    `)
  },
  // 5: schedules (a row per scheduled provider: no row is "off"), the app's own settings (JSON
  // values by key), and an index for each provider's last good backup. `since` is when the
  // schedule was set; `last_slot` when a Skwirl process last took up a due run of it (started or
  // skipped): a process claims a run by moving last_slot, so that two never start the same one.
  (db) => {
    db.exec(`
      CREATE TABLE provider_schedules (
        provider_id TEXT PRIMARY KEY REFERENCES providers (id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('interval', 'daily', 'weekly')),
        hours INTEGER,
        time TEXT,
        weekday INTEGER CHECK (weekday BETWEEN 0 AND 6),
        since TEXT NOT NULL,
        last_slot TEXT
      ) WITHOUT ROWID;
      CREATE TABLE app_settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX runs_good ON runs (provider_id, finished_at)
        WHERE status = 'completed' AND failed = 0;
    `)
  },
  // 6: destinations (issue 10). provider_options holds each provider's host options (the
  // destination, the versions' retention; later issues add theirs). Runs gain their destination,
  // the unchanged count and size, and the destination's problem; the reason 'destination' and the
  // outcome 'unchanged' (and 'skipped', agreed for issue 13) need new CHECKs, so runs and
  // run_files are rebuilt: new tables, copied, the old dropped (children first), renamed.
  (db) => {
    db.exec(`
      CREATE TABLE provider_options (
        provider_id TEXT PRIMARY KEY REFERENCES providers (id) ON DELETE CASCADE,
        destination TEXT,
        retention_days INTEGER NOT NULL DEFAULT 30,
        updated_at TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE runs_new (
        key INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        provider_id TEXT NOT NULL,
        provider_name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
        phase TEXT NOT NULL CHECK (phase IN ('starting', 'listing', 'backing-up')),
        reason TEXT CHECK (reason IN ('error', 'runner', 'interrupted', 'destination', 'stopped',
          'closed')),
        started_at TEXT NOT NULL,
        finished_at TEXT,
        listed INTEGER NOT NULL DEFAULT 0,
        downloaded INTEGER NOT NULL DEFAULT 0,
        unchanged INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        bytes INTEGER NOT NULL DEFAULT 0,
        unchanged_bytes INTEGER NOT NULL DEFAULT 0,
        destination TEXT,
        problem TEXT,
        files_kept INTEGER NOT NULL DEFAULT 1,
        updated_at TEXT NOT NULL,
        owner_pid INTEGER NOT NULL,
        owner_host TEXT NOT NULL,
        owner_start TEXT
      );
      INSERT INTO runs_new (key, id, provider_id, provider_name, status, phase, reason, started_at,
        finished_at, listed, downloaded, failed, bytes, files_kept, updated_at, owner_pid,
        owner_host, owner_start)
      SELECT key, id, provider_id, provider_name, status, phase, reason, started_at, finished_at,
        listed, downloaded, failed, bytes, files_kept, updated_at, owner_pid, owner_host,
        owner_start
      FROM runs;
      CREATE TABLE run_files_new (
        run_key INTEGER NOT NULL REFERENCES runs_new (key) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        file_id TEXT NOT NULL,
        name TEXT,
        path TEXT,
        size INTEGER,
        checksum TEXT,
        modified_time TEXT,
        outcome TEXT NOT NULL CHECK (outcome IN ('downloaded', 'unchanged', 'skipped', 'failed')),
        failed_at TEXT CHECK (failed_at IN ('metadata', 'download')),
        bytes INTEGER NOT NULL,
        PRIMARY KEY (run_key, position)
      ) WITHOUT ROWID;
      INSERT INTO run_files_new SELECT * FROM run_files;
      DROP TABLE run_files;
      DROP TABLE runs;
      ALTER TABLE runs_new RENAME TO runs;
      ALTER TABLE run_files_new RENAME TO run_files;
      CREATE INDEX runs_by_provider ON runs (provider_id, started_at);
      CREATE INDEX runs_running ON runs (status) WHERE status = 'running';
      CREATE INDEX runs_backups ON runs (provider_id, started_at)
        WHERE destination IS NOT NULL AND status = 'completed';
      CREATE INDEX runs_good ON runs (provider_id, finished_at)
        WHERE status = 'completed' AND failed = 0;
      CREATE INDEX run_files_failed ON run_files (run_key, position) WHERE outcome = 'failed';
    `)
  },
  // 7: provider settings (declared in the provider's Lua) and their values; secrets, encrypted
  // under one data key that secret_keys says who keeps; each provider's sign-in state (its tokens
  // are secrets); the declarations read from each provider's code, by the code's hash; and the
  // 'sign-in' reason for a run that failed because the provider refused the sign-in.
  (db) => {
    db.exec(`
      CREATE TABLE provider_settings (
        provider_id TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (provider_id, key)
      ) WITHOUT ROWID;
      CREATE TABLE secrets (
        name TEXT PRIMARY KEY,
        provider_id TEXT,
        data BLOB NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX secrets_by_provider ON secrets (provider_id);
      CREATE TABLE secret_keys (
        kind TEXT PRIMARY KEY CHECK (kind IN ('safe-storage', 'keyring', 'key-file')),
        sealed BLOB,
        created_at TEXT NOT NULL
      );
      CREATE TABLE sign_ins (
        provider_id TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('signed-in', 'refused')),
        signed_in_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE provider_declarations (
        provider_id TEXT PRIMARY KEY,
        code_sha256 TEXT NOT NULL,
        declaration TEXT,
        error TEXT,
        read_at TEXT NOT NULL
      );
      CREATE TRIGGER provider_extras_follow_provider AFTER DELETE ON providers
      BEGIN
        DELETE FROM provider_settings WHERE provider_id = OLD.id;
        DELETE FROM secrets WHERE provider_id = OLD.id;
        DELETE FROM sign_ins WHERE provider_id = OLD.id;
        DELETE FROM provider_declarations WHERE provider_id = OLD.id;
      END;
    `)
    widenCheck(
      db,
      'runs',
      "'destination', 'stopped',\n          'closed')",
      "'destination', 'stopped',\n          'closed', 'sign-in')",
    )
  },
  // 8: each run's log lines (issue 14), written with its record's batches so the screen can page,
  // filter and search them in any mode, and let go with its file list. `failure`: why a failed
  // run failed, as a category for its card (JSON of RunFailure; `problem` is the destination's
  // own words). `log_dropped`: how many lines were past the cap.
  (db) => {
    db.exec(`
      CREATE TABLE run_log (
        run_key INTEGER NOT NULL REFERENCES runs (key) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        at TEXT NOT NULL,
        level TEXT NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
        stage TEXT,
        file_id TEXT,
        message TEXT NOT NULL,
        PRIMARY KEY (run_key, seq)
      ) WITHOUT ROWID;
      ALTER TABLE runs ADD COLUMN failure TEXT;
      ALTER TABLE runs ADD COLUMN log_dropped INTEGER NOT NULL DEFAULT 0;
    `)
  },
  // 9: skipped files and retries (issue 13): a run's skipped files (the outcome itself came with
  // 6) and HTTP retries; a skipped file's reason; whether a download was verified against an
  // MD5 (rows before this: verified exactly when their checksum was an MD5).
  (db) => {
    db.exec(`
      ALTER TABLE runs ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE runs ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE run_files ADD COLUMN skip_reason TEXT;
      ALTER TABLE run_files ADD COLUMN verified INTEGER CHECK (verified IN (0, 1));
      UPDATE run_files SET verified =
        (length(checksum) = 32 AND checksum NOT GLOB '*[^0-9a-fA-F]*')
        WHERE outcome = 'downloaded';
      CREATE INDEX run_files_skipped ON run_files (run_key, position) WHERE outcome = 'skipped';
    `)
  },
  // 10: parallel transfers (issue 15): how many files a provider's runs back up at once, a host
  // option beside its destination; 1 (one file at a time) for every provider until it is set.
  (db) => {
    db.exec(`
      ALTER TABLE provider_options ADD COLUMN transfers INTEGER NOT NULL DEFAULT 1
        CHECK (transfers BETWEEN 1 AND 16);
    `)
  },
]

/**
 * Lets a CHECK constraint accept more values without rebuilding the table (a rebuild of runs
 * would cascade into run_files): SQLite's documented procedure for schema changes that leave
 * every stored row valid (https://sqlite.org/lang_altertable.html, "otheralter"), in the
 * migration's transaction. Throws unless the constraint is found exactly once.
 */
export function widenCheck(db: Database, table: string, from: string, to: string): void {
  const row = db
    .prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?")
    .get(table) as { sql: string } | undefined
  if (!row || row.sql.split(from).length !== 2) {
    throw new Error(`migration: the ${table} table's schema does not hold ${from} exactly once`)
  }
  const version = db.pragma('schema_version', { simple: true }) as number
  db.unsafeMode(true)
  try {
    db.pragma('writable_schema = ON')
    db.prepare("UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = ?").run(
      row.sql.replace(from, to),
      table,
    )
    db.pragma(`schema_version = ${version + 1}`)
    db.pragma('writable_schema = OFF')
  } finally {
    db.unsafeMode(false)
  }
}
