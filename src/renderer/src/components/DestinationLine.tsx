import {
  formatBytes,
  formatFiles,
  formatFullTime,
  formatRelativeTime,
} from '../../../shared/format'
import { useSkwirl } from '../store/context'
import { destinationsSelectors } from '../store/destinations/selectors'
import { runsSelectors } from '../store/runs/selectors'
import { useNow } from '../use-now'

/**
 * Where a provider's runs keep their files, and its last backup: when, how many files, how big,
 * where. Without a folder it says, in one line, that runs only check (nothing is kept).
 */
export function DestinationLine({ providerId }: { providerId: string }) {
  const options = useSkwirl(destinationsSelectors.options(providerId))
  const backup = useSkwirl(runsSelectors.lastBackup(providerId))
  const folderAccess = useSkwirl(destinationsSelectors.folderAccess)
  const openDestinationDialog = useSkwirl((s) => s.openDestinationDialog)
  const openDestinationFolder = useSkwirl((s) => s.openDestinationFolder)
  const now = useNow(30_000)

  if (options.destination === null) {
    return (
      <div className="destination destination--check-only">
        <p className="destination__summary">
          <CheckOnlyIcon />
          <span>
            <strong>Check only</strong>: files are verified, not kept.
            <AtATime transfers={options.transfers} />
          </span>
        </p>
        <div className="destination__actions">
          <button
            type="button"
            className="button button--small"
            onClick={() => openDestinationDialog(providerId)}
          >
            Choose backup folder…
          </button>
        </div>
      </div>
    )
  }
  const when = backup?.finishedAt ?? backup?.startedAt ?? null
  // The folder the last backup went to (the destination may have changed since).
  const where = backup?.destination ?? options.destination
  return (
    <div className="destination" aria-label="Backup folder">
      <p className="destination__summary">
        <FolderIcon />
        {backup && when ? (
          <span>
            <strong>Last backup</strong>{' '}
            <time dateTime={when} title={formatFullTime(when)}>
              {formatRelativeTime(when, now)}
            </time>{' '}
            · {formatFiles(backup.downloaded + backup.unchanged)} ·{' '}
            {formatBytes(backup.bytes + backup.unchangedBytes)}
            <AtATime transfers={options.transfers} />
          </span>
        ) : (
          <span>
            <strong>Backs up here</strong> · no backup yet
            <AtATime transfers={options.transfers} />
          </span>
        )}
      </p>
      <p className="destination__path" title={where}>
        <bdi>{where}</bdi>
      </p>
      <div className="destination__actions">
        {folderAccess === 'native' ? (
          <button
            type="button"
            className="button button--small"
            onClick={() => void openDestinationFolder(providerId)}
          >
            Open folder
          </button>
        ) : null}
        <button
          type="button"
          className="button button--small button--quiet"
          onClick={() => openDestinationDialog(providerId)}
        >
          Change…
        </button>
      </div>
    </div>
  )
}

/** Said only when the provider backs up more than one file at a time (not the default). */
function AtATime({ transfers }: { transfers: number }) {
  return transfers > 1 ? <> · {transfers} files at a time</> : null
}

function FolderIcon() {
  return (
    <svg className="destination__icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d="M1.75 4.25c0-.7.55-1.25 1.25-1.25h3.1l1.5 1.5H13c.7 0 1.25.55 1.25 1.25v6.25c0 .7-.55 1.25-1.25 1.25H3c-.7 0-1.25-.55-1.25-1.25z" />
    </svg>
  )
}

function CheckOnlyIcon() {
  return (
    <svg className="destination__icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d="M8 1.75 2.75 3.9v3.6c0 3.1 2.2 5.6 5.25 6.75 3.05-1.15 5.25-3.65 5.25-6.75V3.9zM5.6 8.1l1.7 1.7 3.2-3.3" />
    </svg>
  )
}
