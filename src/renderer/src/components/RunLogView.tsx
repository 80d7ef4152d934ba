import { useEffect, useId, useState } from 'react'
import {
  LOG_LEVELS,
  RUN_LOG_LINES_KEPT,
  RUN_FILE_LISTS_KEPT,
  type LogLevel,
  type RunLogLine,
  type RunState,
} from '../../../shared/api'
import { formatCount } from '../../../shared/format'
import { useSkwirl } from '../store/context'
import { RUN_LOG_PAGE } from '../store/history/action'
import type { RunLogView as RunLogViewState } from '../store/history/initialState'
import { Spinner } from './Spinner'

/** Most severe first. */
const LEVELS: LogLevel[] = [...LOG_LEVELS].reverse()

const LEVEL_LABEL: Record<LogLevel, string> = {
  error: 'Errors',
  warn: 'Warnings',
  info: 'Info',
  debug: 'Debug',
}

/** How long typing in the search box pauses before the log is asked again. */
const SEARCH_DELAY_MS = 250

/**
 * A run's log as the run wrote it (secrets masked, long lines cut): time, level, stage, file and
 * message, the provider's line beside it; filtered by level, searched, a page at a time.
 */
export function RunLogView({ view, run }: { view: RunLogViewState; run: RunState }) {
  const setFilter = useSkwirl((s) => s.setRunLogFilter)
  const setOffset = useSkwirl((s) => s.setRunLogOffset)
  const openEditorAt = useSkwirl((s) => s.openEditorAt)
  const providerKnown = useSkwirl((s) => s.providers.some((p) => p.id === run.providerId))
  const [search, setSearch] = useState(view.search)
  const searchId = useId()

  useEffect(() => {
    if (search === view.search) return
    const timer = setTimeout(() => setFilter({ search }), SEARCH_DELAY_MS)
    return () => clearTimeout(timer)
  }, [search, view.search, setFilter])

  const page = view.page
  const counts = page?.counts
  const toggle = (level: LogLevel) => {
    const on = view.levels.includes(level)
    setFilter({
      levels: on
        ? view.levels.filter((l) => l !== level)
        : LEVELS.filter((l) => l === level || view.levels.includes(l)),
    })
  }

  return (
    <div className="run-log">
      <div className="run-log__tools">
        <div className="run-log__levels" role="group" aria-label="Levels to show">
          {LEVELS.map((level) => (
            <button
              key={level}
              type="button"
              className="run-log__level"
              data-level={level}
              aria-pressed={view.levels.includes(level)}
              onClick={() => toggle(level)}
            >
              {LEVEL_LABEL[level]}
              <span className="run-log__level-count">
                {counts ? formatCount(counts[level]) : '…'}
              </span>
            </button>
          ))}
        </div>
        <label className="visually-hidden" htmlFor={searchId}>
          Search the log
        </label>
        <input
          id={searchId}
          className="run-log__search"
          type="search"
          placeholder="Search the log"
          value={search}
          maxLength={200}
          onChange={(event) => setSearch(event.target.value)}
        />
        {view.fileId !== null ? (
          <span className="run-log__file-filter">
            File <code>{view.fileId}</code>
            <button
              type="button"
              className="button button--small button--quiet"
              aria-label="Show the lines of every file"
              onClick={() => setFilter({ fileId: null })}
            >
              ×
            </button>
          </span>
        ) : null}
      </div>
      <LogBody
        view={view}
        onGoToLine={
          providerKnown ? (line: number) => openEditorAt(run.providerId, line) : undefined
        }
      />
      {page && page.total > 0 ? (
        <div className="run-log__pager">
          <span role="status">
            {page.total <= RUN_LOG_PAGE
              ? `${formatCount(page.total)} ${page.total === 1 ? 'line' : 'lines'}`
              : `Lines ${formatCount(page.offset + 1)}–${formatCount(page.offset + page.lines.length)} of ${formatCount(page.total)}`}
          </span>
          {page.total > RUN_LOG_PAGE ? (
            <span className="run-log__pager-buttons">
              <button
                type="button"
                className="button button--small"
                disabled={page.offset === 0}
                onClick={() => setOffset(page.offset - RUN_LOG_PAGE)}
              >
                Earlier
              </button>
              <button
                type="button"
                className="button button--small"
                disabled={page.offset + page.lines.length >= page.total}
                onClick={() => setOffset(page.offset + RUN_LOG_PAGE)}
              >
                Later
              </button>
            </span>
          ) : null}
        </div>
      ) : null}
      {page && page.dropped > 0 ? (
        <p className="run-log__note">
          This run wrote {formatCount(page.dropped)} more lines than the{' '}
          {formatCount(RUN_LOG_LINES_KEPT)} kept here; the log file has them all.
        </p>
      ) : null}
    </div>
  )
}

function LogBody({
  view,
  onGoToLine,
}: {
  view: RunLogViewState
  onGoToLine?: (line: number) => void
}) {
  const page = view.page
  if (!page) {
    return view.error ? (
      <p className="file-table__message" role="alert">
        Couldn’t load the log: {view.error}
      </p>
    ) : (
      <p className="file-table__message" role="status">
        <Spinner /> Loading the log…
      </p>
    )
  }
  if (!page.kept) {
    return (
      <p className="file-table__message">
        Only the {RUN_FILE_LISTS_KEPT} newest runs keep their log here; the log file still has this
        run’s lines.
      </p>
    )
  }
  if (page.lines.length === 0) {
    return (
      <p className="file-table__message">
        {view.levels.length === 0
          ? 'Pick a level to see its lines.'
          : view.search || view.fileId
            ? 'No line matches.'
            : 'No lines at these levels.'}
      </p>
    )
  }
  return (
    <ol className="run-log__lines" aria-label="Log lines" aria-busy={view.loading}>
      {page.lines.map((line) => (
        <LogLine key={line.seq} line={line} onGoToLine={onGoToLine} />
      ))}
    </ol>
  )
}

const timeFormat = new Intl.DateTimeFormat('en-US', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
  fractionalSecondDigits: 3,
})

function LogLine({ line, onGoToLine }: { line: RunLogLine; onGoToLine?: (line: number) => void }) {
  const at = line.line
  return (
    <li className="run-log__line" data-level={line.level}>
      <time className="run-log__time" dateTime={line.at}>
        {timeFormat.format(new Date(line.at))}
      </time>
      <span className="run-log__badge" data-level={line.level}>
        {line.level}
      </span>
      <span className="run-log__where">
        {line.stage ? <span className="run-log__stage">{line.stage}</span> : null}
        {line.fileId ? (
          <span className="run-log__file" title={line.fileId}>
            {line.fileId}
          </span>
        ) : null}
      </span>
      <span className="run-log__message">
        {line.message}
        {at !== null ? (
          onGoToLine ? (
            <button
              type="button"
              className="run-log__goto"
              title="Open the provider’s code at this line"
              onClick={() => onGoToLine(at)}
            >
              line {at}
            </button>
          ) : (
            <span className="run-log__goto">line {at}</span>
          )
        ) : null}
      </span>
    </li>
  )
}
