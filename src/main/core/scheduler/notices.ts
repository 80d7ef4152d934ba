import type { RunNotice, RunState } from '../../../shared/api'

/**
 * Whether a scheduled run that ended needs the person: its sign-in has to be renewed, it failed,
 * or it completed with failed files. Not for a success, nor for a run someone stopped or Skwirl
 * closing.
 */
export function noticeFor(run: RunState, at: number): RunNotice | null {
  const base = {
    runId: run.runId,
    providerId: run.providerId,
    providerName: run.providerName,
    failed: run.failed,
    at: new Date(at).toISOString(),
  }
  if (run.status === 'failed' && run.reason === 'sign-in') return { kind: 'sign-in', ...base }
  if (run.status === 'failed') return { kind: 'failed', ...base }
  if (run.status === 'completed' && run.failed > 0)
    return { kind: 'completed-with-failures', ...base }
  return null
}
