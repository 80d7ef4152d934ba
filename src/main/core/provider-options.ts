// Each provider's host options: what the person sets for it outside its Lua (the destination,
// the versions' retention, the schedule, the transfers). One row per provider that has
// any, in provider_options; a provider without a row has the defaults. The schedule keeps its own
// table (provider_schedules), because it carries the scheduler's state beside the setting.
import type { Database, Statement } from 'better-sqlite3'
import {
  DEFAULT_PROVIDER_OPTIONS,
  RETENTION_DAYS_MAX,
  TRANSFERS_MAX,
  transfersProblem,
  type ProviderOptions,
  type ProviderOptionsPatch,
} from '../../shared/api'
import { ApiError } from '../../shared/errors'
import { sameSchedule } from '../../shared/schedule'
import { checkDestinationFolder, DestinationFolderError } from './destination'
import type { ScheduleStore } from './scheduler'

interface OptionsRow {
  provider_id: string
  destination: string | null
  retention_days: number
  transfers: number
}

function toOptions(row: OptionsRow | undefined): Omit<ProviderOptions, 'schedule'> {
  if (!row) {
    const { destination, retentionDays, transfers } = DEFAULT_PROVIDER_OPTIONS
    return { destination, retentionDays, transfers }
  }
  return {
    destination: row.destination,
    retentionDays: row.retention_days,
    transfers: row.transfers,
  }
}

export class ProviderOptionsStore {
  private readonly selectOne: Statement
  private readonly selectAll: Statement
  private readonly upsert: Statement

  constructor(
    private readonly db: Database,
    private readonly schedules: ScheduleStore,
  ) {
    this.selectOne = db.prepare('SELECT * FROM provider_options WHERE provider_id = ?')
    this.selectAll = db.prepare('SELECT * FROM provider_options')
    this.upsert = db.prepare(`
      INSERT INTO provider_options (provider_id, destination, retention_days, transfers, updated_at)
      VALUES (@providerId, @destination, @retentionDays, @transfers, @updatedAt)
      ON CONFLICT (provider_id) DO UPDATE SET destination = excluded.destination,
        retention_days = excluded.retention_days, transfers = excluded.transfers,
        updated_at = excluded.updated_at`)
  }

  get(providerId: string): ProviderOptions {
    return {
      ...toOptions(this.selectOne.get(providerId) as OptionsRow | undefined),
      schedule: this.schedules.get(providerId),
    }
  }

  /** How a run of the provider goes by its options: into its destination or check only, how many files at once. */
  runOptions(providerId: string): {
    destination: string | null
    retentionDays: number
    transfers: number
  } {
    const { destination, retentionDays, transfers } = this.get(providerId)
    return { destination, retentionDays, transfers }
  }

  /** The options of the given providers (defaults for those never set). */
  all(providerIds: readonly string[]): Record<string, ProviderOptions> {
    const rows = new Map(
      (this.selectAll.all() as OptionsRow[]).map((row) => [row.provider_id, row]),
    )
    const schedules = new Map(this.schedules.all().map((s) => [s.providerId, s.schedule]))
    return Object.fromEntries(
      providerIds.map((id) => [
        id,
        {
          ...toOptions(rows.get(id)),
          schedule: schedules.get(id) ?? DEFAULT_PROVIDER_OPTIONS.schedule,
        },
      ]),
    )
  }

  /**
   * Applies a change (the schedule already checked: a new one counts from `now`). A destination
   * is checked (and created when missing) first; `base` resolves a relative path (the CLI's
   * working directory; null in the app, which wants full paths). Nothing is written unless all
   * of it is right: ApiError('invalid-argument') with a sentence for the person.
   */
  set(
    providerId: string,
    patch: ProviderOptionsPatch,
    base: string | null = null,
    now = Date.now(),
  ): ProviderOptions & { created: boolean; scheduleChanged: boolean } {
    const current = this.get(providerId)
    let created = false
    let destination = current.destination
    if (patch.destination !== undefined) {
      if (patch.destination === null) destination = null
      else {
        try {
          const checked = checkDestinationFolder(patch.destination, base)
          destination = checked.path
          created = checked.created
        } catch (error) {
          if (error instanceof DestinationFolderError) {
            throw new ApiError('invalid-argument', error.message)
          }
          throw error
        }
      }
    }
    const retentionDays = patch.retentionDays ?? current.retentionDays
    if (
      !Number.isSafeInteger(retentionDays) ||
      retentionDays < 0 ||
      retentionDays > RETENTION_DAYS_MAX
    ) {
      throw new ApiError(
        'invalid-argument',
        `Keep versions for a whole number of days from 0 to ${RETENTION_DAYS_MAX}.`,
      )
    }
    const transfers = patch.transfers ?? current.transfers
    const transfersWrong = transfersProblem(transfers)
    if (transfersWrong !== null) {
      throw new ApiError(
        'invalid-argument',
        `Transfers: back up a whole number of files at once, from 1 to ${TRANSFERS_MAX} (${transfersWrong}).`,
      )
    }
    const schedule = patch.schedule ?? current.schedule
    const scheduleChanged = !sameSchedule(schedule, current.schedule)
    this.db.transaction(() => {
      if (
        patch.destination !== undefined ||
        patch.retentionDays !== undefined ||
        patch.transfers !== undefined
      ) {
        this.upsert.run({
          providerId,
          destination,
          retentionDays,
          transfers,
          updatedAt: new Date(now).toISOString(),
        })
      }
      if (scheduleChanged) this.schedules.set(providerId, schedule, now)
    })()
    return { destination, retentionDays, transfers, schedule, created, scheduleChanged }
  }
}
