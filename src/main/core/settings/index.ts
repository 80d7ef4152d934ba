// Provider settings: declared in the provider's Lua (skwirl.declare), set by the person (the form
// beside the editor, `skwirl provider set`), read by the code with skwirl.setting(key). Plain
// values live in provider_settings; secret ones in the secret store, never in clear.
import type { Database } from 'better-sqlite3'
import type { SettingValue, SettingsChanges } from '../../../shared/api'
import { ApiError } from '../../../shared/errors'
import {
  settingValueProblem,
  type DeclaredValue,
  type ProviderDeclaration,
  type SettingDeclaration,
} from '../../../shared/provider-declaration'
import type { SecretStore } from '../secrets'
import {
  codeHash,
  Declarations,
  type DeclarationRead,
  type DeclarationSource,
} from './declarations'

export { codeHash, Declarations } from './declarations'
export type { DeclarationRead, DeclarationSource } from './declarations'

export function settingSecretName(providerId: string, key: string): string {
  return `setting/${providerId}/${key}`
}

export class ProviderSettings {
  constructor(
    private readonly db: Database,
    private readonly secrets: SecretStore,
    readonly declarations: Declarations,
  ) {}

  /** The provider's declaration; throws an invalid-argument error saying why it is unreadable. */
  async declared(provider: DeclarationSource): Promise<ProviderDeclaration> {
    const read = await this.declarations.read(provider)
    if (!read.declaration) {
      throw new ApiError(
        'invalid-argument',
        `Skwirl could not read the settings that “${provider.name}” declares: ${read.error ?? 'unknown error'}`,
      )
    }
    return read.declaration
  }

  /** The declaration the database holds for this code, without starting a runner (or null). */
  cachedDeclaration(provider: DeclarationSource): DeclarationRead | null {
    return this.declarations.cached(provider.id, codeHash(provider.code))
  }

  /** The stored values that are not secret: what a run's runner gets with its start. */
  plainValues(providerId: string): Record<string, string> {
    const rows = this.db
      .prepare('SELECT key, value FROM provider_settings WHERE provider_id = ?')
      .all(providerId) as Array<{ key: string; value: string }>
    return Object.fromEntries(rows.map((row) => [row.key, row.value]))
  }

  /**
   * A secret setting's value, read in main (for the OAuth client secret, a signing key): the
   * clean way for core code to use a secret that never enters Lua.
   */
  async secretValue(providerId: string, key: string): Promise<string | null> {
    return this.secrets.get(settingSecretName(providerId, key))
  }

  /**
   * Any setting of the provider, read in main (aws.sign's keys): the secret one when one is
   * stored, else the plain value, else the declared default.
   */
  async read(
    providerId: string,
    key: string,
    declaration: ProviderDeclaration | null,
  ): Promise<string | null> {
    if (this.secrets.has(settingSecretName(providerId, key))) {
      return this.secretValue(providerId, key)
    }
    const plain = this.plainValues(providerId)[key]
    if (plain !== undefined) return plain
    return declaration?.settings.find((s) => s.key === key && !s.secret)?.default ?? null
  }

  /** A declared value: written in the code, or the setting that holds it (with its default). */
  async resolve(
    providerId: string,
    declaration: ProviderDeclaration,
    value: DeclaredValue,
  ): Promise<string | null> {
    if ('value' in value) return value.value
    const setting = declaration.settings.find((s) => s.key === value.setting)
    if (!setting) return null
    if (setting.secret) return this.secretValue(providerId, setting.key)
    return this.plainValues(providerId)[setting.key] ?? setting.default
  }

  /** What the screen and the CLI may see: plain values, and only whether a secret is set. */
  values(providerId: string, declaration: ProviderDeclaration): Record<string, SettingValue> {
    const plain = this.plainValues(providerId)
    const out: Record<string, SettingValue> = {}
    for (const setting of declaration.settings) {
      if (setting.secret) {
        out[setting.key] = {
          isSet: this.secrets.has(settingSecretName(providerId, setting.key)),
          value: null,
        }
      } else {
        const value = plain[setting.key] ?? null
        out[setting.key] = { isSet: value !== null, value }
      }
    }
    return out
  }

  /** Checks every change against the declaration, then writes them (secrets encrypted). */
  async update(
    providerId: string,
    declaration: ProviderDeclaration,
    changes: SettingsChanges,
  ): Promise<void> {
    const checked: Array<{ setting: SettingDeclaration; value: string | null }> = []
    for (const [key, value] of Object.entries(changes)) {
      const setting = declaration.settings.find((s) => s.key === key)
      if (!setting) {
        throw new ApiError(
          'invalid-argument',
          declaration.settings.length === 0
            ? `The provider declares no settings, so “${key}” cannot be set.`
            : `The provider declares no setting “${key}”; its settings are ${declaration.settings.map((s) => s.key).join(', ')}.`,
        )
      }
      if (value !== null) {
        const problem = settingValueProblem(setting, value)
        if (problem) throw new ApiError('invalid-argument', `${problem}.`)
      }
      checked.push({ setting, value })
    }
    const now = new Date().toISOString()
    // Secrets first (they may need the keyring); then the plain values in one transaction.
    for (const { setting, value } of checked) {
      if (!setting.secret) continue
      const name = settingSecretName(providerId, setting.key)
      if (value === null || value === '') await this.secrets.delete(name)
      else await this.secrets.set(name, value, providerId)
    }
    const put = this.db.prepare(
      `INSERT INTO provider_settings (provider_id, key, value, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (provider_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    )
    const clear = this.db.prepare('DELETE FROM provider_settings WHERE provider_id = ? AND key = ?')
    this.db.transaction(() => {
      for (const { setting, value } of checked) {
        if (setting.secret) continue
        if (value === null) clear.run(providerId, setting.key)
        else put.run(providerId, setting.key, value, now)
      }
    })()
  }

  /** A duplicate gets the original's settings (secret ones too), not its sign-in. */
  async copy(fromId: string, toId: string): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO provider_settings (provider_id, key, value, updated_at)
         SELECT ?, key, value, updated_at FROM provider_settings WHERE provider_id = ?`,
      )
      .run(toId, fromId)
    const names = this.db
      .prepare("SELECT name FROM secrets WHERE provider_id = ? AND name LIKE 'setting/%'")
      .all(fromId) as Array<{ name: string }>
    for (const { name } of names) {
      const key = name.slice(`setting/${fromId}/`.length)
      const value = await this.secrets.get(name)
      if (value !== null) await this.secrets.set(settingSecretName(toId, key), value, toId)
    }
  }
}
