import { useEffect, useId, useRef } from 'react'
import { providersSelectors } from '../store/providers/selectors'
import { useSkwirl } from '../store/context'
import { CodeView } from './CodeView'

/** The open provider's Lua code in a native modal dialog, which keeps focus inside for us. */
export function ProviderCodeDialog() {
  const provider = useSkwirl(providersSelectors.openProvider)
  const closeProviderCode = useSkwirl((s) => s.closeProviderCode)
  const dialogRef = useRef<HTMLDialogElement>(null)
  const returnFocusRef = useRef<HTMLElement | null>(null)
  const titleId = useId()
  const isOpen = provider !== null

  // The store decides whether the dialog is open; this only brings the element in line.
  useEffect(() => {
    const dialog = dialogRef.current
    if (!dialog) return
    if (isOpen && !dialog.open) {
      const active = document.activeElement
      returnFocusRef.current = active instanceof HTMLElement ? active : null
      dialog.showModal()
    } else if (!isOpen && dialog.open) {
      dialog.close()
    }
  }, [isOpen])

  function handleClosed() {
    closeProviderCode()
    returnFocusRef.current?.focus()
    returnFocusRef.current = null
  }

  return (
    <dialog
      ref={dialogRef}
      className="code-dialog"
      aria-labelledby={titleId}
      onClose={handleClosed}
      onCancel={(event) => {
        event.preventDefault()
        closeProviderCode()
      }}
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return
        event.preventDefault()
        closeProviderCode()
      }}
      onClick={(event) => {
        // A click on the dialog element itself, not its panel, is a click on the backdrop.
        if (event.target === event.currentTarget) closeProviderCode()
      }}
    >
      {provider ? (
        <div className="code-dialog__panel">
          <header className="code-dialog__header">
            <div>
              <h2 id={titleId} className="code-dialog__title">
                {provider.name || 'Provider'}
              </h2>
              <p className="code-dialog__subtitle">Lua · read-only</p>
            </div>
            <button type="button" className="button button--quiet" onClick={closeProviderCode}>
              Close
            </button>
          </header>
          <div className="code-dialog__body">
            {provider.status === 'loading' ? (
              <p className="code-dialog__message" role="status">
                Loading code…
              </p>
            ) : provider.status === 'error' ? (
              <p className="code-dialog__message code-dialog__message--error" role="alert">
                Couldn’t load the code. {provider.error}
              </p>
            ) : (
              <CodeView code={provider.code ?? ''} label={`Lua code of ${provider.name}`} />
            )}
          </div>
        </div>
      ) : null}
    </dialog>
  )
}
