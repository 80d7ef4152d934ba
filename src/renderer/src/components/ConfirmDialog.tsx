import { useEffect, useId, useRef, type ReactNode, type RefObject } from 'react'

/**
 * A question in a native modal dialog (which keeps focus inside): Escape or a click on the
 * backdrop cancels, focus starts on `initialFocus` and goes back where it was when it closes.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  actions,
  onCancel,
  initialFocus,
  tone = 'default',
  wide = false,
  onClosed,
}: {
  open: boolean
  title: string
  children: ReactNode
  /** The buttons at the foot; null when the body brings its own (a form). */
  actions: ReactNode
  onCancel(): void
  initialFocus?: RefObject<HTMLElement | null>
  tone?: 'default' | 'danger'
  /** A wider dialog (a gallery of choices rather than a question). */
  wide?: boolean
  /** Called once the dialog has closed and given focus back. */
  onClosed?: () => void
}) {
  const dialogRef = useRef<HTMLDialogElement>(null)
  const returnFocusRef = useRef<HTMLElement | null>(null)
  const onClosedRef = useRef(onClosed)
  useEffect(() => {
    onClosedRef.current = onClosed
  }, [onClosed])
  const titleId = useId()
  const bodyId = useId()

  // The store decides whether the dialog is open; this only brings the element in line.
  useEffect(() => {
    const dialog = dialogRef.current
    if (!dialog) return
    if (open && !dialog.open) {
      const active = document.activeElement
      returnFocusRef.current = active instanceof HTMLElement ? active : null
      dialog.showModal()
      initialFocus?.current?.focus()
    } else if (!open && dialog.open) {
      dialog.close()
      if (returnFocusRef.current?.isConnected) returnFocusRef.current.focus()
      returnFocusRef.current = null
      // After focus went back: what the answer opens next (an editor) may take it from there.
      onClosedRef.current?.()
    }
  }, [open, initialFocus])

  return (
    <dialog
      ref={dialogRef}
      className={`confirm-dialog confirm-dialog--${tone}${wide ? ' confirm-dialog--wide' : ''}`}
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onCancel={(event) => {
        event.preventDefault()
        onCancel()
      }}
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return
        event.preventDefault()
        onCancel()
      }}
      onClick={(event) => {
        // A click on the dialog element itself, not its panel, is a click on the backdrop.
        if (event.target === event.currentTarget) onCancel()
      }}
    >
      {open ? (
        <div className="confirm-dialog__panel">
          <h2 id={titleId} className="confirm-dialog__title">
            {title}
          </h2>
          <div id={bodyId} className="confirm-dialog__body">
            {children}
          </div>
          {actions === null ? null : <div className="confirm-dialog__actions">{actions}</div>}
        </div>
      ) : null}
    </dialog>
  )
}
