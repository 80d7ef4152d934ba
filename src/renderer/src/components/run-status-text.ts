import type { RunState } from '../../../shared/api'
import { formatBytes, formatCount, formatFiles } from '../../../shared/format'

/** Files a run has finished with: downloaded, unchanged, skipped or failed. */
export function filesDone(run: RunState): number {
  return run.downloaded + run.unchanged + run.skipped + run.failed
}

/** "37 of 1,204 files". */
export function doneOfListed(run: RunState): string {
  return `${formatCount(filesDone(run))} of ${formatFiles(run.listed)}`
}

/** "Completed", or "Completed with 2 failed": a run with failures is not a plain success. */
export function completedWord(run: RunState): string {
  return run.failed > 0 ? `Completed with ${formatCount(run.failed)} failed` : 'Completed'
}

/** A run into a destination: what was new (and its size), and what was already there. */
export function backupCounts(run: RunState): string {
  const parts: string[] = []
  if (run.downloaded > 0) {
    parts.push(`${formatCount(run.downloaded)} downloaded (${formatBytes(run.bytes)})`)
  }
  if (run.unchanged > 0) parts.push(`${formatCount(run.unchanged)} unchanged`)
  return parts.length > 0 ? parts.join(' · ') : 'no files'
}

/** What a card says about its latest run: counts and states only, never an error message. */
export function runStatusText(run: RunState | null): string {
  if (!run) return 'Not run yet'
  switch (run.status) {
    case 'running':
      if (run.live === null) return 'Running in another Skwirl process'
      if (run.live.waitingFor !== null) return 'Waiting for the backup folder…'
      return run.phase === 'starting'
        ? 'Starting…'
        : run.phase === 'listing'
          ? 'Listing files…'
          : 'Backing up…'
    case 'completed': {
      const skipped = run.skipped > 0 ? [`${formatCount(run.skipped)} skipped`] : []
      if (run.destination === null) {
        return [
          completedWord(run),
          formatFiles(run.downloaded),
          formatBytes(run.bytes),
          ...skipped,
        ].join(' · ')
      }
      return [completedWord(run), backupCounts(run), ...skipped].join(' · ')
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
  // Where it stopped, when it is known (the line under says why).
  if (run.failure) {
    return run.failure.stage === 'load'
      ? 'Failed to start'
      : `Failed ${STAGE_WORDS[run.failure.stage]}`
  }
  switch (run.reason) {
    case 'interrupted':
      return 'Interrupted'
    case 'destination':
      return `Failed: ${destinationProblemWords(run.problem)}`
    case 'runner':
      return 'Failed: runner stopped'
    case 'sign-in':
      return 'Failed: sign in again'
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

/** "backup folder full", from the destination's own problem text ("destination full: …"). */
export function destinationProblemWords(problem: string | null): string {
  const kind = /^destination (missing|read-only|full|unusable)/.exec(problem ?? '')?.[1]
  switch (kind) {
    case 'missing':
      return 'backup folder missing'
    case 'read-only':
      return 'backup folder read-only'
    case 'full':
      return 'backup folder full'
    default:
      return 'backup folder unusable'
  }
}

/** Where a failed run stopped, in words ("while listing"). */
export const STAGE_WORDS: Record<NonNullable<RunState['failure']>['stage'], string> = {
  load: 'while loading',
  list: 'while listing',
  metadata: 'while reading metadata',
  download: 'while downloading',
}

/** One or two sentences on how a run ended, for its page in the history (no error messages). */
export function runEndSentence(run: RunState): string | null {
  switch (run.status) {
    case 'running':
      return run.live === null
        ? 'Another Skwirl process (the CLI, or another window) is running it.'
        : null
    case 'completed': {
      const kept = run.destination === null ? null : `Kept in ${run.destination}.`
      const failed =
        run.failed === 0
          ? null
          : `${formatFiles(run.failed)} could not be backed up. The log says why.`
      return [failed, kept].filter(Boolean).join(' ') || null
    }
    case 'cancelled':
      return run.reason === 'closed' ? 'Skwirl was closed while it ran.' : 'Stopped on request.'
    case 'failed':
      switch (run.reason) {
        case 'interrupted':
          return 'Skwirl ended before the run did (it was closed suddenly, crashed, or the computer went off). The record shows how far it got.'
        case 'runner':
          return 'Its runner was stopped: it crashed, or went over its time or memory limit. The log has the details.'
        case 'destination':
          // Skwirl's own words about the user's disk, not a provider's error text.
          return `The backup folder stopped the run: ${run.problem ?? 'it could not be written'}. What was kept before stays as it was.`
        case 'sign-in':
          return 'The service refused the provider’s sign-in (it was revoked, or expired). Sign in again in the provider’s settings, then run it again.'
        default:
          return run.failure
            ? `The provider failed ${STAGE_WORDS[run.failure.stage]}: ${run.failure.summary}. Its log has the details.`
            : `The provider failed while ${
                run.phase === 'starting'
                  ? 'loading'
                  : run.phase === 'listing'
                    ? 'listing files'
                    : 'backing up'
              }. The log has the details.`
      }
  }
}
