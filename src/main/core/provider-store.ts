import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Database } from 'better-sqlite3'
import type { Provider, ProviderInput, ProviderSummary, ProviderUpdate } from '../../shared/api'
import { ApiError } from '../../shared/errors'
import {
  MAX_PROVIDER_NAME_LENGTH,
  nameTakenMessage,
  normalizeProviderName,
  providerNameKey,
  providerNameProblem,
} from '../../shared/provider-rules'
import { assertCompiles } from './lua-check'

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

const COLUMNS = 'id, name, code, created_at, updated_at'

/**
 * Every provider read and write. Each write checks the name (not blank, unique under case
 * folding) and compiles the code first: whoever calls (the editor, the CLI, an import), nothing
 * that does not compile is stored. Each write is one statement inside one transaction, so a
 * crash leaves either the old provider or the new one.
 */
export class ProviderStore {
  constructor(private readonly db: Database) {}

  list(): ProviderSummary[] {
    const rows = this.db
      .prepare('SELECT id, name, created_at, updated_at FROM providers ORDER BY name_key, name')
      .all() as Omit<ProviderRow, 'code'>[]
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }))
  }

  get(id: string): Provider {
    const row = this.row(id)
    if (!row) throw new ApiError('not-found', `No provider has the id ${id}.`)
    return toProvider(row)
  }

  /** The provider with this id, or null. */
  find(id: string): Provider | null {
    const row = this.row(id)
    return row ? toProvider(row) : null
  }

  /** The provider with this name, ignoring case (all of Unicode, not only ASCII). */
  findByName(name: string): Provider | null {
    const row = this.db
      .prepare(`SELECT ${COLUMNS} FROM providers WHERE name_key = ?`)
      .get(providerNameKey(name)) as ProviderRow | undefined
    return row ? toProvider(row) : null
  }

  create(input: ProviderInput): Provider {
    const name = checkedName(input.name)
    assertCompiles(name, input.code)
    return this.db
      .transaction(() => {
        this.assertNameFree(name, null)
        const now = new Date().toISOString()
        return this.insert({
          id: randomUUID(),
          name,
          code: input.code,
          created_at: now,
          updated_at: now,
        })
      })
      .immediate()
  }

  /** Saves name and code together; refuses when the provider changed after expectedUpdatedAt. */
  update(id: string, update: ProviderUpdate): Provider {
    const name = checkedName(update.name)
    assertCompiles(name, update.code)
    return this.db
      .transaction(() => {
        const row = this.row(id)
        if (!row) throw new ApiError('not-found', `No provider has the id ${id}.`)
        if (update.expectedUpdatedAt !== null && row.updated_at !== update.expectedUpdatedAt) {
          throw new ApiError(
            'outdated',
            `“${row.name}” was changed somewhere else (another window, or the CLI) after you opened it.`,
          )
        }
        this.assertNameFree(name, id)
        if (row.name === name && row.code === update.code) return toProvider(row)
        const saved: ProviderRow = {
          ...row,
          name,
          code: update.code,
          updated_at: laterThan(row.updated_at),
        }
        this.db
          .prepare(
            'UPDATE providers SET name = @name, name_key = @name_key, code = @code, updated_at = @updated_at WHERE id = @id',
          )
          .run({ ...saved, name_key: providerNameKey(name) })
        return toProvider(saved)
      })
      .immediate()
  }

  /** A copy of the saved provider named "<name> copy" (or "copy 2", "copy 3", … when taken). */
  duplicate(id: string): Provider {
    return this.db
      .transaction(() => {
        const original = this.get(id)
        assertCompiles(original.name, original.code)
        let name = ''
        for (let n = 1; name === '' || this.findByName(name); n++) {
          name = copyName(original.name, n)
        }
        const now = new Date().toISOString()
        return this.insert({
          id: randomUUID(),
          name,
          code: original.code,
          created_at: now,
          updated_at: now,
        })
      })
      .immediate()
  }

  delete(id: string): void {
    const { changes } = this.db.prepare('DELETE FROM providers WHERE id = ?').run(id)
    if (changes === 0) throw new ApiError('not-found', `No provider has the id ${id}.`)
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

  private row(id: string): ProviderRow | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM providers WHERE id = ?`).get(id) as
      ProviderRow | undefined
  }

  private assertNameFree(name: string, exceptId: string | null): void {
    const holder = this.findByName(name)
    if (holder && holder.id !== exceptId) throw new ApiError('conflict', nameTakenMessage(name))
  }

  private insert(row: ProviderRow): Provider {
    this.db
      .prepare(
        'INSERT INTO providers (id, name, name_key, code, created_at, updated_at) VALUES (@id, @name, @name_key, @code, @created_at, @updated_at)',
      )
      .run({ ...row, name_key: providerNameKey(row.name) })
    return toProvider(row)
  }
}

function checkedName(raw: string): string {
  const name = normalizeProviderName(raw)
  const problem = providerNameProblem(name)
  if (problem) throw new ApiError('invalid-argument', problem)
  return name
}

/** Now, or just after `previous`: every save gets a new updatedAt, even two in one millisecond. */
function laterThan(previous: string): string {
  const previousMs = Date.parse(previous)
  const now = Date.now()
  return new Date(Number.isNaN(previousMs) ? now : Math.max(now, previousMs + 1)).toISOString()
}

/** "Name copy", "Name copy 2", …, shortening Name so the whole stays within the length limit. */
export function copyName(name: string, n: number): string {
  const suffix = n === 1 ? ' copy' : ` copy ${n}`
  const room = MAX_PROVIDER_NAME_LENGTH - [...suffix].length
  const base = [...name].slice(0, room).join('').trimEnd()
  return `${base}${suffix}`
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
