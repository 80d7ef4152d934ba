import { useEffect, useLayoutEffect, useRef, useState } from 'react'
import type { RunFile, RunState } from '../../../shared/api'
import { RUN_FILE_LISTS_KEPT } from '../../../shared/api'
import { formatBytes, formatCount } from '../../../shared/format'
import { useSkwirl } from '../store/context'
import { RUN_FILES_PAGE } from '../store/history/action'
import type { RunFilesView } from '../store/history/initialState'
import { Spinner } from './Spinner'

export const ROW_HEIGHT = 42
/** Rows drawn above and below the visible ones, so a quick scroll does not show blanks. */
const OVERSCAN = 12
/** Until the list is measured (and where nothing can be measured, as in tests). */
const FALLBACK_HEIGHT = 480

/**
 * A run's files as a table that only draws the rows in view: a run of 100,000 files is 100,000
 * rows tall but a few dozen elements, fetched a page at a time as they scroll into view.
 */
export function RunFileList({ view, run }: { view: RunFilesView; run: RunState }) {
  const needRunFiles = useSkwirl((s) => s.needRunFiles)
  const showFileLog = useSkwirl((s) => s.showFileLog)
  const scrollRef = useRef<HTMLDivElement>(null)
  const [scrollTop, setScrollTop] = useState(0)
  const [height, setHeight] = useState(FALLBACK_HEIGHT)

  const total = view.total ?? 0
  const hasRows = view.kept && total > 0

  // Measured once there are rows (the scroll box exists from then on), and on every resize.
  useLayoutEffect(() => {
    const element = scrollRef.current
    if (!element) return
    const measure = () => setHeight(element.clientHeight || FALLBACK_HEIGHT)
    measure()
    if (typeof ResizeObserver === 'undefined') return
    const observer = new ResizeObserver(measure)
    observer.observe(element)
    return () => observer.disconnect()
  }, [hasRows])

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN)
  const last = Math.min(total - 1, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN)

  useEffect(() => {
    if (view.total === null) needRunFiles(0, 0)
    else if (total > 0) needRunFiles(first, last)
  }, [needRunFiles, view.total, total, first, last, view.pages])

  if (!view.kept) {
    return (
      <p className="file-table__message">
        Only the {RUN_FILE_LISTS_KEPT} newest runs keep their list of files; this run’s counts
        remain.
      </p>
    )
  }
  if (view.error && view.total === null) {
    return (
      <div className="file-table__message" role="alert">
        <p>Couldn’t load the files: {view.error}</p>
        <button type="button" className="button" onClick={() => needRunFiles(0, 0)}>
          Retry
        </button>
      </div>
    )
  }
  if (view.total === null) {
    return (
      <p className="file-table__message" role="status">
        <Spinner /> Loading files…
      </p>
    )
  }
  if (total === 0) {
    return (
      <p className="file-table__message">
        {view.filter === 'failed'
          ? 'No file failed.'
          : view.filter === 'skipped'
            ? 'No file was skipped.'
            : run.status === 'running'
              ? 'No file is done yet.'
              : 'This run reached no files.'}
      </p>
    )
  }

  const rows: Array<{ index: number; file: RunFile | undefined }> = []
  for (let index = first; index <= last; index++) {
    const page = view.pages[Math.floor(index / RUN_FILES_PAGE)]
    rows.push({ index, file: page?.[index % RUN_FILES_PAGE] })
  }

  return (
    <div
      className="file-table"
      role="table"
      aria-label={
        view.filter === 'failed'
          ? 'Failed files'
          : view.filter === 'skipped'
            ? 'Skipped files'
            : 'Files'
      }
      aria-rowcount={total + 1}
    >
      <div className="file-table__head" role="rowgroup">
        <div className="file-table__row" role="row" aria-rowindex={1}>
          <span className="file-table__cell file-table__cell--position" role="columnheader">
            #
          </span>
          <span className="file-table__cell" role="columnheader">
            Name
          </span>
          <span className="file-table__cell file-table__cell--size" role="columnheader">
            Size
          </span>
          <span className="file-table__cell file-table__cell--outcome" role="columnheader">
            Outcome
          </span>
        </div>
      </div>
      <div
        ref={scrollRef}
        className="file-table__scroll"
        role="rowgroup"
        tabIndex={0}
        aria-label="Scroll the files"
        onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
      >
        <div className="file-table__space" style={{ height: total * ROW_HEIGHT }}>
          {rows.map(({ index, file }) => (
            <FileRow
              key={index}
              index={index}
              file={file}
              kept={run.destination !== null}
              onShowLog={showFileLog}
            />
          ))}
        </div>
      </div>
    </div>
  )
}

function FileRow({
  index,
  file,
  kept,
  onShowLog,
}: {
  index: number
  file: RunFile | undefined
  /** The run kept its files (it had a destination); a check-only run verified them. */
  kept: boolean
  onShowLog(fileId: string): void
}) {
  const style = { top: index * ROW_HEIGHT, height: ROW_HEIGHT }
  if (!file) {
    return (
      <div
        className="file-table__row file-table__row--loading"
        role="row"
        aria-rowindex={index + 2}
        style={style}
      >
        <span className="file-table__cell file-table__cell--position" role="cell" />
        <span className="file-table__cell" role="cell">
          <span className="skeleton skeleton--line" />
        </span>
        <span className="file-table__cell file-table__cell--size" role="cell" />
        <span className="file-table__cell file-table__cell--outcome" role="cell" />
      </div>
    )
  }
  const failed = file.outcome === 'failed'
  return (
    <div
      className="file-table__row"
      role="row"
      aria-rowindex={index + 2}
      data-outcome={file.outcome}
      style={style}
    >
      <span className="file-table__cell file-table__cell--position" role="cell">
        {formatCount(file.position + 1)}
      </span>
      <span className="file-table__cell file-table__cell--name" role="cell">
        {file.name === null ? (
          // Its metadata failed: what is known is the id the provider listed, and where it failed.
          <span className="file-table__name" title={`File id ${file.fileId}`}>
            <span className="file-table__id-label">id </span>
            <span className="file-table__id">{file.fileId}</span>
          </span>
        ) : (
          <span className="file-table__name" title={file.name}>
            {file.name}
          </span>
        )}
        {file.name === null ? (
          <span className="file-table__path">
            {file.failedAt === 'metadata'
              ? 'Its metadata could not be read, so its name, path and size are unknown'
              : 'No metadata was recorded for it'}
          </span>
        ) : file.path && file.path !== file.name ? (
          <span className="file-table__path" title={file.path}>
            {file.path}
          </span>
        ) : null}
      </span>
      <span className="file-table__cell file-table__cell--size" role="cell">
        {file.size === null ? '—' : formatBytes(file.size)}
      </span>
      <span className="file-table__cell file-table__cell--outcome" role="cell">
        <span
          className="outcome"
          data-outcome={file.outcome}
          title={
            file.outcome === 'skipped'
              ? (file.skipReason ?? undefined)
              : file.verified === false
                ? 'Its size was checked; no checksum was known to check its bytes against'
                : undefined
          }
        >
          <span className="outcome__dot" aria-hidden="true" />
          {outcomeText(file, kept)}
        </span>
        {failed ? (
          <button
            type="button"
            className="file-table__log"
            aria-label={`Log of ${file.name ?? file.fileId}`}
            title="What the log says about this file"
            onClick={() => onShowLog(file.fileId)}
          >
            Log
          </button>
        ) : null}
      </span>
    </div>
  )
}

/** `kept`: the run kept its files (it had a destination); a check-only run verified them. */
function outcomeText(file: RunFile, kept: boolean): string {
  switch (file.outcome) {
    case 'failed':
      return file.failedAt === 'metadata' ? 'Failed: metadata' : 'Failed: download'
    case 'skipped':
      return `Skipped: ${file.skipReason ?? 'no reason given'}`
    case 'unchanged':
      return 'Unchanged'
    case 'downloaded':
      if (file.verified === false) return kept ? 'Backed up (unverified)' : 'Checked (size only)'
      return kept ? 'Backed up' : 'Verified'
  }
}
