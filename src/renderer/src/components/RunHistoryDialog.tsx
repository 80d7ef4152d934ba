import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react'
import type { RunState } from '../../../shared/api'
import type { HistoryTab } from '../store/history/initialState'
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatFullTime,
  formatRelativeTime,
} from '../../../shared/format'
import { connectionSelectors } from '../store/connection/selectors'
import { useSkwirl } from '../store/context'
import { historySelectors } from '../store/history/selectors'
import { runsSelectors } from '../store/runs/selectors'
import { StopIcon } from './icons'
import { OFFLINE_REASON } from './offline'
import { useNow } from '../use-now'
import { RunFileList } from './RunFileList'
import { RunLogView } from './RunLogView'
import {
  backupCounts,
  completedWord,
  doneOfListed,
  filesDone,
  runEndSentence,
} from './run-status-text'
import { Spinner } from './Spinner'

/**
 * A provider's runs, newest first, beside the one picked: how it went and each file's outcome
 * (never an error message; the log button is there for those).
 */
export function RunHistoryDialog() {
  const providerId = useSkwirl(historySelectors.providerId)
  const closeHistory = useSkwirl((s) => s.closeHistory)
  const dialogRef = useRef<HTMLDialogElement>(null)
  const returnFocusRef = useRef<HTMLElement | null>(null)
  const titleId = useId()
  const open = providerId !== null

  useEffect(() => {
    const dialog = dialogRef.current
    if (!dialog) return
    if (open && !dialog.open) {
      const active = document.activeElement
      returnFocusRef.current = active instanceof HTMLElement ? active : null
      dialog.showModal()
    } else if (!open && dialog.open) {
      dialog.close()
      if (returnFocusRef.current?.isConnected) returnFocusRef.current.focus()
      returnFocusRef.current = null
    }
  }, [open])

  return (
    <dialog
      ref={dialogRef}
      className="history-dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault()
        closeHistory()
      }}
      onClick={(event) => {
        // A click on the dialog element itself, not its panel, is a click on the backdrop.
        if (event.target === event.currentTarget) closeHistory()
      }}
    >
      {open ? <HistoryPanel providerId={providerId} titleId={titleId} /> : null}
    </dialog>
  )
}

function HistoryPanel({ providerId, titleId }: { providerId: string; titleId: string }) {
  const provider = useSkwirl((s) => s.providers.find((p) => p.id === providerId) ?? null)
  const status = useSkwirl(historySelectors.status)
  const error = useSkwirl(historySelectors.error)
  const runs = useSkwirl(historySelectors.runs)
  const selected = useSkwirl(historySelectors.selectedRun)
  const closeHistory = useSkwirl((s) => s.closeHistory)
  const openHistory = useSkwirl((s) => s.openHistory)
  const name = provider?.name ?? runs[0]?.providerName ?? ''

  return (
    <div className="history">
      <header className="history__header">
        <div className="history__heading">
          <p className="history__eyebrow">Run history</p>
          <h2 id={titleId} className="history__title">
            {name}
          </h2>
        </div>
        <div className="history__tools">
          <LogFileButton />
          <button
            type="button"
            className="button button--icon button--quiet"
            aria-label="Close"
            title="Close (Esc)"
            onClick={closeHistory}
          >
            <svg
              className="button__icon button__icon--stroke"
              viewBox="0 0 16 16"
              aria-hidden="true"
            >
              <path d="M4 4l8 8M12 4l-8 8" />
            </svg>
          </button>
        </div>
      </header>
      <LogFilePath />
      {status === 'loading' ? (
        <div className="history__message" role="status">
          <Spinner /> Loading runs…
        </div>
      ) : status === 'error' ? (
        <div className="history__message" role="alert">
          <p>Couldn’t load the runs: {error}</p>
          <button type="button" className="button" onClick={() => void openHistory(providerId)}>
            Retry
          </button>
        </div>
      ) : runs.length === 0 ? (
        <div className="history__message">
          <p>No runs yet. Execute runs this provider’s backup; each run is listed here.</p>
        </div>
      ) : (
        <div className="history__body">
          <RunList runs={runs} />
          {selected ? <RunDetail key={selected.runId} run={selected} /> : null}
        </div>
      )}
    </div>
  )
}

function LogFileButton() {
  const showLogFile = useSkwirl((s) => s.showLogFile)
  return (
    <button
      type="button"
      className="button button--small"
      title="Errors and what each run did, line by line"
      onClick={() => void showLogFile()}
    >
      <svg className="button__icon button__icon--stroke" viewBox="0 0 16 16" aria-hidden="true">
        <path d="M4 2.5h5.5L12 5v8.5H4zM9.5 2.5V5H12M6 8h4M6 10.5h4" />
      </svg>
      Log file
    </button>
  )
}

/** Where the log is, when the system could not open it (always, in browser mode). */
function LogFilePath() {
  const logFile = useSkwirl(historySelectors.logFile)
  const dismissLogFile = useSkwirl((s) => s.dismissLogFile)
  const [copied, setCopied] = useState(false)
  if (!logFile) return null
  return (
    <div className="history__log-path" role="status">
      <span>The log is at</span>
      <code className="history__log-code">{logFile.path}</code>
      {typeof navigator !== 'undefined' && navigator.clipboard ? (
        <button
          type="button"
          className="button button--small"
          onClick={() =>
            void navigator.clipboard.writeText(logFile.path).then(() => setCopied(true))
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      ) : null}
      <button
        type="button"
        className="button button--small button--quiet"
        aria-label="Hide the log’s path"
        onClick={dismissLogFile}
      >
        ×
      </button>
    </div>
  )
}

function RunList({ runs }: { runs: RunState[] }) {
  const selectedRunId = useSkwirl(historySelectors.selectedRunId)
  const selectRun = useSkwirl((s) => s.selectRun)
  const now = useNow(30_000)
  return (
    <nav className="run-list" aria-label="Runs, newest first">
      <ul className="run-list__items">
        {runs.map((run) => (
          <li key={run.runId}>
            <button
              type="button"
              className="run-item"
              aria-current={run.runId === selectedRunId ? 'true' : undefined}
              onClick={() => selectRun(run.runId)}
            >
              <span className="run-item__top">
                <StatusBadge run={run} />
                <span className="run-item__duration">{durationText(run, now)}</span>
              </span>
              <time className="run-item__when" dateTime={run.startedAt}>
                {formatFullTime(run.startedAt)}
              </time>
              <span className="run-item__counts">{countsText(run)}</span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  )
}

function RunDetail({ run }: { run: RunState }) {
  const view = useSkwirl(historySelectors.runFiles)
  const logView = useSkwirl(historySelectors.runLog)
  const tab = useSkwirl(historySelectors.tab)
  const setTab = useSkwirl((s) => s.setHistoryTab)
  const now = useNow(run.status === 'running' ? 1_000 : 30_000)
  const sentence = runEndSentence(run)
  const tabs: Array<{ tab: HistoryTab; label: string; count: number | null }> = [
    { tab: 'all', label: 'All files', count: filesDone(run) },
    { tab: 'failed', label: 'Failed', count: run.failed },
    { tab: 'skipped', label: 'Skipped', count: run.skipped },
    { tab: 'log', label: 'Log', count: null },
  ]
  const tabsId = useId()
  const selectedIndex = Math.max(
    0,
    tabs.findIndex((t) => t.tab === tab),
  )
  const tabRefs = useRef<Array<HTMLButtonElement | null>>([])
  /** Arrow keys move along the tabs (and show the one they reach), Home and End go to the ends. */
  function onTabKeyDown(event: KeyboardEvent) {
    const last = tabs.length - 1
    const to =
      event.key === 'ArrowRight'
        ? selectedIndex === last
          ? 0
          : selectedIndex + 1
        : event.key === 'ArrowLeft'
          ? selectedIndex === 0
            ? last
            : selectedIndex - 1
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? last
              : null
    const next = to === null ? undefined : tabs[to]
    if (to === null || !next) return
    event.preventDefault()
    setTab(next.tab)
    tabRefs.current[to]?.focus()
  }
  return (
    <section className="run-detail" aria-label={`Run of ${formatFullTime(run.startedAt)}`}>
      <header className="run-detail__header">
        <StatusBadge run={run} large />
        <h3 className="run-detail__title">
          <time dateTime={run.startedAt}>{formatFullTime(run.startedAt)}</time>
        </h3>
        <span className="run-detail__ago">{formatRelativeTime(run.startedAt, now)}</span>
        {run.status === 'running' && run.live ? <StopRunButton run={run} /> : null}
      </header>
      {sentence ? <p className="run-detail__sentence">{sentence}</p> : null}
      <dl className="run-facts">
        <Fact label="Duration" value={durationText(run, now)} />
        <Fact label="Listed" value={formatCount(run.listed)} />
        <Fact
          label={run.destination === null ? 'Checked' : 'Downloaded'}
          value={formatCount(run.downloaded)}
        />
        {run.destination !== null ? (
          <Fact label="Unchanged" value={formatCount(run.unchanged)} />
        ) : null}
        <Fact label="Skipped" value={formatCount(run.skipped)} />
        <Fact
          label="Failed"
          value={formatCount(run.failed)}
          tone={run.failed > 0 ? 'danger' : undefined}
        />
        <Fact label="Size" value={formatBytes(run.bytes)} />
        <Fact label="Retries" value={formatCount(run.retries)} />
      </dl>
      <div
        className="run-detail__tabs"
        role="tablist"
        aria-label="What to show of the run"
        onKeyDown={onTabKeyDown}
      >
        {tabs.map((t, index) => (
          <button
            key={t.tab}
            ref={(element) => {
              tabRefs.current[index] = element
            }}
            id={`${tabsId}-tab-${t.tab}`}
            type="button"
            role="tab"
            className="run-detail__tab"
            aria-selected={index === selectedIndex}
            aria-controls={`${tabsId}-panel`}
            tabIndex={index === selectedIndex ? 0 : -1}
            onClick={() => setTab(t.tab)}
          >
            {t.label}
            {t.count !== null ? (
              <span className="run-detail__tab-count">{formatCount(t.count)}</span>
            ) : null}
          </button>
        ))}
      </div>
      <div
        id={`${tabsId}-panel`}
        className="run-detail__panel"
        role="tabpanel"
        aria-labelledby={`${tabsId}-tab-${tabs[selectedIndex]?.tab ?? 'all'}`}
      >
        {tab === 'log' ? (
          logView && logView.runId === run.runId ? (
            <RunLogView key={logView.runId} view={logView} run={run} />
          ) : null
        ) : view ? (
          <RunFileList key={`${view.runId}:${view.filter}`} view={view} run={run} />
        ) : null}
      </div>
    </section>
  )
}

function StopRunButton({ run }: { run: RunState }) {
  const stopRun = useSkwirl((s) => s.stopRun)
  const stopping = useSkwirl(runsSelectors.isStopping(run.runId))
  const offline = useSkwirl(connectionSelectors.isOffline)
  return (
    <button
      type="button"
      className="button button--small run-detail__stop"
      aria-label={stopping ? 'Stopping this run' : 'Stop this run'}
      title={offline ? OFFLINE_REASON : 'Stop this run now; what it has done so far is kept'}
      disabled={stopping || offline}
      onClick={() => void stopRun(run.runId)}
    >
      <StopIcon />
      {stopping ? 'Stopping…' : 'Stop'}
    </button>
  )
}

function Fact({ label, value, tone }: { label: string; value: string; tone?: 'danger' }) {
  return (
    <div className="run-facts__item" data-tone={tone}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  )
}

const STATUS_WORD: Record<RunState['status'], string> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
}

function StatusBadge({ run, large = false }: { run: RunState; large?: boolean }) {
  const word =
    run.reason === 'interrupted'
      ? 'Interrupted'
      : run.status === 'completed'
        ? completedWord(run)
        : STATUS_WORD[run.status]
  return (
    <span
      className={large ? 'status-badge status-badge--large' : 'status-badge'}
      data-status={run.status}
      data-failures={run.status === 'completed' && run.failed > 0 ? 'true' : undefined}
    >
      {run.status === 'running' ? <Spinner /> : <span className="status-badge__dot" />}
      {word}
    </span>
  )
}

function durationText(run: RunState, now: number): string {
  const end = run.finishedAt ? Date.parse(run.finishedAt) : now
  return formatDuration(end - Date.parse(run.startedAt))
}

function countsText(run: RunState): string {
  if (run.status === 'completed' && run.destination !== null) {
    const skipped = run.skipped > 0 ? ` · ${formatCount(run.skipped)} skipped` : ''
    return `${backupCounts(run)}${skipped}`
  }
  const parts = [
    run.status === 'completed' ? `${formatCount(run.downloaded)} checked` : doneOfListed(run),
  ]
  if (run.skipped > 0) parts.push(`${formatCount(run.skipped)} skipped`)
  if (run.failed > 0 && run.status !== 'completed') parts.push(`${formatCount(run.failed)} failed`)
  parts.push(formatBytes(run.bytes))
  return parts.join(' · ')
}
