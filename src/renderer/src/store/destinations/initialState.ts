import type { BackupCheckState, ProviderOptions } from '../../../../shared/api'

/** The destination dialog's form, as the person edits it. */
export interface DestinationDraft {
  providerId: string
  /** Keep the files in a folder; false: check only. */
  keep: boolean
  /** The folder, as typed or chosen. */
  path: string
  /** Days to keep old versions, as typed. */
  retentionDays: string
  /** Files its runs back up at once (1 to TRANSFERS_MAX), whether they keep them or check only. */
  transfers: number
  /** What main said was wrong with the last save. */
  error: string | null
  saving: boolean
}

export interface DestinationsState {
  /** The desktop app has the system's folder dialog and file manager; a browser has a path field. */
  folderAccess: 'native' | 'browser'
  /** Each provider's host options (destination, retention, transfers, schedule), by providerId. */
  providerOptions: Record<string, ProviderOptions>
  destinationDialog: DestinationDraft | null
  /** The newest check of each provider's backup folder, by providerId. */
  backupChecks: Record<string, BackupCheckState>
  /** The provider whose backup check is on screen. */
  checkDialogProviderId: string | null
}

export const initialDestinationsState: DestinationsState = {
  folderAccess: 'native',
  providerOptions: {},
  destinationDialog: null,
  backupChecks: {},
  checkDialogProviderId: null,
}
