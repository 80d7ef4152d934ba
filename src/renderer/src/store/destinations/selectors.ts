import {
  DEFAULT_PROVIDER_OPTIONS,
  type BackupCheckState,
  type ProviderOptions,
} from '../../../../shared/api'
import type { SkwirlStore } from '../store'

export const destinationsSelectors = {
  options:
    (providerId: string) =>
    (s: SkwirlStore): ProviderOptions =>
      s.providerOptions[providerId] ?? DEFAULT_PROVIDER_OPTIONS,
  dialog: (s: SkwirlStore) => s.destinationDialog,
  check:
    (providerId: string | null) =>
    (s: SkwirlStore): BackupCheckState | null =>
      providerId === null ? null : (s.backupChecks[providerId] ?? null),
  checkDialogProviderId: (s: SkwirlStore) => s.checkDialogProviderId,
  folderAccess: (s: SkwirlStore) => s.folderAccess,
}
