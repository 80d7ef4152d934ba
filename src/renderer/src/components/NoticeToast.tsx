import { useEffect } from 'react'
import { providersSelectors } from '../store/providers/selectors'
import { useSkwirl } from '../store/context'

const SHOW_MS = { info: 5_000, error: 10_000 }

/** One short message at the bottom of the window; it goes away by itself. */
export function NoticeToast() {
  const notice = useSkwirl(providersSelectors.notice)
  const dismissNotice = useSkwirl((s) => s.dismissNotice)

  useEffect(() => {
    if (!notice) return
    const timer = setTimeout(dismissNotice, SHOW_MS[notice.tone])
    return () => clearTimeout(timer)
  }, [notice, dismissNotice])

  return (
    <div className="notice-region" role="status" aria-live="polite">
      {notice ? (
        <div key={notice.id} className={`notice-toast notice-toast--${notice.tone}`}>
          <span>{notice.text}</span>
          <button
            type="button"
            className="notice-toast__close"
            aria-label="Dismiss"
            onClick={dismissNotice}
          >
            ×
          </button>
        </div>
      ) : null}
    </div>
  )
}
