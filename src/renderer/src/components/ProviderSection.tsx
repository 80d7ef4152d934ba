import { providersSelectors } from '../store/providers/selectors'
import { useSkwirl } from '../store/context'
import { ProviderCard } from './ProviderCard'

const SKELETON_CARDS = 3

export function ProviderSection() {
  const status = useSkwirl(providersSelectors.status)
  const providers = useSkwirl(providersSelectors.list)
  const error = useSkwirl(providersSelectors.error)
  const loadProviders = useSkwirl((s) => s.loadProviders)
  const openGallery = useSkwirl((s) => s.openGallery)
  const importProvider = useSkwirl((s) => s.importProvider)

  return (
    <section className="providers" aria-labelledby="providers-title">
      <div className="providers__header">
        <h2 id="providers-title" className="providers__title">
          Providers
        </h2>
        <div className="providers__tools">
          <button
            type="button"
            className="button button--small"
            title="Open a .lua file as a new provider"
            onClick={() => void importProvider()}
          >
            <ImportIcon />
            Import…
          </button>
          <button
            type="button"
            className="button button--small"
            title="Start from a shipped provider (Google Drive, Dropbox, WebDAV, S3) or a blank one"
            onClick={() => openGallery()}
          >
            <PlusIcon />
            New provider
          </button>
        </div>
      </div>
      {status === 'idle' || status === 'loading' ? (
        <div className="provider-grid" aria-busy="true">
          <p className="visually-hidden" role="status">
            Loading providers…
          </p>
          {Array.from({ length: SKELETON_CARDS }, (_, index) => (
            <div key={index} className="provider-card provider-card--skeleton" aria-hidden="true">
              <div className="provider-card__head">
                <span className="skeleton skeleton--monogram" />
                <span className="skeleton skeleton--title" />
              </div>
              <div className="provider-card__actions">
                <span className="skeleton skeleton--button" />
                <span className="skeleton skeleton--line" />
              </div>
            </div>
          ))}
        </div>
      ) : status === 'error' ? (
        <div className="notice notice--error" role="alert">
          <h3 className="notice__title">Couldn’t load providers</h3>
          <p className="notice__text">{error}</p>
          <button type="button" className="button" onClick={() => void loadProviders()}>
            Retry
          </button>
        </div>
      ) : providers.length === 0 ? (
        <div className="notice">
          <h3 className="notice__title">No providers yet</h3>
          <p className="notice__text">
            A provider is a Lua script that backs up one cloud service. Write one with New provider,
            or import a .lua file; its card appears here.
          </p>
        </div>
      ) : (
        <div className="provider-grid">
          {providers.map((provider) => (
            <ProviderCard key={provider.id} provider={provider} />
          ))}
        </div>
      )}
    </section>
  )
}

function PlusIcon() {
  return (
    <svg className="button__icon button__icon--stroke" viewBox="0 0 16 16" aria-hidden="true">
      <path d="M8 3v10M3 8h10" />
    </svg>
  )
}

function ImportIcon() {
  return (
    <svg className="button__icon button__icon--stroke" viewBox="0 0 16 16" aria-hidden="true">
      <path d="M8 2.5v8M4.5 7 8 10.5 11.5 7M3 13.5h10" />
    </svg>
  )
}
