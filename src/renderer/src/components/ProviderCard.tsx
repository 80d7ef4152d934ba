import type { ProviderListItem } from '../../../shared/api'
import { useSkwirl } from '../store/context'
import { editorSelectors } from '../store/editor/selectors'
import { runsSelectors } from '../store/runs/selectors'
import { destinationsSelectors } from '../store/destinations/selectors'
import { ActionMenu, type MenuItem } from './ActionMenu'
import { BackupScheduleLine } from './BackupScheduleLine'
import { DestinationLine } from './DestinationLine'
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
  // Only a run this process runs can be stopped here (live is null for another process's).
  const stoppable = run?.status === 'running' && run.live !== null ? run : null
  const stopping = useSkwirl(runsSelectors.isStopping(stoppable?.runId ?? null))

  return (
    <article
      className={isOpen ? 'provider-card provider-card--open' : 'provider-card'}
      aria-label={provider.name}
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
                    onSelect: () => void verifyAll(provider.id),
                  },
                  {
                    label: 'Check backup folder',
                    onSelect: () => void checkBackup(provider.id),
                  },
                ] satisfies MenuItem[])
              : []),
            { label: 'Rename', onSelect: () => openEditor(provider.id, { focus: 'name' }) },
            { label: 'Duplicate', onSelect: () => void duplicateProvider(provider.id) },
            { label: 'Export…', onSelect: () => void exportProvider(provider.id) },
            {
              label: 'Delete…',
              danger: true,
              separated: true,
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
            title={unsaved ? 'Runs the saved code, without the unsaved changes' : undefined}
            onClick={() => void execute(provider.id)}
          >
            <PlayIcon />
            Execute
          </button>
          {stoppable ? (
            <button
              type="button"
              className="button"
              title="Stop this run now; what it has done so far is kept in its record"
              disabled={stopping}
              onClick={() => void stopRun(stoppable.runId)}
            >
              <StopIcon />
              {stopping ? 'Stopping…' : 'Stop'}
            </button>
          ) : null}
          <button
            type="button"
            className="button button--icon button--quiet provider-card__history"
            aria-label="History"
            title="Run history: each run, how long it took, and each file’s outcome"
            onClick={() => void openHistory(provider.id)}
          >
            <HistoryIcon />
          </button>
        </div>
        <RunStatusLine run={run} executeError={executeError} />
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

function StopIcon() {
  return (
    <svg className="button__icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <rect x="4" y="4" width="8" height="8" rx="1.5" />
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
