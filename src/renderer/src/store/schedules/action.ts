import type { StateCreator } from 'zustand/vanilla'
import type { RunNotice, SkwirlApi } from '../../../../shared/api'
import type { Schedule } from '../../../../shared/schedule'
import { errorMessage } from '../error-message'
import type { SkwirlStore } from '../store'

/** How many notices the page keeps at once (the oldest go first). */
export const RUN_NOTICES_MAX = 5

export interface SchedulesAction {
  loadBackupStatus(): Promise<void>
  openScheduleEditor(providerId: string): void
  closeScheduleEditor(): void
  /** Saves a provider's schedule; the editor closes when main accepts it. */
  saveSchedule(providerId: string, schedule: Schedule): Promise<void>
  /** Shows a notice about a scheduled run, in place of the provider's earlier one. */
  receiveRunNotice(notice: RunNotice): void
  dismissRunNotice(runId: string): void
}

export const createSchedulesSlice =
  (api: SkwirlApi): StateCreator<SkwirlStore, [], [], SchedulesAction> =>
  (set, get) => {
    return {
      async loadBackupStatus() {
        try {
          const overview = await api.listBackupStatus()
          set({
            backupStatus: Object.fromEntries(overview.providers.map((s) => [s.providerId, s])),
            scheduleTimeZone: overview.timeZone,
            scheduleHourMs: overview.hourMs,
          })
        } catch (error) {
          // Schedules on the cards are a courtesy: the rest works without them; events retry.
          console.warn('Skwirl: could not load the schedules', error)
        }
      },

      openScheduleEditor(providerId) {
        set({ scheduleEditorFor: providerId, scheduleError: null, scheduleSaving: false })
      },

      closeScheduleEditor() {
        if (get().scheduleSaving) return
        set({ scheduleEditorFor: null, scheduleError: null })
      },

      async saveSchedule(providerId, schedule) {
        set({ scheduleSaving: true, scheduleError: null })
        try {
          // The schedule is one of the provider's options, saved like the others.
          const saved = await api.setProviderOptions(providerId, { schedule })
          set((state) => ({
            scheduleSaving: false,
            scheduleEditorFor: null,
            providerOptions: { ...state.providerOptions, [providerId]: saved },
            // Shown at once; its next run comes with the status main sends next.
            backupStatus: {
              ...state.backupStatus,
              [providerId]: {
                ...(state.backupStatus[providerId] ?? {
                  providerId,
                  nextRunAt: null,
                  lastGoodBackupAt: null,
                  overdue: false,
                }),
                schedule,
              },
            },
          }))
          await get().loadBackupStatus()
        } catch (error) {
          set({ scheduleSaving: false, scheduleError: errorMessage(error) })
        }
      },

      receiveRunNotice(notice) {
        // One notice a provider: its newest run's (a provider failing every hour says it once).
        set((state) => ({
          runNotices: [
            notice,
            ...state.runNotices.filter((n) => n.providerId !== notice.providerId),
          ].slice(0, RUN_NOTICES_MAX),
        }))
      },

      dismissRunNotice(runId) {
        set((state) => ({ runNotices: state.runNotices.filter((n) => n.runId !== runId) }))
      },
    }
  }
