import { useRef } from 'react'
import { formatBytes, formatCount, formatFiles } from '../../../shared/format'
import { useSkwirl } from '../store/context'
import { destinationsSelectors } from '../store/destinations/selectors'
import { ConfirmDialog } from './ConfirmDialog'
import { Spinner } from './Spinner'

/** "Check backup folder": every kept file re-hashed against the manifest, with progress. */
export function BackupCheckDialog() {
  const providerId = useSkwirl(destinationsSelectors.checkDialogProviderId)
  const check = useSkwirl(destinationsSelectors.check(providerId))
  const name = useSkwirl((s) => s.providers.find((p) => p.id === providerId)?.name ?? '')
  const close = useSkwirl((s) => s.closeBackupCheck)
  const verifyAll = useSkwirl((s) => s.verifyAll)
  const closeRef = useRef<HTMLButtonElement>(null)
  const done = check?.status === 'done'
  const percent = check && check.total > 0 ? Math.floor((check.checked / check.total) * 100) : 0

  return (
    <ConfirmDialog
      open={providerId !== null}
      title={`Check the backup of “${name}”`}
      onCancel={close}
      initialFocus={closeRef}
      actions={
        <>
          {done && check.problems > 0 && providerId ? (
            <button
              type="button"
              className="button"
              title="Download every file again; copies that differ are replaced (the old ones are kept as versions)"
              onClick={() => {
                close()
                void verifyAll(providerId)
              }}
            >
              Verify all
            </button>
          ) : null}
          <button ref={closeRef} type="button" className="button button--primary" onClick={close}>
            {done || check?.status === 'failed' ? 'Close' : 'Hide'}
          </button>
        </>
      }
    >
      <div className="backup-check" role="status" aria-live="polite">
        {check?.dir ? <p className="backup-check__dir">{check.dir}</p> : null}
        {!check || check.status === 'waiting' || check.status === 'checking' ? (
          <>
            <p className="backup-check__line">
              <Spinner />
              {check?.status === 'waiting'
                ? `Waiting for ${check.waitingFor ?? 'another run'} to finish…`
                : 'Reading every kept file and comparing it with the manifest…'}
            </p>
            <div
              className="run-progress__bar"
              role="progressbar"
              aria-label="Files checked"
              aria-valuemin={0}
              aria-valuemax={check?.total ?? 0}
              aria-valuenow={check?.checked ?? 0}
              data-indeterminate={check && check.total > 0 ? undefined : 'true'}
            >
              <div className="run-progress__fill" style={{ width: `${percent}%` }} />
            </div>
            {check && check.total > 0 ? (
              <p className="backup-check__counts">
                {formatCount(check.checked)} of {formatFiles(check.total)} ·{' '}
                {formatBytes(check.bytes)}
              </p>
            ) : null}
          </>
        ) : check.status === 'failed' ? (
          <p className="backup-check__result backup-check__result--bad">{check.error}</p>
        ) : check.problems === 0 ? (
          <p className="backup-check__result backup-check__result--good">
            All {formatFiles(check.checked)} match the manifest ({formatBytes(check.bytes)}).
          </p>
        ) : (
          <>
            <p className="backup-check__result backup-check__result--bad">
              {formatCount(check.problems)} of {formatFiles(check.checked)}{' '}
              {check.problems === 1 ? 'is' : 'are'} missing or different.
            </p>
            <ul className="backup-check__list">
              {check.problemPaths.map((problem) => (
                <li key={problem.path}>
                  <code>{problem.path}</code> <span>{problem.problem}</span>
                </li>
              ))}
              {check.problems > check.problemPaths.length ? (
                <li>
                  …and {formatCount(check.problems - check.problemPaths.length)} more (the log lists
                  them all)
                </li>
              ) : null}
            </ul>
            <p className="backup-check__hint">
              The next run downloads missing files again; Verify all also replaces copies that
              differ (keeping the old ones as versions).
            </p>
          </>
        )}
      </div>
    </ConfirmDialog>
  )
}
