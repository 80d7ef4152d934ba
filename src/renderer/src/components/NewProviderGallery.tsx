import { useRef } from 'react'
import { useSkwirl } from '../store/context'
import { ConfirmDialog } from './ConfirmDialog'
import { Spinner } from './Spinner'

/** What each shipped provider asks for, shown under its description. */
const NEEDS: Record<string, string> = {
  'google-drive': 'Needs: an OAuth client ID and secret, then Sign in',
  dropbox: 'Needs: an app key and secret, then Sign in',
  webdav: 'Needs: the server’s address, a user name and an (app) password',
  s3: 'Needs: endpoint, region, bucket, an access key ID and secret key',
}

/**
 * "New provider": the shipped providers as templates, and a blank one. Picking a template
 * creates the provider and opens it, ready for its settings; Blank opens the editor.
 */
export function NewProviderGallery() {
  const open = useSkwirl((s) => s.galleryOpen)
  const templates = useSkwirl((s) => s.templates)
  const templatesError = useSkwirl((s) => s.templatesError)
  const creatingFrom = useSkwirl((s) => s.creatingFrom)
  const createError = useSkwirl((s) => s.createError)
  const closeGallery = useSkwirl((s) => s.closeGallery)
  const loadTemplates = useSkwirl((s) => s.loadTemplates)
  const pickTemplate = useSkwirl((s) => s.pickTemplate)
  const galleryClosed = useSkwirl((s) => s.galleryClosed)
  const firstRef = useRef<HTMLButtonElement>(null)
  const busy = creatingFrom !== null

  return (
    <ConfirmDialog
      open={open}
      title="New provider"
      onCancel={closeGallery}
      initialFocus={firstRef}
      onClosed={galleryClosed}
      wide
      actions={
        <button type="button" className="button" onClick={closeGallery} disabled={busy}>
          Cancel
        </button>
      }
    >
      <p>Start from a provider that ships with Skwirl, then fill in its settings.</p>
      {templatesError ? (
        <div className="gallery__problem" role="alert">
          <p>Couldn’t load the shipped providers. {templatesError}</p>
          <button
            type="button"
            className="button button--small"
            onClick={() => void loadTemplates()}
          >
            Retry
          </button>
        </div>
      ) : null}
      {createError ? (
        <p className="gallery__problem" role="alert">
          Couldn’t create the provider. {createError}
        </p>
      ) : null}
      <ul className="gallery" aria-busy={templates === null || busy}>
        {templates === null && !templatesError ? (
          <li className="gallery__loading" role="status">
            <Spinner /> Loading the shipped providers…
          </li>
        ) : null}
        {(templates ?? []).map((template, index) => (
          <li key={template.id}>
            <button
              ref={index === 0 ? firstRef : undefined}
              type="button"
              className="gallery__item"
              disabled={busy}
              aria-describedby={`gallery-${template.id}-about`}
              onClick={() => void pickTemplate(template.id)}
            >
              <span className="gallery__icon" aria-hidden="true">
                {creatingFrom === template.id ? <Spinner /> : monogram(template.name)}
              </span>
              <span className="gallery__text">
                <span className="gallery__name">{template.name}</span>
                <span id={`gallery-${template.id}-about`} className="gallery__about">
                  {template.description}
                  {NEEDS[template.id] ? (
                    <span className="gallery__needs">{NEEDS[template.id]}</span>
                  ) : null}
                </span>
              </span>
            </button>
          </li>
        ))}
        <li>
          <button
            ref={templates === null || templates.length === 0 ? firstRef : undefined}
            type="button"
            className="gallery__item gallery__item--blank"
            disabled={busy}
            onClick={() => void pickTemplate('blank')}
          >
            <span className="gallery__icon" aria-hidden="true">
              {'{ }'}
            </span>
            <span className="gallery__text">
              <span className="gallery__name">Blank</span>
              <span className="gallery__about">
                The three functions, to write a provider for any other service.
              </span>
            </span>
          </button>
        </li>
      </ul>
    </ConfirmDialog>
  )
}

/** As the provider's card will show it. */
function monogram(name: string): string {
  return name.trim().charAt(0).toUpperCase() || '?'
}
