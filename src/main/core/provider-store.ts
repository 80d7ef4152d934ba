import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Database } from 'better-sqlite3'
import type { Provider, ProviderSummary } from '../../shared/api'
import { ApiError } from '../../shared/errors'

interface ProviderRow {
  id: string
  name: string
  code: string
  created_at: string
  updated_at: string
}

/** The providers shipped with Skwirl, seeded once on first start. */
export const DEFAULT_PROVIDERS = [
  { key: 'google-drive', name: 'Google Drive', file: 'google-drive.lua' },
]

export class ProviderStore {
  constructor(private readonly db: Database) {}

  list(): ProviderSummary[] {
    const rows = this.db
      .prepare(
        'SELECT id, name, created_at, updated_at FROM providers ORDER BY name COLLATE NOCASE',
      )
      .all() as Omit<ProviderRow, 'code'>[]
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }))
  }

  get(id: string): Provider {
    const row = this.db.prepare('SELECT * FROM providers WHERE id = ?').get(id) as
      ProviderRow | undefined
    if (!row) throw new ApiError('not-found', `No provider has the id ${id}.`)
    return toProvider(row)
  }

  findByName(name: string): Provider | null {
    const row = this.db
      .prepare('SELECT * FROM providers WHERE name = ? COLLATE NOCASE')
      .get(name) as ProviderRow | undefined
    return row ? toProvider(row) : null
  }

  create(input: { name: string; code: string }): Provider {
    const name = input.name.trim()
    if (name.length === 0) throw new ApiError('invalid-argument', 'A provider needs a name.')
    if (this.findByName(name)) {
      throw new ApiError('conflict', `A provider named "${name}" already exists.`)
    }
    const now = new Date().toISOString()
    const row: ProviderRow = {
      id: randomUUID(),
      name,
      code: input.code,
      created_at: now,
      updated_at: now,
    }
    this.db
      .prepare(
        'INSERT INTO providers (id, name, code, created_at, updated_at) VALUES (@id, @name, @code, @created_at, @updated_at)',
      )
      .run(row)
    return toProvider(row)
  }

  /**
   * Seeds the default providers from resources/providers the first time the database is used;
   * a restart, or a user who deleted one, does not get it back.
   */
  seedDefaults(resourcesDir: string): void {
    const seeded = this.db.prepare('SELECT 1 FROM app_meta WHERE key = ?')
    const mark = this.db.prepare('INSERT INTO app_meta (key, value) VALUES (?, ?)')
    for (const provider of DEFAULT_PROVIDERS) {
      const key = `seeded:${provider.key}`
      if (seeded.get(key)) continue
      const code = readFileSync(join(resourcesDir, 'providers', provider.file), 'utf8')
      // Checked again inside the write lock: the app and the CLI may start at the same moment.
      this.db
        .transaction(() => {
          if (seeded.get(key)) return
          if (!this.findByName(provider.name)) this.create({ name: provider.name, code })
          mark.run(key, new Date().toISOString())
        })
        .immediate()
    }
  }
}

function toProvider(row: ProviderRow): Provider {
  return {
    id: row.id,
    name: row.name,
    code: row.code,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}
