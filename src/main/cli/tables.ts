// How the CLI prints lists: columns padded to their widest cell, local times, run reports.
import type { RunState } from '../../shared/api'
import { escapeControls } from '../core/redaction/controls'
import { formatBytes, formatCount, formatDuration } from '../../shared/format'

/** A cell and, optionally, how to colour it (the padding is measured on the plain text). */
export type Cell = string | { text: string; paint: (text: string) => string }

/** Columns two spaces apart, padded to their widest cell; numeric columns aligned right. */
export function table(header: string[], rows: Cell[][], numeric = new Set<number>()): string {
  // Escaped before the widths are measured: a name (from a file's name) may hold anything.
  const text = (cell: Cell): string =>
    escapeControls(typeof cell === 'string' ? cell : cell.text, false)
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => text(row[column] as Cell).length)),
  )
  const line = (cells: Cell[]): string =>
    cells
      .map((cell, column) => {
        const width = widths[column] as number
        const plain = text(cell)
        const padded = numeric.has(column) ? plain.padStart(width) : plain.padEnd(width)
        return typeof cell === 'string' ? padded : padded.replace(plain, cell.paint(plain))
      })
      .join('  ')
      .trimEnd()
  return `${[header, ...rows].map(line).join('\n')}\n`
}

/** "2025-06-15 11:58" in the machine's time zone. */
export function localTime(iso: string): string {
  const date = new Date(iso)
  const two = (n: number): string => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}`
}

/** A recorded run as `runs --json` and `provider list --json` print it. */
export function runReport(run: RunState) {
  return {
    runId: run.runId,
    providerId: run.providerId,
    provider: run.providerName,
    status: run.status,
    reason: run.reason,
    failure: run.failure,
    phase: run.phase,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    listed: run.listed,
    downloaded: run.downloaded,
    unchanged: run.unchanged,
    skipped: run.skipped,
    failed: run.failed,
    bytes: run.bytes,
    retries: run.retries,
    destination: run.destination,
    problem: run.problem,
  }
}

/**
 * "12 listed, 9 downloaded, 2 skipped, 1 failed, 3.4 MB" ("N unchanged" too for a run into a
 * destination; ", N retries" when some request was tried again).
 */
export function countsText(run: RunState): string {
  const unchanged = run.destination === null ? '' : `${formatCount(run.unchanged)} unchanged, `
  const retries =
    run.retries > 0
      ? `, ${formatCount(run.retries)} ${run.retries === 1 ? 'retry' : 'retries'}`
      : ''
  return `${formatCount(run.listed)} listed, ${formatCount(run.downloaded)} downloaded, ${unchanged}${formatCount(run.skipped)} skipped, ${formatCount(run.failed)} failed, ${formatBytes(run.bytes)}${retries}`
}

/** "completed", "completed with 3 failed", "failed (destination)". */
export function statusText(run: RunState): string {
  if (run.status === 'completed' && run.failed > 0)
    return `completed with ${formatCount(run.failed)} failed`
  return run.reason ? `${run.status} (${run.reason})` : run.status
}

export function runsTable(
  runs: RunState[],
  paint: (run: RunState, text: string) => string,
): string {
  const header = [
    'STARTED',
    'PROVIDER',
    'STATUS',
    'DURATION',
    'LISTED',
    'DOWNLOADED',
    'UNCHANGED',
    'SKIPPED',
    'FAILED',
    'SIZE',
  ]
  const rows: Cell[][] = runs.map((run) => [
    localTime(run.startedAt),
    run.providerName,
    { text: statusText(run), paint: (text) => paint(run, text) },
    run.finishedAt
      ? formatDuration(Date.parse(run.finishedAt) - Date.parse(run.startedAt))
      : 'running',
    formatCount(run.listed),
    formatCount(run.downloaded),
    formatCount(run.unchanged),
    formatCount(run.skipped),
    formatCount(run.failed),
    formatBytes(run.bytes),
  ])
  return table(header, rows, new Set([4, 5, 6, 7, 8, 9]))
}
