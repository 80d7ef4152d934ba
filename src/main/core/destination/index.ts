// The destination: where a run keeps what it downloads (DIR, plain files), with its manifest,
// versions, lock and temporary files in DIR/.skwirl/. The only code that writes a backup.
export {
  DestinationRun,
  type DestinationRunOptions,
  type DestinationSummary,
  type DownloadResult,
  type StoredFileWriter,
  type WriteChunk,
} from './destination-run'
export { BackupChecks } from './backup-checks'
export { DestinationError, StoredPathError, type DestinationProblem } from './disk'
export { describeHolder, LOCK_POLL_MS } from './lock'
export { MANIFEST_FILE } from './manifest'
export { pathKey, safeName, safeSegments, SKWIRL_FOLDER } from './paths'
export { checkDestinationFolder, DestinationFolderError } from './folder'
export {
  describeProblem,
  NotABackupError,
  verifyDestination,
  verifySummary,
  type VerifyProblem,
  type VerifyProgress,
  type VerifyReport,
} from './verify'
