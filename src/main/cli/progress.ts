// The run's progress as one line, redrawn in place on a terminal: a bar, %, files/s, time left,
// cut to the terminal's width.
import type { RunState } from '../../shared/api'
import { formatBytes, formatCount, formatRate, formatTimeLeft } from '../../shared/format'

const BAR_WIDTH = 20

/** Cuts a line to `width` characters (code points), ending in "…" when something was cut. */
export function fitToWidth(line: string, width: number): string {
  const chars = [...line]
  if (chars.length <= width) return line
  if (width <= 1) return chars.slice(0, Math.max(0, width)).join('')
  return `${chars.slice(0, width - 1).join('')}…`
}

function bar(done: number, total: number): string {
  const filled = total > 0 ? Math.min(BAR_WIDTH, Math.round((done / total) * BAR_WIDTH)) : 0
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`
}

/**
 * "Google Drive [########------------]  40%  480/1,204 files · 12 MB · 8.2 files/s · about 2 min
 * left", or "Google Drive listing… 1,204 files found" before the listing ends. `width`: the
 * terminal's columns (the line stays one short of them, so that no terminal wraps it).
 */
export function progressLine(run: RunState, width: number): string {
  const done = run.downloaded + run.unchanged + run.skipped + run.failed
  let line: string
  if (run.phase !== 'backing-up') {
    line =
      run.phase === 'starting'
        ? `${run.providerName} starting…`
        : `${run.providerName} listing… ${formatCount(run.listed)} files found`
  } else {
    const percent = run.listed > 0 ? Math.floor((done / run.listed) * 100) : 100
    const parts = [`${formatCount(done)}/${formatCount(run.listed)} files`, formatBytes(run.bytes)]
    if (run.failed > 0) parts.push(`${formatCount(run.failed)} failed`)
    const perSecond = run.live?.filesPerSecond
    if (perSecond != null) parts.push(formatRate(perSecond))
    const left = run.live?.secondsLeft
    if (left != null) parts.push(formatTimeLeft(left))
    line = `${run.providerName} ${bar(done, run.listed)} ${String(percent).padStart(3)}%  ${parts.join(' · ')}`
  }
  return fitToWidth(line, Math.max(10, width - 1))
}
