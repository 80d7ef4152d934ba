// The app's own settings (tray, login, notifications, log level), one JSON value per key. A key
// not stored has its default, so a setting added later needs no migration.
import type { Database, Statement } from 'better-sqlite3'
import { DEFAULT_APP_SETTINGS, type AppSettings } from '../../shared/api'
import { appSettingProblem } from '../../shared/validate'

export class AppSettingsStore {
  private readonly selectAll: Statement
  private readonly upsert: Statement

  constructor(private readonly db: Database) {
    this.selectAll = db.prepare('SELECT key, value FROM app_settings')
    this.upsert = db.prepare(
      'INSERT INTO app_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    )
  }

  get(): AppSettings {
    const settings: AppSettings = { ...DEFAULT_APP_SETTINGS }
    for (const row of this.selectAll.all() as Array<{ key: string; value: string }>) {
      if (!(row.key in settings)) continue
      const key = row.key as keyof AppSettings
      let value: unknown
      try {
        value = JSON.parse(row.value)
      } catch {
        continue
      }
      // A value this version does not understand (written by another) keeps the default.
      if (appSettingProblem(key, value) === null) Object.assign(settings, { [key]: value })
    }
    return settings
  }

  /**
   * True the first time it is asked about `hint` (on this data directory), false after: for
   * something said once, such as "Skwirl keeps running in the tray".
   */
  firstTime(hint: string): boolean {
    return (
      this.db
        .prepare('INSERT INTO app_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING')
        .run(`once:${hint}`, 'true').changes === 1
    )
  }

  /** Stores the given settings (already validated) and answers them all. */
  update(changes: Partial<AppSettings>): AppSettings {
    this.db.transaction(() => {
      for (const [key, value] of Object.entries(changes)) {
        if (value !== undefined) this.upsert.run(key, JSON.stringify(value))
      }
    })()
    return this.get()
  }
}
