import type { RunState } from '../../../shared/api'
import { formatFullTime, formatRelativeTime } from '../../../shared/format'
import { useNow } from '../use-now'
import { runStatusText } from './run-status-text'
import { Spinner } from './Spinner'

const RELATIVE_TIME_REFRESH_MS = 30_000

export function RunStatusLine({
  run,
  executeError,
}: {
  run: RunState | null
  executeError: string | null
}) {
  const now = useNow(RELATIVE_TIME_REFRESH_MS)
  const running = run?.status === 'running'
  const when = run ? (running ? run.startedAt : (run.finishedAt ?? run.startedAt)) : null
  return (
    <div
      className="run-status"
      role="status"
      aria-live="polite"
      data-status={run?.status ?? 'none'}
    >
      <p className="run-status__line">
        {running ? <Spinner /> : <span className="run-status__dot" />}
        <span>{runStatusText(run)}</span>
      </p>
      {when ? (
        <p className="run-status__when">
          <time dateTime={when} title={formatFullTime(when)}>
            {running ? 'Started ' : ''}
            {formatRelativeTime(when, now)}
          </time>
        </p>
      ) : null}
      {executeError ? (
        <p className="run-status__execute-error">Couldn’t start a run: {executeError}</p>
      ) : null}
    </div>
  )
}
