import { noticeText } from '../../../shared/notices'
import { useSkwirl } from '../store/context'
import { schedulesSelectors } from '../store/schedules/selectors'

/**
 * Browser mode: what the desktop shows as system notifications about scheduled runs (failed,
 * completed with failed files, sign-in needed), in the page until dismissed.
 */
export function RunNotices() {
  const notices = useSkwirl(schedulesSelectors.runNotices)
  const dismissRunNotice = useSkwirl((s) => s.dismissRunNotice)
  const openHistory = useSkwirl((s) => s.openHistory)
  return (
    <section className="run-notices" aria-label="Notifications" aria-live="polite">
      {notices.map((notice) => {
        const { title, body } = noticeText(notice)
        return (
          <article key={notice.providerId} className={`run-notice run-notice--${notice.kind}`}>
            <div className="run-notice__text">
              <h2 className="run-notice__title">{title}</h2>
              <p className="run-notice__body">{body}</p>
            </div>
            <div className="run-notice__actions">
              <button
                type="button"
                className="button button--small"
                onClick={() => {
                  dismissRunNotice(notice.runId)
                  void openHistory(notice.providerId)
                }}
              >
                Show history
              </button>
              <button
                type="button"
                className="button button--small button--quiet"
                aria-label={`Dismiss: ${title}`}
                onClick={() => dismissRunNotice(notice.runId)}
              >
                Dismiss
              </button>
            </div>
          </article>
        )
      })}
    </section>
  )
}
