import type { Database } from 'better-sqlite3'

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
]
