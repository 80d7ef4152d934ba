import type { RunState } from '../../../shared/api'
import { formatBytes, formatCount, formatFiles } from '../../../shared/format'

/** Files a run has finished with: downloaded, unchanged or failed. */
export function filesDone(run: RunState): number {
  return run.downloaded + run.unchanged + run.failed
}

/** "37 of 1,204 files". */
export function doneOfListed(run: RunState): string {
  return `${formatCount(filesDone(run))} of ${formatFiles(run.listed)}`
}

/** What a card says about its latest run: counts and states only, never an error message. */
export function runStatusText(run: RunState | null): string {
  if (!run) return 'Not run yet'
  switch (run.status) {
    case 'running':
      if (run.live === null) return 'Running in another Skwirl process'
      return run.phase === 'starting'
        ? 'Starting…'
        : run.phase === 'listing'
          ? 'Listing files…'
          : 'Backing up…'
    case 'completed': {
      const parts = ['Completed', formatFiles(run.downloaded), formatBytes(run.bytes)]
      if (run.failed > 0) parts.push(`${formatCount(run.failed)} failed`)
      return parts.join(' · ')
    }
    case 'failed':
    case 'cancelled': {
      const parts = [endedText(run)]
      if (filesDone(run) > 0) parts.push(doneOfListed(run))
      return parts.join(' · ')
    }
  }
}

function endedText(run: RunState): string {
  if (run.status === 'cancelled')
    return run.reason === 'closed' ? 'Cancelled: Skwirl closed' : 'Cancelled'
  switch (run.reason) {
    case 'interrupted':
      return 'Interrupted'
    case 'runner':
      return 'Failed: runner stopped'
    case 'error':
      return run.phase === 'starting'
        ? 'Failed to start'
        : run.phase === 'listing'
          ? 'Failed while listing'
          : 'Failed'
    default:
      return 'Failed'
  }
}

/** One or two sentences on how a run ended, for its page in the history (no error messages). */
export function runEndSentence(run: RunState): string | null {
  switch (run.status) {
    case 'running':
      return run.live === null
        ? 'Another Skwirl process (the CLI, or another window) is running it.'
        : null
    case 'completed':
      return run.failed === 0
        ? null
        : `${formatFiles(run.failed)} could not be backed up. The log says why.`
    case 'cancelled':
      return run.reason === 'closed' ? 'Skwirl was closed while it ran.' : 'Stopped on request.'
    case 'failed':
      switch (run.reason) {
        case 'interrupted':
          return 'Skwirl ended before the run did (it was closed suddenly, crashed, or the computer went off). The record shows how far it got.'
        case 'runner':
          return 'Its runner was stopped: it crashed, or went over its time or memory limit. The log has the details.'
        default:
          return `The provider failed while ${
            run.phase === 'starting'
              ? 'loading'
              : run.phase === 'listing'
                ? 'listing files'
                : 'backing up'
          }. The log has the details.`
      }
  }
}
