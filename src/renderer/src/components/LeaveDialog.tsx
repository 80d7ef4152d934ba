import { useRef } from 'react'
import { editorSelectors } from '../store/editor/selectors'
import { useSkwirl } from '../store/context'
import { ConfirmDialog } from './ConfirmDialog'

/** "Save your changes?" when leaving the editor (closing it, opening another provider). */
export function LeaveDialog() {
  const request = useSkwirl(editorSelectors.leaveRequest)
  const editor = useSkwirl(editorSelectors.editor)
  const syntaxError = useSkwirl(editorSelectors.syntaxError)
  const resolveLeave = useSkwirl((s) => s.resolveLeave)
  const saveRef = useRef<HTMLButtonElement>(null)
  const cancelRef = useRef<HTMLButtonElement>(null)

  const name = editor?.name.trim() || editor?.saved.name
  const isNew = editor?.providerId === null
  const title = isNew
    ? 'Save the new provider?'
    : `Save the changes to “${name ?? 'this provider'}”?`

  return (
    <ConfirmDialog
      open={request !== null}
      title={title}
      onCancel={() => void resolveLeave('cancel')}
      initialFocus={syntaxError ? cancelRef : saveRef}
      actions={
        <>
          <button
            type="button"
            className="button button--quiet confirm-dialog__aside"
            onClick={() => void resolveLeave('discard')}
          >
            Don’t save
          </button>
          <button
            ref={cancelRef}
            type="button"
            className="button"
            onClick={() => void resolveLeave('cancel')}
          >
            Cancel
          </button>
          <button
            ref={saveRef}
            type="button"
            className="button button--primary"
            disabled={syntaxError !== null}
            onClick={() => void resolveLeave('save')}
          >
            Save
          </button>
        </>
      }
    >
      <p>Your changes are lost if you don’t save them.</p>
      {syntaxError ? (
        <p className="confirm-dialog__warning">
          The code has an error
          {syntaxError.line === null ? '' : ` on line ${syntaxError.line}`}, so it can’t be saved as
          it is.
        </p>
      ) : null}
    </ConfirmDialog>
  )
}
