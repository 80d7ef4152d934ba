// `skwirl test <name | file.lua>`: the editor's Test in a terminal. A dry run of the provider
// (list until N ids, the metadata of the first few, one download checked and let go) with its
// console on stdout; --json prints the whole report. Exit 0 when every step worked, 3 when the
// test ran to its end with some step failing (a file's metadata or its download), 1 when it
// failed (the provider did not load, the listing failed…), 130/143 when interrupted.
import type { TestEntry, TestReport } from '../../shared/api'
import { formatBytes } from '../../shared/format'
import type { SkwirlCore } from '../core/skwirl-core'
import type { Output } from './output'
import { findRunnable } from './run-command'

export async function testOne(
  core: SkwirlCore,
  out: Output,
  target: string,
  limit: number,
): Promise<number> {
  const provider = findRunnable(core, target)
  const stored = !provider.id.startsWith('file:')
  let interrupted = 0
  const handle = core.test(
    { id: stored ? provider.id : null, name: provider.name, code: provider.code },
    { limit },
  )
  const stop = (code: number) => (): void => {
    interrupted = code
    handle.stop()
  }
  const onInterrupt = stop(130)
  const onTerminate = stop(143)
  process.once('SIGINT', onInterrupt)
  process.once('SIGTERM', onTerminate)
  out.say(`Testing ${provider.name} (a dry run: nothing is recorded or kept)…`)
  let report: TestReport
  try {
    report = await handle.done
  } finally {
    process.off('SIGINT', onInterrupt)
    process.off('SIGTERM', onTerminate)
  }
  if (out.json) out.data(report)
  else out.text(consoleText(report, out))
  const code = interrupted || testExitCode(report)
  if (!out.json) out.say(summaryLine(report))
  return code
}

/** 0 every step worked, 3 a file's step failed, 1 the test failed. */
export function testExitCode(report: TestReport): number {
  if (report.status === 'failed') return 1
  const stepFailed = report.entries.some(
    (e) => e.kind === 'error' || (e.kind === 'metadata' && e.problem !== null),
  )
  return stepFailed ? 3 : 0
}

function summaryLine(report: TestReport): string {
  const seconds = (report.durationMs / 1000).toFixed(1)
  if (report.failure) {
    const line = report.failure.line === null ? '' : ` (line ${report.failure.line})`
    return `Test failed while ${STAGE_WORDS[report.failure.stage]}: ${report.failure.summary}${line}, after ${seconds} s`
  }
  return `Test completed in ${seconds} s`
}

const STAGE_WORDS = {
  load: 'loading',
  list: 'listing',
  metadata: 'reading metadata',
  download: 'downloading',
} as const

/** The console as lines: time, what, and the provider's line where one is known. */
export function consoleText(report: TestReport, out: Output): string {
  const lines: string[] = []
  for (const entry of report.entries) lines.push(...entryLines(entry, out))
  if (report.omitted > 0) lines.push(`… ${report.omitted} more line(s) left out`)
  return lines.join('\n')
}

function entryLines(entry: TestEntry, out: Output): string[] {
  const time = `${(entry.atMs / 1000).toFixed(2).padStart(6)}s`
  // "(line N)" unless the text says it already ("Name:N: …").
  const at = (line: number | null, text: string): string =>
    line === null || text.includes(`:${line}:`) ? '' : out.paint(`  (line ${line})`, 'dim')
  switch (entry.kind) {
    case 'output': {
      const label = entry.source === 'print' ? 'print' : entry.level
      const color = entry.level === 'error' ? 'red' : entry.level === 'warn' ? 'yellow' : 'dim'
      return [
        `${time}  ${out.paint(label.padEnd(5), color)} ${entry.text}${at(entry.line, entry.text)}`,
      ]
    }
    case 'call': {
      const status =
        entry.error !== null && entry.statuses.length === 0
          ? out.paint('failed', 'red')
          : entry.statuses.length > 0
            ? entry.statuses.join('→')
            : 'ok'
      const bytes = entry.bytes === null ? '' : `  ${formatBytes(entry.bytes)}`
      const head = `${time}  ${out.paint(entry.method, 'bold')} ${entry.target}  ${status}  ${entry.ms} ms${bytes}`
      return entry.error === null ? [head] : [head, `         ${out.paint(entry.error, 'red')}`]
    }
    case 'listed': {
      const more = entry.stoppedAtLimit ? ' (stopped at the limit; there may be more)' : ''
      const ids = entry.ids.slice(0, 5).join(', ') + (entry.ids.length > 5 ? ', …' : '')
      return [
        `${time}  ${out.paint('listed', 'green')} ${entry.count} id(s)${more}${ids ? `: ${ids}` : ''}`,
      ]
    }
    case 'metadata': {
      const head = `${time}  ${out.paint('metadata', 'green')} of ${entry.fileId}:`
      const body = entry.inspected.split('\n').map((line) => `         ${line}`)
      const problem =
        entry.problem === null ? [] : [`         ${out.paint(entry.problem, 'yellow')}`]
      return [head, ...body, ...problem]
    }
    case 'download':
      return [
        `${time}  ${out.paint('downloaded', 'green')} ${entry.fileId}: ${formatBytes(entry.bytes)}, checked and let go`,
      ]
    case 'error':
      return [
        `${time}  ${out.paint('error', 'red')} ${entry.fileId === null ? '' : `${entry.fileId}: `}${entry.message}${at(entry.line, entry.message)}`,
      ]
  }
}
