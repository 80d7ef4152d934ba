import { useRef } from 'react'
import { editorSelectors } from '../store/editor/selectors'
import { providersSelectors } from '../store/providers/selectors'
import { useSkwirl } from '../store/context'
import { ConfirmDialog } from './ConfirmDialog'

export function DeleteDialog() {
  const pending = useSkwirl(providersSelectors.pendingDelete)
  const unsaved = useSkwirl(editorSelectors.hasUnsavedEdits(pending?.id ?? ''))
  const cancelDelete = useSkwirl((s) => s.cancelDelete)
  const confirmDelete = useSkwirl((s) => s.confirmDelete)
  const cancelRef = useRef<HTMLButtonElement>(null)

  return (
    <ConfirmDialog
      open={pending !== null}
      tone="danger"
      title={`Delete “${pending?.name ?? ''}”?`}
      onCancel={cancelDelete}
      initialFocus={cancelRef}
      actions={
        <>
          <button ref={cancelRef} type="button" className="button" onClick={cancelDelete}>
            Cancel
          </button>
          <button
            type="button"
            className="button button--danger"
            onClick={() => void confirmDelete()}
          >
            Delete
          </button>
        </>
      }
    >
      <p>
        Its Lua code is removed from Skwirl, and this cannot be undone. To keep a copy, export it
        first.
      </p>
      {unsaved ? <p>The unsaved changes in the editor are lost too.</p> : null}
    </ConfirmDialog>
  )
}
