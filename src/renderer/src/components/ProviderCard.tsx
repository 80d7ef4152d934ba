import type { ProviderSummary } from '../../../shared/api'
import { useSkwirl } from '../store/context'
import { runsSelectors } from '../store/runs/selectors'
import { RunStatusLine } from './RunStatusLine'

export function ProviderCard({ provider }: { provider: ProviderSummary }) {
  const run = useSkwirl(runsSelectors.latestRun(provider.id))
  const executeError = useSkwirl(runsSelectors.executeError(provider.id))
  const execute = useSkwirl((s) => s.execute)
  const openProviderCode = useSkwirl((s) => s.openProviderCode)

  return (
    <article className="provider-card" aria-label={provider.name}>
      <div className="provider-card__head">
        <span className="provider-card__monogram" aria-hidden="true">
          {monogram(provider.name)}
        </span>
        <h3 className="provider-card__title">
          <button
            type="button"
            className="provider-card__name"
            title="View the Lua code"
            aria-haspopup="dialog"
            onClick={() => void openProviderCode(provider.id)}
          >
            <span className="provider-card__name-text">{provider.name}</span>
            <CodeIcon />
          </button>
        </h3>
      </div>
      <div className="provider-card__actions">
        {/* Stays enabled during a run: each click starts its own run. */}
        <button
          type="button"
          className="button button--primary"
          onClick={() => void execute(provider.id)}
        >
          <PlayIcon />
          Execute
        </button>
        <RunStatusLine run={run} executeError={executeError} />
      </div>
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

function PlayIcon() {
  return (
    <svg className="button__icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d="M5 3.5v9l7-4.5z" />
    </svg>
  )
}
