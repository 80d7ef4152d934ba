// Secrets (secret settings, sign-in tokens) kept encrypted in the database. Each value is sealed
// with AES-256-GCM under one data key; the data key itself is kept by the strongest protection
// the process has: Electron's safeStorage in the desktop app, else the OS keyring, else a key file
// only the user can read. A key kept by the OS is kept by every OS protection this process has, so
// that the CLI (no Electron) reads what the app stored where a keyring answers.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto'
import type { Database } from 'better-sqlite3'
import type { SecretProtection } from '../../../shared/api'
import { ApiError } from '../../../shared/errors'
import type { KeyProtector, ProtectorKind } from './protectors'

export type { KeyProtector, ProtectorKind } from './protectors'
export { keyFileProtector, keyringProtector, KEY_FILE } from './protectors'

/** What core asks of a secret store: the desktop app, the CLI and browser mode share it. */
export interface SecretStore {
  /** Which protection is in force (or would be, before the first secret), for the screen. */
  protection(): Promise<SecretProtection>
  get(name: string): Promise<string | null>
  /** owner: the provider the secret belongs to (it goes when the provider is deleted). */
  set(name: string, value: string, owner: string | null): Promise<void>
  delete(name: string): Promise<void>
  /** Whether a secret is stored, without opening it (for "is set"). */
  has(name: string): boolean
}

/** Thrown when the stored secrets cannot be opened by this process. */
export class SecretsLockedError extends ApiError {
  constructor(message: string) {
    super('unsupported', message)
  }
}

const KEY_ID = 'secrets:key-id'
const KEY_CHECK = 'secrets:key-check'
const IV_BYTES = 12
const TAG_BYTES = 16

/** Weakest last: the protection in force is the weakest one that keeps the key. */
const STRENGTH: Record<ProtectorKind, number> = { 'safe-storage': 3, keyring: 2, 'key-file': 1 }

interface KeyRow {
  kind: ProtectorKind
  sealed: Buffer | null
}

export class SecretVault implements SecretStore {
  private key: Promise<Buffer> | null = null
  private probes: Promise<Map<ProtectorKind, string | null>> | null = null

  /** protectors: this process's, strongest first. */
  constructor(
    private readonly db: Database,
    private readonly protectors: KeyProtector[],
  ) {}

  has(name: string): boolean {
    return this.db.prepare('SELECT 1 FROM secrets WHERE name = ?').get(name) !== undefined
  }

  async get(name: string): Promise<string | null> {
    const row = this.db.prepare('SELECT data FROM secrets WHERE name = ?').get(name) as
      { data: Buffer } | undefined
    if (!row) return null
    const key = await this.unlock()
    return decrypt(key, name, row.data)
  }

  async set(name: string, value: string, owner: string | null): Promise<void> {
    const key = await this.unlock()
    this.db
      .prepare(
        `INSERT INTO secrets (name, provider_id, data, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET provider_id = excluded.provider_id, data = excluded.data, updated_at = excluded.updated_at`,
      )
      .run(name, owner, encrypt(key, name, value), new Date().toISOString())
  }

  async delete(name: string): Promise<void> {
    this.db.prepare('DELETE FROM secrets WHERE name = ?').run(name)
  }

  async protection(): Promise<SecretProtection> {
    const probes = await this.probe()
    const rows = this.keyRows()
    if (rows.length === 0) {
      const first = this.usable(probes)[0]
      return first
        ? {
            level: first.kind === 'key-file' ? 'key-file' : 'system',
            summary: `Secrets will be encrypted with a key kept by ${first.description}.`,
          }
        : { level: 'locked', summary: 'No protection for secrets works here.' }
    }
    try {
      await this.unlock()
    } catch (error) {
      return { level: 'locked', summary: error instanceof Error ? error.message : String(error) }
    }
    const kept = this.keyRows()
      .map((row) => this.protectors.find((p) => p.kind === row.kind))
      .filter((p): p is KeyProtector => p !== undefined)
      .sort((a, b) => STRENGTH[b.kind] - STRENGTH[a.kind])
    const weakest = kept[kept.length - 1]
    const others = this.keyRows().filter((row) => !kept.some((p) => p.kind === row.kind))
    const by = kept.map((p) => p.description).join(' and ')
    const extra =
      others.length > 0 ? ` (and by ${others.map((r) => describeKind(r.kind)).join(', ')})` : ''
    return {
      level: weakest?.kind === 'key-file' || kept.length === 0 ? 'key-file' : 'system',
      summary: `Secrets are encrypted (AES-256-GCM) with a key kept by ${by}${extra}.`,
    }
  }

  /** The data key: opened once per process, or made (and kept) the first time. */
  private unlock(): Promise<Buffer> {
    this.key ??= this.openKey().catch((error: unknown) => {
      this.key = null
      throw error
    })
    return this.key
  }

  private probe(): Promise<Map<ProtectorKind, string | null>> {
    this.probes ??= Promise.all(
      this.protectors.map(async (p) => [p.kind, await p.probe()] as const),
    ).then((entries) => new Map(entries))
    return this.probes
  }

  private usable(probes: Map<ProtectorKind, string | null>): KeyProtector[] {
    return this.protectors.filter((p) => probes.get(p.kind) === null)
  }

  private keyRows(): KeyRow[] {
    return this.db.prepare('SELECT kind, sealed FROM secret_keys').all() as KeyRow[]
  }

  private async openKey(): Promise<Buffer> {
    const probes = await this.probe()
    const usable = this.usable(probes)
    // Synchronous from here, in one write transaction: the app and the CLI may start together.
    return this.db
      .transaction(() => {
        const rows = this.keyRows()
        const meta = this.db.prepare('SELECT value FROM app_meta WHERE key = ?')
        if (rows.length > 0) {
          const keyId = (meta.get(KEY_ID) as { value: string } | undefined)?.value ?? ''
          const check = (meta.get(KEY_CHECK) as { value: string } | undefined)?.value ?? ''
          const problems: string[] = []
          for (const protector of usable) {
            const row = rows.find((r) => r.kind === protector.kind)
            if (!row) continue
            let key: Buffer | null
            try {
              key = protector.open(row.sealed, keyId)
            } catch (error) {
              problems.push(
                `${protector.description}: ${error instanceof Error ? error.message : String(error)}`,
              )
              continue
            }
            if (!key || keyCheck(key) !== check) {
              problems.push(`${protector.description} no longer holds the key`)
              continue
            }
            this.addProtections(key, keyId, rows, usable)
            return key
          }
          throw new SecretsLockedError(lockedMessage(rows, probes, problems))
        }
        const key = randomBytes(32)
        const keyId = randomBytes(8).toString('hex')
        // Every OS protection this process has keeps it; the key file only when none answers.
        const system = usable.filter((p) => p.kind !== 'key-file')
        const targets = system.length > 0 ? system : usable.filter((p) => p.kind === 'key-file')
        if (targets.length === 0) {
          throw new SecretsLockedError(lockedMessage([], probes, []))
        }
        const set = this.db.prepare(
          'INSERT INTO app_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        )
        set.run(KEY_ID, keyId)
        set.run(KEY_CHECK, keyCheck(key))
        for (const protector of targets) this.keep(protector, key, keyId)
        return key
      })
      .immediate()
  }

  /** A key opened through one protection is also kept by the OS protections it lacks here. */
  private addProtections(key: Buffer, keyId: string, rows: KeyRow[], usable: KeyProtector[]): void {
    for (const protector of usable) {
      if (protector.kind === 'key-file' || rows.some((r) => r.kind === protector.kind)) continue
      try {
        this.keep(protector, key, keyId)
      } catch {
        // The key is open: a protection that failed to take a copy only means one fewer keeper.
      }
    }
  }

  private keep(protector: KeyProtector, key: Buffer, keyId: string): void {
    const sealed = protector.seal(key, keyId)
    this.db
      .prepare('INSERT OR REPLACE INTO secret_keys (kind, sealed, created_at) VALUES (?, ?, ?)')
      .run(protector.kind, sealed, new Date().toISOString())
  }
}

function describeKind(kind: ProtectorKind): string {
  switch (kind) {
    case 'safe-storage':
      return 'the desktop app (Electron safeStorage)'
    case 'keyring':
      return 'the system keyring'
    case 'key-file':
      return 'a key file'
  }
}

function lockedMessage(
  rows: KeyRow[],
  probes: Map<ProtectorKind, string | null>,
  problems: string[],
): string {
  const unavailable = [...probes.entries()]
    .filter(([, why]) => why !== null)
    .map(([kind, why]) => `${describeKind(kind)}: ${why}`)
  if (rows.length === 0) {
    return `Secrets cannot be stored here: no protection works (${unavailable.join('; ')}).`
  }
  const keptBy = rows.map((r) => describeKind(r.kind)).join(' and ')
  const why = [...problems, ...unavailable].join('; ')
  return `The stored secrets are protected by ${keptBy}, which this Skwirl process cannot open${why ? ` (${why})` : ''}. Open them where they were set (for example in the desktop app), or set them again there.`
}

function keyCheck(key: Buffer): string {
  return createHmac('sha256', key).update('skwirl secrets key check').digest('hex')
}

/** iv | tag | ciphertext; the secret's name is authenticated with it (a row cannot be swapped). */
function encrypt(key: Buffer, name: string, value: string): Buffer {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(name, 'utf8'))
  const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()])
  return Buffer.concat([iv, cipher.getAuthTag(), body])
}

function decrypt(key: Buffer, name: string, data: Buffer): string {
  const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES))
  decipher.setAAD(Buffer.from(name, 'utf8'))
  decipher.setAuthTag(data.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
  try {
    return Buffer.concat([
      decipher.update(data.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8')
  } catch {
    throw new SecretsLockedError(
      `The stored secret ${name} cannot be decrypted (it was changed, or sealed with another key); set it again.`,
    )
  }
}
