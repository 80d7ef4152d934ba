import type { RunState } from '../../../shared/api'
import { formatClockTime } from '../../../shared/format'
import { connectionSelectors } from '../store/connection/selectors'
import { useSkwirl } from '../store/context'
import { runsSelectors } from '../store/runs/selectors'
import { OFFLINE_REASON } from './offline'
import { StopIcon } from './icons'
import { RunProgress } from './RunStatusLine'
import { runStatusText } from './run-status-text'
import { Spinner } from './Spinner'

/** Several runs of one provider at once (Execute pressed again): each with its progress and Stop. */
export function RunsGoing({
  runs,
  providerName,
}: {
  runs: readonly RunState[]
  providerName: string
}) {
  const offline = useSkwirl(connectionSelectors.isOffline)
  return (
    <div className="runs-going" data-status="running">
      <p className="runs-going__title" role="status">
        {offline ? <span className="run-status__dot" /> : <Spinner />}
        {offline ? `Connection lost · ${runs.length} runs were going` : `${runs.length} runs going`}
      </p>
      <ul className="runs-going__list" aria-label={`Runs of ${providerName} going now`}>
        {runs.map((run) => (
          <RunGoing key={run.runId} run={run} providerName={providerName} offline={offline} />
        ))}
      </ul>
    </div>
  )
}

function RunGoing({
  run,
  providerName,
  offline,
}: {
  run: RunState
  providerName: string
  offline: boolean
}) {
  const stopRun = useSkwirl((s) => s.stopRun)
  const stopping = useSkwirl(runsSelectors.isStopping(run.runId))
  const started = formatClockTime(run.startedAt)
  return (
    <li className="runs-going__item">
      <div className="runs-going__head">
        <span className="runs-going__when">
          Started <time dateTime={run.startedAt}>{started}</time> · {runStatusText(run)}
        </span>
        {run.live ? (
          <button
            type="button"
            className="button button--small"
            aria-label={
              stopping
                ? `Stopping the run of ${providerName} started at ${started}`
                : `Stop the run of ${providerName} started at ${started}`
            }
            title={offline ? OFFLINE_REASON : 'Stop this run now; what it has done is kept'}
            disabled={stopping || offline}
            onClick={() => void stopRun(run.runId)}
          >
            <StopIcon />
            {stopping ? 'Stopping…' : 'Stop'}
          </button>
        ) : null}
      </div>
      <RunProgress run={run} stale={offline} />
    </li>
  )
}
