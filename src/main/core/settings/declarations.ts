// Reads what a provider's code declares (skwirl.declare) by loading its chunk in a runner of its
// own: no provider function is called and no host call is answered. Kept in the database by the
// code's hash, so a provider is read once per version of its code, whichever process asks.
import { createHash } from 'node:crypto'
import type { Database } from 'better-sqlite3'
import {
  checkTypedDeclaration,
  DeclarationError,
  EMPTY_DECLARATION,
  type ProviderDeclaration,
} from '../../../shared/provider-declaration'
import type { RunnerLimits, RunnerToMain } from '../../../shared/runner-protocol'
import type { RunnerLauncher } from '../runner-process'

export interface DeclarationRead {
  /** What the code declares (empty when it declares nothing); null when it could not be read. */
  declaration: ProviderDeclaration | null
  /** Why it could not be read: the code failed before it declared, or the runner did. */
  error: string | null
}

export interface DeclarationSource {
  id: string
  name: string
  code: string
}

export function codeHash(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('hex')
}

export class Declarations {
  private readonly reading = new Map<string, Promise<DeclarationRead>>()

  constructor(
    private readonly db: Database,
    private readonly launch: RunnerLauncher,
    private readonly limits: RunnerLimits,
  ) {}

  /** The declaration of this code, read now unless the database holds it for this very code. */
  async read(provider: DeclarationSource): Promise<DeclarationRead> {
    const hash = codeHash(provider.code)
    const cached = this.cached(provider.id, hash)
    if (cached) return cached
    const key = `${provider.id}\n${hash}`
    let pending = this.reading.get(key)
    if (!pending) {
      pending = this.readInRunner(provider.name, provider.code)
        .then((read) => {
          this.remember(provider.id, hash, read)
          return read
        })
        .finally(() => this.reading.delete(key))
      this.reading.set(key, pending)
    }
    return pending
  }

  /** What the database holds for the provider's current code, without starting a runner. */
  cached(providerId: string, hash: string): DeclarationRead | null {
    const row = this.db
      .prepare(
        'SELECT code_sha256, declaration, error FROM provider_declarations WHERE provider_id = ?',
      )
      .get(providerId) as
      { code_sha256: string; declaration: string | null; error: string | null } | undefined
    if (!row || row.code_sha256 !== hash) return null
    if (row.declaration === null) return { declaration: null, error: row.error ?? 'unreadable' }
    try {
      return { declaration: checkTypedDeclaration(JSON.parse(row.declaration)), error: null }
    } catch {
      return null
    }
  }

  /** A run read the same code's declaration as it loaded it: keep it for the screen. */
  remember(providerId: string, hash: string, read: DeclarationRead): void {
    if (providerId.startsWith('file:')) return
    this.db
      .prepare(
        `INSERT INTO provider_declarations (provider_id, code_sha256, declaration, error, read_at)
         SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM providers WHERE id = ?)
         ON CONFLICT (provider_id) DO UPDATE SET code_sha256 = excluded.code_sha256,
           declaration = excluded.declaration, error = excluded.error, read_at = excluded.read_at`,
      )
      .run(
        providerId,
        hash,
        read.declaration ? JSON.stringify(read.declaration) : null,
        read.error,
        new Date().toISOString(),
        providerId,
      )
  }

  private readInRunner(name: string, code: string): Promise<DeclarationRead> {
    return new Promise((resolve) => {
      const runner = this.launch({ memoryMb: this.limits.memoryMb })
      let declaration: ProviderDeclaration | null = null
      let settled = false
      const finish = (read: DeclarationRead): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        runner.kill()
        resolve(read)
      }
      // The chunk may loop at the top level: its CPU budget stops it, this stops a stuck builtin.
      const timer = setTimeout(
        () =>
          finish({
            declaration,
            error: declaration
              ? null
              : `reading the provider's settings took longer than ${Math.round((this.limits.cpuMs + this.limits.watchdogMs) / 1000)} s`,
          }),
        this.limits.cpuMs + this.limits.watchdogMs,
      )
      runner.onMessage((message: RunnerToMain) => {
        if (message.type === 'declared') {
          try {
            declaration = checkTypedDeclaration(message.declaration)
          } catch (error) {
            const text = error instanceof DeclarationError ? error.message : String(error)
            finish({ declaration: null, error: `the declaration is not valid: ${text}` })
            return
          }
          // Nothing after skwirl.declare matters here: the rest of the chunk need not run.
          finish({ declaration, error: null })
        } else if (message.type === 'declare-done') {
          finish(
            message.error === null
              ? { declaration: declaration ?? EMPTY_DECLARATION, error: null }
              : { declaration: null, error: message.error },
          )
        }
      })
      runner.onExit((exit) => {
        finish({
          declaration: null,
          error: exit.outOfMemory
            ? 'the runner went over its memory limit while reading the settings'
            : `the runner ended while reading the settings (exit code ${exit.code ?? 'none'})`,
        })
      })
      runner.send({
        seq: 1,
        type: 'declare',
        providerName: name,
        code,
        limits: this.limits,
      })
    })
  }
}
