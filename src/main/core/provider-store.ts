import { createHash, randomUUID } from 'node:crypto'
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

/**
 * The providers shipped with Skwirl, seeded once on first start. `shippedBefore`: the SHA-256 of
 * every text this provider shipped with earlier: a database that still holds one of them, as
 * shipped, gets the current text; an edited one keeps its code and is offered the new version.
 * Whoever changes a shipped provider adds the hash of the text it replaces here.
 */
export const DEFAULT_PROVIDERS = [
  {
    key: 'google-drive',
    name: 'Google Drive',
    file: 'google-drive.lua',
    shippedBefore: [
      // the seed's text, with its hard-coded token (test/fixtures/providers/google-drive-seed.lua)
      '7dbbd80469132ef65ccbf89ea2c7505310f3866e46dcca2b8dc343e5f61a06f4',
      // issue 12's: the seed's listing with OAuth sign-in (files flattened, Docs failed)
      'd615e88a38eb7d886ff457aa4e6e9cf1efd7874eb63961960c7469cf2a5b9b63',
    ],
  },
]

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

const COLUMNS = 'id, name, code, created_at, updated_at'

/**
 * Every provider read and write. Each write checks the name (not blank, unique under case
 * folding) and compiles the code first: whoever calls (the editor, the CLI, an import), nothing
 * that does not compile is stored. Each write is one statement inside one transaction, so a
 * crash leaves either the old provider or the new one.
 */
export class ProviderStore {
  /** Where the shipped providers are (set by seedDefaults). */
  private shippedDir: string | null = null

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
   * a restart, or a user who deleted one, does not get it back. A seeded provider whose code is
   * still an earlier shipped text, unedited, gets the current one.
   */
  seedDefaults(resourcesDir: string): void {
    this.shippedDir = resourcesDir
    const seeded = this.db.prepare('SELECT 1 FROM app_meta WHERE key = ?')
    const mark = this.db.prepare('INSERT OR REPLACE INTO app_meta (key, value) VALUES (?, ?)')
    for (const provider of DEFAULT_PROVIDERS) {
      const key = `seeded:${provider.key}`
      const code = readFileSync(join(resourcesDir, 'providers', provider.file), 'utf8')
      // Checked again inside the write lock: the app and the CLI may start at the same moment.
      this.db
        .transaction(() => {
          if (!seeded.get(key)) {
            if (!this.findByName(provider.name)) {
              const created = this.create({ name: provider.name, code })
              mark.run(`seeded-id:${provider.key}`, created.id)
            }
            mark.run(key, new Date().toISOString())
            return
          }
          const current = this.seededProvider(provider.key, provider.name)
          if (!current || current.code === code) return
          if (!provider.shippedBefore.includes(sha256(current.code))) return
          this.db
            .prepare('UPDATE providers SET code = ?, updated_at = ? WHERE id = ?')
            .run(code, laterThan(current.updatedAt), current.id)
        })
        .immediate()
    }
  }

  /**
   * The shipped text a provider could take instead of its own, or null: only for a provider
   * seeded from a shipped one, whose code differs, and that the person has not dismissed.
   */
  shippedUpdate(id: string): { key: string; code: string } | null {
    if (!this.shippedDir) return null
    for (const provider of DEFAULT_PROVIDERS) {
      const seeded = this.seededProvider(provider.key, provider.name)
      if (seeded?.id !== id) continue
      const code = readFileSync(join(this.shippedDir, 'providers', provider.file), 'utf8')
      if (seeded.code === code) return null
      const dismissed = this.db
        .prepare('SELECT value FROM app_meta WHERE key = ?')
        .get(`shipped-dismissed:${provider.key}`) as { value: string } | undefined
      if (dismissed?.value === sha256(code)) return null
      return { key: provider.key, code }
    }
    return null
  }

  /** Keeps the provider's own code and stops offering this shipped text. */
  dismissShippedUpdate(id: string): void {
    const update = this.shippedUpdate(id)
    if (!update) return
    this.db
      .prepare('INSERT OR REPLACE INTO app_meta (key, value) VALUES (?, ?)')
      .run(`shipped-dismissed:${update.key}`, sha256(update.code))
  }

  /** The provider seeded from a shipped one (a database seeded before ids were kept: by name). */
  private seededProvider(key: string, name: string): Provider | null {
    const row = this.db
      .prepare('SELECT value FROM app_meta WHERE key = ?')
      .get(`seeded-id:${key}`) as { value: string } | undefined
    if (row) {
      const found = this.row(row.value)
      return found ? toProvider(found) : null
    }
    const byName = this.findByName(name)
    if (byName) {
      this.db
        .prepare('INSERT OR REPLACE INTO app_meta (key, value) VALUES (?, ?)')
        .run(`seeded-id:${key}`, byName.id)
    }
    return byName
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
