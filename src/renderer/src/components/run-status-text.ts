import type { RunState } from '../../../shared/api'
import { formatBytes, formatCount, formatFiles } from '../../../shared/format'

/** What a card says about its latest run: counts and states only, never an error message. */
export function runStatusText(run: RunState | null): string {
  if (!run) return 'Not run yet'
  switch (run.status) {
    case 'running': {
      const parts = ['Running…']
      if (run.listed > 0) parts.push(`${formatCount(run.listed)} listed`)
      if (run.downloaded > 0) parts.push(`${formatCount(run.downloaded)} downloaded`)
      return parts.join(' · ')
    }
    case 'completed': {
      const parts = ['Completed', formatFiles(run.downloaded), formatBytes(run.bytes)]
      if (run.failed > 0) parts.push(`${formatCount(run.failed)} failed`)
      return parts.join(' · ')
    }
    case 'failed':
      return 'Failed'
    case 'cancelled':
      return 'Cancelled'
  }
}
