import type { StateCreator } from 'zustand/vanilla'
import type { BackupCheckState, SkwirlApi } from '../../../../shared/api'
import { DEFAULT_PROVIDER_OPTIONS, RETENTION_DAYS_MAX } from '../../../../shared/api'
import { errorMessage } from '../error-message'
import type { SkwirlStore } from '../store'
import type { DestinationDraft } from './initialState'

/** Whether this window has the system's folder dialog and can open folders (the desktop app). */
export type FolderAccess = 'native' | 'browser'

export interface DestinationsAction {
  loadProviderOptions(): Promise<void>
  openDestinationDialog(providerId: string): void
  editDestination(
    change: Partial<Pick<DestinationDraft, 'keep' | 'path' | 'retentionDays' | 'transfers'>>,
  ): void
  /** Desktop: the system's folder dialog fills in the path. */
  chooseDestinationFolder(): Promise<void>
  saveDestination(): Promise<void>
  closeDestinationDialog(): void
  /** Desktop: opens the folder with the system; in a browser, says where it is. */
  openDestinationFolder(providerId: string): Promise<void>
  /** A run that downloads every file again and compares it with the kept copy. */
  verifyAll(providerId: string): Promise<void>
  /** Checks the backup folder against its manifest, with its progress on screen. */
  checkBackup(providerId: string): Promise<void>
  receiveBackupCheck(check: BackupCheckState): void
  closeBackupCheck(): void
}

export const createDestinationsSlice =
  (
    api: SkwirlApi,
    folders: FolderAccess,
  ): StateCreator<SkwirlStore, [], [], DestinationsAction & { folderAccess: FolderAccess }> =>
  (set, get) => ({
    folderAccess: folders,

    async loadProviderOptions() {
      try {
        set({ providerOptions: await api.listProviderOptions() })
      } catch (error) {
        // The cards still work (as check only) and the next change reloads them.
        console.warn('Skwirl: could not load provider options', error)
      }
    },

    openDestinationDialog(providerId) {
      const options = get().providerOptions[providerId] ?? DEFAULT_PROVIDER_OPTIONS
      set({
        destinationDialog: {
          providerId,
          keep: true,
          path: options.destination ?? '',
          retentionDays: String(options.retentionDays),
          transfers: options.transfers,
          error: null,
          saving: false,
        },
      })
    },

    editDestination(change) {
      const draft = get().destinationDialog
      if (draft) set({ destinationDialog: { ...draft, ...change, error: null } })
    },

    async chooseDestinationFolder() {
      if (folders !== 'native') return
      let path: string | null
      try {
        path = await api.chooseDestinationFolder()
      } catch (error) {
        get().showNotice(`Couldn’t choose a folder: ${errorMessage(error)}`, 'error')
        return
      }
      if (path !== null) get().editDestination({ path, keep: true })
    },

    async saveDestination() {
      const draft = get().destinationDialog
      if (!draft || draft.saving) return
      const days = draft.retentionDays.trim()
      if (draft.keep && !/^\d+$/.test(days)) {
        set({
          destinationDialog: {
            ...draft,
            error: `Keep old versions for a whole number of days (0 to ${RETENTION_DAYS_MAX}).`,
          },
        })
        return
      }
      if (draft.keep && draft.path.trim() === '') {
        set({ destinationDialog: { ...draft, error: 'Choose a folder for the backup.' } })
        return
      }
      set({ destinationDialog: { ...draft, saving: true, error: null } })
      try {
        const saved = await api.setProviderOptions(
          draft.providerId,
          draft.keep
            ? { destination: draft.path, retentionDays: Number(days), transfers: draft.transfers }
            : { destination: null, transfers: draft.transfers },
        )
        set((state) => ({
          providerOptions: { ...state.providerOptions, [draft.providerId]: saved },
          destinationDialog: null,
        }))
        const name = get().providers.find((p) => p.id === draft.providerId)?.name ?? ''
        get().showNotice(
          saved.destination === null
            ? `“${name}” now runs check only: files are verified, not kept.`
            : `“${name}” now keeps its files in ${saved.destination}.`,
        )
      } catch (error) {
        const current = get().destinationDialog
        if (current?.providerId === draft.providerId) {
          set({ destinationDialog: { ...current, saving: false, error: errorMessage(error) } })
        }
      }
    },

    closeDestinationDialog() {
      set({ destinationDialog: null })
    },

    async openDestinationFolder(providerId) {
      try {
        const { path, opened } = await api.openDestinationFolder(providerId)
        if (!opened) get().showNotice(`The backup is in ${path}`)
      } catch (error) {
        get().showNotice(`Couldn’t open the folder: ${errorMessage(error)}`, 'error')
      }
    },

    async verifyAll(providerId) {
      await get().execute(providerId, { verifyAll: true })
    },

    async checkBackup(providerId) {
      set((state) => {
        const backupChecks = { ...state.backupChecks }
        delete backupChecks[providerId]
        return { checkDialogProviderId: providerId, backupChecks }
      })
      try {
        await api.checkBackup(providerId)
      } catch (error) {
        set({ checkDialogProviderId: null })
        get().showNotice(`Couldn’t check the backup: ${errorMessage(error)}`, 'error')
      }
    },

    receiveBackupCheck(check) {
      set((state) => {
        const current = state.backupChecks[check.providerId]
        // Events of an older check that arrive late never replace a newer one.
        if (current && current.checkId !== check.checkId && current.startedAt > check.startedAt) {
          return state
        }
        return { backupChecks: { ...state.backupChecks, [check.providerId]: check } }
      })
    },

    closeBackupCheck() {
      set({ checkDialogProviderId: null })
    },
  })
