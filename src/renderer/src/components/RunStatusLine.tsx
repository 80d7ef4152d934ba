import type { RunState } from '../../../shared/api'
import {
  formatBytes,
  formatCount,
  formatFullTime,
  formatRate,
  formatRelativeTime,
  formatTimeLeft,
} from '../../../shared/format'
import { connectionSelectors } from '../store/connection/selectors'
import { useSkwirl } from '../store/context'
import { useNow } from '../use-now'
import { doneOfListed, filesDone, runStatusText } from './run-status-text'
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
  const offline = useSkwirl(connectionSelectors.isOffline)
  const running = run?.status === 'running'
  // Out of reach, a running run's last state is only that: no spinner, no estimate, no bar.
  const stale = running && offline
  const when = run ? (running ? run.startedAt : (run.finishedAt ?? run.startedAt)) : null
  return (
    <div
      className="run-status"
      role="status"
      aria-live="polite"
      data-status={run?.status ?? 'none'}
      data-stale={stale ? 'true' : undefined}
    >
      <p className="run-status__line">
        {running && !stale ? <Spinner /> : <span className="run-status__dot" />}
        <span>
          {stale ? `Connection lost · was ${lowerFirst(runStatusText(run))}` : runStatusText(run)}
        </span>
      </p>
      {run?.live?.waitingFor ? (
        <p className="run-status__detail">
          The folder is in use by {run.live.waitingFor}; this run starts when it is done.
        </p>
      ) : null}
      {run?.reason === 'destination' && run.problem ? (
        <p className="run-status__detail run-status__detail--problem">{run.problem}</p>
      ) : null}
      {run && running && run.live?.waitingFor == null ? (
        <RunProgress run={run} stale={stale} />
      ) : null}
      {run && !running && (run.failure || run.failed > 0) ? <RunFailureLine run={run} /> : null}
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

/** Why the latest run failed, in one line, and the way to its log. */
function RunFailureLine({ run }: { run: RunState }) {
  const openHistory = useSkwirl((s) => s.openHistory)
  return (
    <p className="run-status__problem">
      {run.failure ? <span>{run.failure.summary}</span> : null}
      <button
        type="button"
        className="run-status__show-log"
        aria-label={`Show log of the latest run of ${run.providerName}`}
        onClick={() => void openHistory(run.providerId, { runId: run.runId, tab: 'log' })}
      >
        Show log
      </button>
    </p>
  )
}

/**
 * A running run's progress: a bar of files done of files listed, the current file, the bytes, the
 * pace and the time left. It changes a few times a second, so it is kept out of the live region
 * (a screen reader would read every change); the bar speaks for itself when visited.
 */
export function RunProgress({ run, stale = false }: { run: RunState; stale?: boolean }) {
  const live = stale ? null : run.live
  const backingUp = run.phase === 'backing-up'
  const done = filesDone(run)
  const percent = run.listed > 0 ? Math.min(100, Math.floor((done / run.listed) * 100)) : 0
  const stats: string[] = [formatBytes(run.bytes)]
  if (live?.filesPerSecond != null) stats.push(formatRate(live.filesPerSecond))
  if (live?.secondsLeft != null) stats.push(formatTimeLeft(live.secondsLeft))
  else if (live && backingUp && done < run.listed) stats.push('estimating time left…')
  return (
    <div className="run-progress" aria-live="off">
      {live ? (
        <div
          className="run-progress__bar"
          role="progressbar"
          aria-label={backingUp ? 'Files backed up' : 'Listing files'}
          aria-valuemin={backingUp ? 0 : undefined}
          aria-valuemax={backingUp ? run.listed : undefined}
          aria-valuenow={backingUp ? done : undefined}
          aria-valuetext={backingUp ? `${doneOfListed(run)} (${percent}%)` : undefined}
          data-indeterminate={backingUp ? undefined : 'true'}
        >
          <div
            className="run-progress__fill"
            style={backingUp ? { width: `${(done / Math.max(1, run.listed)) * 100}%` } : undefined}
          />
        </div>
      ) : null}
      <div className="run-progress__counts">
        <span>{backingUp ? doneOfListed(run) : `${formatCount(run.listed)} found`}</span>
        {backingUp && run.skipped > 0 ? (
          <span className="run-progress__skipped">{formatCount(run.skipped)} skipped</span>
        ) : null}
        {backingUp && run.failed > 0 ? (
          <span className="run-progress__failed">{formatCount(run.failed)} failed</span>
        ) : null}
        {backingUp && live ? <span className="run-progress__percent">{percent}%</span> : null}
      </div>
      {backingUp && live ? (
        <>
          <div className="run-progress__file" title={live.currentFile ?? undefined}>
            {live.currentFile ?? '\u00a0'}
          </div>
          <div className="run-progress__stats">{stats.join(' · ')}</div>
        </>
      ) : null}
    </div>
  )
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1)
}
