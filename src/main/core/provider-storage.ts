// skwirl.storage in main: each provider's small key/value store in SQLite. Values arrive as JSON
// text (the runner encodes them); main checks the limits, since the runner is not trusted.
import type { Database } from 'better-sqlite3'
import { STORAGE_LIMITS } from '../../shared/runner-protocol'

export class StorageError extends Error {
  override name = 'StorageError'
}

export class ProviderStorage {
  constructor(
    private readonly db: Database,
    private readonly limits: {
      keyBytes: number
      valueBytes: number
      providerBytes: number
    } = STORAGE_LIMITS,
  ) {}

  /** The JSON text stored under key, or null. */
  get(providerId: string, key: string): string | null {
    this.checkKey('get', key)
    const row = this.db
      .prepare('SELECT value FROM provider_storage WHERE provider_id = ? AND key = ?')
      .get(providerId, key) as { value: string } | undefined
    return row ? row.value : null
  }

  set(providerId: string, key: string, json: string): void {
    this.checkKey('set', key)
    const bytes = Buffer.byteLength(json, 'utf8')
    if (bytes > this.limits.valueBytes) {
      throw new StorageError(
        `skwirl.storage.set: the value is ${bytes} bytes as JSON; a value may be at most ${formatBytes(this.limits.valueBytes)}`,
      )
    }
    try {
      JSON.parse(json)
    } catch {
      throw new StorageError('skwirl.storage.set: the value is not valid JSON')
    }
    this.db
      .transaction(() => {
        const others = this.db
          .prepare(
            `SELECT COALESCE(SUM(length(CAST(key AS BLOB)) + length(CAST(value AS BLOB))), 0) AS used
             FROM provider_storage WHERE provider_id = ? AND key <> ?`,
          )
          .get(providerId, key) as { used: number }
        const total = others.used + Buffer.byteLength(key, 'utf8') + bytes
        if (total > this.limits.providerBytes) {
          throw new StorageError(
            `skwirl.storage.set: this provider's storage would hold ${total} bytes; it may hold at most ${formatBytes(this.limits.providerBytes)} (keys and values together): delete keys it no longer needs`,
          )
        }
        this.db
          .prepare(
            `INSERT INTO provider_storage (provider_id, key, value, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (provider_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
          )
          .run(providerId, key, json, new Date().toISOString())
      })
      .immediate()
  }

  /** True when the key held something. */
  delete(providerId: string, key: string): boolean {
    this.checkKey('delete', key)
    const result = this.db
      .prepare('DELETE FROM provider_storage WHERE provider_id = ? AND key = ?')
      .run(providerId, key)
    return result.changes > 0
  }

  /** Bytes of keys and values one provider holds. */
  usage(providerId: string): number {
    const row = this.db
      .prepare(
        `SELECT COALESCE(SUM(length(CAST(key AS BLOB)) + length(CAST(value AS BLOB))), 0) AS used
         FROM provider_storage WHERE provider_id = ?`,
      )
      .get(providerId) as { used: number }
    return row.used
  }

  private checkKey(fn: string, key: string): void {
    if (typeof key !== 'string' || key.length === 0) {
      throw new StorageError(`skwirl.storage.${fn}: the key must be a non-empty string`)
    }
    const bytes = Buffer.byteLength(key, 'utf8')
    if (bytes > this.limits.keyBytes) {
      throw new StorageError(
        `skwirl.storage.${fn}: the key is ${bytes} bytes; a key may be at most ${this.limits.keyBytes} bytes`,
      )
    }
  }
}

/** 64 KiB, 1 MiB, or bytes when the limit is not a whole number of KiB. */
function formatBytes(bytes: number): string {
  if (bytes % 1048576 === 0) return `${bytes / 1048576} MiB`
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`
  return `${bytes} bytes`
}
