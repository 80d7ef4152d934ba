import type { ProviderListItem } from '../../../shared/api'
import { connectionSelectors } from '../store/connection/selectors'
import { useSkwirl } from '../store/context'
import { editorSelectors } from '../store/editor/selectors'
import { runsSelectors } from '../store/runs/selectors'
import { destinationsSelectors } from '../store/destinations/selectors'
import { ActionMenu, type MenuItem } from './ActionMenu'
import { BackupScheduleLine } from './BackupScheduleLine'
import { DestinationLine } from './DestinationLine'
import { StopIcon } from './icons'
import { OFFLINE_REASON } from './offline'
import { RunsGoing } from './RunsGoing'
import { RunStatusLine } from './RunStatusLine'

export function ProviderCard({ provider }: { provider: ProviderListItem }) {
  const run = useSkwirl(runsSelectors.latestRun(provider.id))
  const executeError = useSkwirl(runsSelectors.executeError(provider.id))
  const isOpen = useSkwirl(editorSelectors.isOpenFor(provider.id))
  const unsaved = useSkwirl(editorSelectors.hasUnsavedEdits(provider.id))
  const execute = useSkwirl((s) => s.execute)
  const openEditor = useSkwirl((s) => s.openEditor)
  const duplicateProvider = useSkwirl((s) => s.duplicateProvider)
  const exportProvider = useSkwirl((s) => s.exportProvider)
  const askToDelete = useSkwirl((s) => s.askToDelete)
  const openHistory = useSkwirl((s) => s.openHistory)
  const stopRun = useSkwirl((s) => s.stopRun)
  const openScheduleEditor = useSkwirl((s) => s.openScheduleEditor)
  const openDestinationDialog = useSkwirl((s) => s.openDestinationDialog)
  const verifyAll = useSkwirl((s) => s.verifyAll)
  const checkBackup = useSkwirl((s) => s.checkBackup)
  const hasDestination = useSkwirl(destinationsSelectors.options(provider.id)).destination !== null
  const openProviderSettings = useSkwirl((s) => s.openProviderSettings)
  const openShippedUpdate = useSkwirl((s) => s.openShippedUpdate)
  const running = useSkwirl(runsSelectors.runningRuns(provider.id))
  const offline = useSkwirl(connectionSelectors.isOffline)
  // One run going: its Stop sits beside Execute. Several: each has its own, in the list of them.
  // Only a run this process runs can be stopped here (live is null for another process's).
  const only = running.length === 1 ? (running[0] ?? null) : null
  const stoppable = only?.live ? only : null
  const stopping = useSkwirl(runsSelectors.isStopping(stoppable?.runId ?? null))
  const { name } = provider

  return (
    <article
      className={isOpen ? 'provider-card provider-card--open' : 'provider-card'}
      aria-label={provider.name}
      data-provider-id={provider.id}
      aria-current={isOpen ? 'true' : undefined}
    >
      <div className="provider-card__head">
        <span className="provider-card__monogram" aria-hidden="true">
          {monogram(provider.name)}
        </span>
        <h3 className="provider-card__title">
          <button
            type="button"
            className="provider-card__name"
            title="Edit the Lua code"
            onClick={() => openEditor(provider.id)}
          >
            <span className="provider-card__name-text">{provider.name}</span>
            <CodeIcon />
          </button>
        </h3>
        <ActionMenu
          label={`More actions for ${provider.name}`}
          items={[
            { label: 'Edit code', onSelect: () => openEditor(provider.id) },
            { label: 'Settings & sign-in', onSelect: () => openProviderSettings(provider.id) },
            { label: 'Run history', onSelect: () => void openHistory(provider.id) },
            { label: 'Schedule…', onSelect: () => openScheduleEditor(provider.id) },
            { label: 'Backup folder…', onSelect: () => openDestinationDialog(provider.id) },
            ...(hasDestination
              ? ([
                  {
                    label: 'Verify all',
                    disabled: offline,
                    onSelect: () => void verifyAll(provider.id),
                  },
                  {
                    label: 'Check backup folder',
                    disabled: offline,
                    onSelect: () => void checkBackup(provider.id),
                  },
                ] satisfies MenuItem[])
              : []),
            { label: 'Rename', onSelect: () => openEditor(provider.id, { focus: 'name' }) },
            {
              label: 'Duplicate',
              disabled: offline,
              onSelect: () => void duplicateProvider(provider.id),
            },
            {
              label: 'Export…',
              disabled: offline,
              onSelect: () => void exportProvider(provider.id),
            },
            {
              label: 'Delete…',
              danger: true,
              separated: true,
              disabled: offline,
              onSelect: () => askToDelete(provider.id),
            },
          ]}
        />
      </div>
      {provider.signIn === 'needed' ? (
        <div className="provider-card__notice provider-card__notice--warning">
          <span>Sign in needed</span>
          <button
            type="button"
            className="button button--small"
            onClick={() => openProviderSettings(provider.id)}
          >
            Sign in…
          </button>
        </div>
      ) : null}
      {provider.shippedUpdate ? (
        <div className="provider-card__notice">
          <span>A newer version ships with Skwirl</span>
          <button
            type="button"
            className="button button--small"
            onClick={() => void openShippedUpdate(provider.id)}
          >
            See the difference
          </button>
        </div>
      ) : null}
      {unsaved ? (
        <p className="provider-card__unsaved">
          <span className="provider-card__unsaved-dot" aria-hidden="true" />
          Unsaved changes · Execute runs the saved code
        </p>
      ) : null}
      <DestinationLine providerId={provider.id} />
      <div className="provider-card__actions">
        <div className="provider-card__buttons">
          {/* Stays enabled during a run: each click starts its own run. */}
          <button
            type="button"
            className="button button--primary"
            aria-label={`Execute ${name}`}
            title={
              offline
                ? OFFLINE_REASON
                : unsaved
                  ? 'Runs the saved code, without the unsaved changes'
                  : undefined
            }
            disabled={offline}
            onClick={() => void execute(provider.id)}
          >
            <PlayIcon />
            Execute
          </button>
          {stoppable ? (
            <button
              type="button"
              className="button"
              aria-label={stopping ? `Stopping the run of ${name}` : `Stop the run of ${name}`}
              title={
                offline
                  ? OFFLINE_REASON
                  : 'Stop this run now; what it has done so far is kept in its record'
              }
              disabled={stopping || offline}
              onClick={() => void stopRun(stoppable.runId)}
            >
              <StopIcon />
              {stopping ? 'Stopping…' : 'Stop'}
            </button>
          ) : null}
          <button
            type="button"
            className="button button--icon button--quiet provider-card__history"
            aria-label={`History of ${name}`}
            title="Run history: each run, how long it took, and each file’s outcome"
            onClick={() => void openHistory(provider.id)}
          >
            <HistoryIcon />
          </button>
        </div>
        {running.length > 1 ? (
          <RunsGoing runs={running} providerName={name} />
        ) : (
          <RunStatusLine run={run} executeError={executeError} />
        )}
      </div>
      <BackupScheduleLine providerId={provider.id} providerName={provider.name} />
    </article>
  )
}

function monogram(name: string): string {
  return name.trim().charAt(0).toUpperCase() || '?'
}

function CodeIcon() {
  return (
    <svg
      className="provider-card__code-icon"
      viewBox="0 0 16 16"
      aria-hidden="true"
      focusable="false"
    >
      <path d="M5.5 4.5 2 8l3.5 3.5M10.5 4.5 14 8l-3.5 3.5" />
    </svg>
  )
}

function HistoryIcon() {
  return (
    <svg
      className="button__icon button__icon--stroke"
      viewBox="0 0 16 16"
      aria-hidden="true"
      focusable="false"
    >
      <path d="M2.5 8a5.5 5.5 0 1 0 1.6-3.9M2.5 2.5v2.2h2.2M8 5v3.2l2.2 1.4" />
    </svg>
  )
}

function PlayIcon() {
  return (
    <svg className="button__icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d="M5 3.5v9l7-4.5z" />
    </svg>
  )
}
