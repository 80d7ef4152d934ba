import { TEST_LIMIT_DEFAULT, type TestEntry, type TestReport } from '../../../shared/api'
import { formatBytes } from '../../../shared/format'
import type { EditorTest } from '../store/editor/initialState'
import { Spinner } from './Spinner'

const STAGE_WORDS = {
  load: 'loading',
  list: 'listing',
  metadata: 'reading metadata',
  download: 'downloading',
} as const

/**
 * The Test's console under the editor: what the provider printed and logged, each host call
 * (method, URL with secrets masked, status, time), the metadata tables as inspect shows them, the
 * download, and errors with a link to their line.
 */
export function TestConsole({
  test,
  codeChanged,
  onGoToLine,
  onRunAgain,
  onClose,
}: {
  test: EditorTest
  /** The editor's text is no longer what was tested. */
  codeChanged: boolean
  onGoToLine: (line: number) => void
  onRunAgain: () => void
  onClose: () => void
}) {
  const report = test.report
  return (
    <section className="test-console" aria-label="Test console">
      <header className="test-console__header">
        <h2 className="test-console__title">Test</h2>
        <p className="test-console__summary" role="status">
          <TestSummary test={test} />
          {codeChanged && test.status !== 'running' ? (
            <span className="test-console__stale"> · the code has changed since</span>
          ) : null}
        </p>
        <button
          type="button"
          className="button button--quiet button--small"
          disabled={test.status === 'running'}
          onClick={onRunAgain}
        >
          Test again
        </button>
        <button
          type="button"
          className="button button--icon button--quiet button--small"
          aria-label="Close the test console"
          title="Close the test console"
          onClick={onClose}
        >
          ×
        </button>
      </header>
      <div className="test-console__body" role="log" aria-label="Test output" tabIndex={0}>
        {test.status === 'error' ? (
          <p className="test-console__entry test-console__entry--error">
            The test could not run: {test.error}
          </p>
        ) : null}
        {report?.entries.map((entry, index) => (
          <ConsoleEntry key={index} entry={entry} onGoToLine={onGoToLine} />
        ))}
        {report && report.omitted > 0 ? (
          <p className="test-console__more">
            {report.omitted.toLocaleString()} more line(s) left out
          </p>
        ) : null}
        {report && report.entries.length === 0 ? (
          <p className="test-console__more">Nothing printed, no host call made.</p>
        ) : null}
      </div>
    </section>
  )
}

function TestSummary({ test }: { test: EditorTest }) {
  if (test.status === 'running') {
    return (
      <>
        <Spinner /> Testing: listing up to {TEST_LIMIT_DEFAULT} ids, reading metadata, downloading
        one file…
      </>
    )
  }
  if (test.status === 'error') return <>Could not run</>
  const report = test.report as TestReport
  const seconds = (report.durationMs / 1000).toFixed(1)
  const listed = report.entries.find((e) => e.kind === 'listed')
  const ids =
    listed?.kind === 'listed'
      ? ` · ${listed.count} id${listed.count === 1 ? '' : 's'} listed${listed.stoppedAtLimit ? ` (the limit; stopped there)` : ''}`
      : ''
  if (report.failure) {
    return (
      <span className="test-console__failed">
        Failed while {STAGE_WORDS[report.failure.stage]}: {report.failure.summary} after {seconds} s
        {ids}
      </span>
    )
  }
  const stepFailed = report.entries.some(
    (e) => e.kind === 'error' || (e.kind === 'metadata' && e.problem !== null),
  )
  return (
    <span className={stepFailed ? 'test-console__warned' : 'test-console__ok'}>
      {stepFailed ? 'Completed with errors' : 'Completed'} in {seconds} s{ids} · nothing kept
    </span>
  )
}

function ConsoleEntry({
  entry,
  onGoToLine,
}: {
  entry: TestEntry
  onGoToLine: (line: number) => void
}) {
  const time = <span className="test-console__time">{(entry.atMs / 1000).toFixed(2)}s</span>
  const lineLink = (line: number | null) =>
    line === null ? null : (
      <button type="button" className="test-console__line" onClick={() => onGoToLine(line)}>
        line {line}
      </button>
    )
  switch (entry.kind) {
    case 'output':
      return (
        <div className={`test-console__entry test-console__entry--${entry.level}`}>
          {time}
          <span className="test-console__kind">
            {entry.source === 'print' ? 'print' : entry.level}
          </span>
          <span className="test-console__text">{entry.text}</span>
          {lineLink(entry.line)}
        </div>
      )
    case 'call': {
      const status = entry.statuses.at(-1) ?? null
      const tone =
        entry.error !== null || status === null
          ? entry.error !== null
            ? 'bad'
            : 'ok'
          : status >= 500
            ? 'bad'
            : status >= 400
              ? 'warn'
              : 'ok'
      return (
        <div className="test-console__entry test-console__entry--call">
          {time}
          <span className="test-console__kind">{entry.method}</span>
          <span className="test-console__text test-console__url" title={entry.target}>
            {entry.target}
          </span>
          <span className={`test-console__status test-console__status--${tone}`}>
            {entry.statuses.length > 0
              ? entry.statuses.join(' → ')
              : entry.error !== null
                ? 'failed'
                : 'ok'}
          </span>
          <span className="test-console__ms">
            {entry.ms} ms{entry.bytes !== null ? ` · ${formatBytes(entry.bytes)}` : ''}
          </span>
          {entry.error !== null ? (
            <span className="test-console__detail test-console__detail--error">{entry.error}</span>
          ) : null}
        </div>
      )
    }
    case 'listed':
      return (
        <div className="test-console__entry test-console__entry--step">
          {time}
          <span className="test-console__kind">listed</span>
          <span className="test-console__text">
            {entry.count} id{entry.count === 1 ? '' : 's'}
            {entry.stoppedAtLimit ? ' (stopped at the limit; there may be more)' : ''}
            {entry.ids.length > 0 ? `: ${entry.ids.slice(0, 8).join(', ')}` : ''}
            {entry.ids.length > 8 ? ', …' : ''}
          </span>
        </div>
      )
    case 'metadata':
      return (
        <div className="test-console__entry test-console__entry--step">
          {time}
          <span className="test-console__kind">metadata</span>
          <span className="test-console__text">of {entry.fileId}</span>
          <pre className="test-console__detail test-console__inspect">{entry.inspected}</pre>
          {entry.problem !== null ? (
            <span className="test-console__detail test-console__detail--warn">{entry.problem}</span>
          ) : null}
        </div>
      )
    case 'download':
      return (
        <div className="test-console__entry test-console__entry--step">
          {time}
          <span className="test-console__kind">download</span>
          <span className="test-console__text">
            {entry.fileId}: {formatBytes(entry.bytes)}, checked and let go
          </span>
        </div>
      )
    case 'error':
      return (
        <div className="test-console__entry test-console__entry--error">
          {time}
          <span className="test-console__kind">error</span>
          <span className="test-console__text">
            {entry.fileId !== null ? `${entry.fileId}: ` : ''}
            {entry.message}
          </span>
          {lineLink(entry.line)}
        </div>
      )
  }
}
