import { useMemo, useRef } from 'react'
import { useSkwirl } from '../store/context'
import { ConfirmDialog } from './ConfirmDialog'
import { lineDiff } from './line-diff'

/** A shipped provider's newer code beside the person's edited one: replace it, or keep theirs. */
export function ShippedUpdateDialog() {
  const update = useSkwirl((s) => s.shippedUpdate)
  const name = useSkwirl(
    (s) => s.providers.find((p) => p.id === s.shippedUpdate?.providerId)?.name ?? 'this provider',
  )
  const close = useSkwirl((s) => s.closeShippedUpdate)
  const apply = useSkwirl((s) => s.applyShippedUpdate)
  const dismiss = useSkwirl((s) => s.dismissShippedUpdate)
  const keepRef = useRef<HTMLButtonElement>(null)
  const lines = useMemo(() => (update ? lineDiff(update.current, update.shipped) : []), [update])
  const added = lines.filter((l) => l.kind === 'added').length
  const removed = lines.filter((l) => l.kind === 'removed').length
  return (
    <ConfirmDialog
      open={update !== null}
      title={`A newer “${name}” ships with Skwirl`}
      onCancel={close}
      initialFocus={keepRef}
      actions={
        <>
          <button type="button" className="button button--quiet" onClick={close}>
            Decide later
          </button>
          <button ref={keepRef} type="button" className="button" onClick={() => void dismiss()}>
            Keep mine
          </button>
          <button type="button" className="button button--primary" onClick={() => void apply()}>
            Replace with the shipped version
          </button>
        </>
      }
    >
      <p>
        Your code was edited, so Skwirl kept it. The shipped version differs in {removed} line
        {removed === 1 ? '' : 's'} of yours and {added} of its own. Replacing keeps the provider’s
        settings, sign-in and history; Export… your version first to keep a copy.
      </p>
      <pre className="diff" aria-label="Your code (−) and the shipped version (+)">
        {lines.map((line, index) => (
          <span key={index} className={`diff__line diff__line--${line.kind}`}>
            {line.kind === 'added' ? '+ ' : line.kind === 'removed' ? '− ' : '  '}
            {line.text}
            {'\n'}
          </span>
        ))}
      </pre>
    </ConfirmDialog>
  )
}
