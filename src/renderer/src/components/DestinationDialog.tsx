import { useId, useRef } from 'react'
import { DEFAULT_TRANSFERS, RETENTION_DAYS_MAX, TRANSFERS_MAX } from '../../../shared/api'
import { useSkwirl } from '../store/context'
import { destinationsSelectors } from '../store/destinations/selectors'
import { ConfirmDialog } from './ConfirmDialog'

const TRANSFER_CHOICES = Array.from({ length: TRANSFERS_MAX }, (_, i) => i + 1)

/**
 * Where a provider's runs keep their files: a folder (the system's folder dialog on the desktop,
 * a path field in a browser) and how long old versions stay, or check only; and how many files
 * its runs back up at once.
 */
export function DestinationDialog() {
  const draft = useSkwirl(destinationsSelectors.dialog)
  const folderAccess = useSkwirl(destinationsSelectors.folderAccess)
  const name = useSkwirl((s) => s.providers.find((p) => p.id === draft?.providerId)?.name ?? '')
  const edit = useSkwirl((s) => s.editDestination)
  const choose = useSkwirl((s) => s.chooseDestinationFolder)
  const save = useSkwirl((s) => s.saveDestination)
  const close = useSkwirl((s) => s.closeDestinationDialog)
  const pathRef = useRef<HTMLInputElement>(null)
  const formId = useId()
  const hintId = useId()
  const errorId = useId()
  const transfersHintId = useId()
  const keep = draft?.keep ?? true

  return (
    <ConfirmDialog
      open={draft !== null}
      title={`Backup folder for “${name}”`}
      onCancel={close}
      initialFocus={pathRef}
      actions={
        <>
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button
            type="submit"
            form={formId}
            className="button button--primary"
            disabled={draft?.saving ?? false}
          >
            {draft?.saving ? 'Saving…' : 'Save'}
          </button>
        </>
      }
    >
      <form
        id={formId}
        className="destination-form"
        onSubmit={(event) => {
          event.preventDefault()
          void save()
        }}
      >
        <label className="destination-form__choice">
          <input type="radio" name="keep" checked={keep} onChange={() => edit({ keep: true })} />
          <span>
            <strong>Keep the files in a folder</strong>
          </span>
        </label>
        <div className="destination-form__keep" data-disabled={keep ? undefined : 'true'}>
          <div className="destination-form__folder">
            <input
              ref={pathRef}
              type="text"
              className="destination-form__path"
              aria-label="Folder"
              aria-describedby={`${hintId} ${draft?.error ? errorId : ''}`}
              aria-invalid={draft?.error ? 'true' : undefined}
              placeholder={
                folderAccess === 'native' ? 'Choose a folder…' : '/home/you/Backups/Google Drive'
              }
              spellCheck={false}
              autoComplete="off"
              value={draft?.path ?? ''}
              disabled={!keep}
              onChange={(event) => edit({ path: event.target.value })}
            />
            {folderAccess === 'native' ? (
              <button
                type="button"
                className="button"
                disabled={!keep}
                onClick={() => void choose()}
              >
                Choose…
              </button>
            ) : null}
          </div>
          <p id={hintId} className="destination-form__hint">
            {folderAccess === 'native'
              ? ''
              : 'The folder’s full path on the computer Skwirl runs on. '}
            Each file is kept as a plain file at its path in this folder; a folder that does not
            exist yet is created. Skwirl keeps its own records in <code>.skwirl</code> inside.
          </p>
          <label className="destination-form__retention">
            Keep old versions for
            <input
              type="number"
              inputMode="numeric"
              min={0}
              max={RETENTION_DAYS_MAX}
              step={1}
              value={draft?.retentionDays ?? ''}
              disabled={!keep}
              onChange={(event) => edit({ retentionDays: event.target.value })}
            />
            days
          </label>
        </div>
        <label className="destination-form__choice">
          <input type="radio" name="keep" checked={!keep} onChange={() => edit({ keep: false })} />
          <span>
            <strong>Check only</strong>: download and verify every file, keep nothing
          </span>
        </label>
        <div className="destination-form__transfers">
          <label>
            Back up
            <select
              value={draft?.transfers ?? DEFAULT_TRANSFERS}
              aria-label="Files at a time"
              aria-describedby={transfersHintId}
              onChange={(event) => edit({ transfers: Number(event.target.value) })}
            >
              {TRANSFER_CHOICES.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
            {(draft?.transfers ?? DEFAULT_TRANSFERS) === 1 ? 'file at a time' : 'files at a time'}
          </label>
          <p id={transfersHintId} className="destination-form__hint">
            One at a time is the gentlest on the service. More is faster when each request waits on
            the network; the same files are kept either way.
          </p>
        </div>
        {draft?.error ? (
          <p id={errorId} className="destination-form__error" role="alert">
            {draft.error}
          </p>
        ) : null}
      </form>
    </ConfirmDialog>
  )
}
