import type { ProviderTemplate } from '../../../../shared/api'

export interface GalleryState {
  /** "New provider" shows the gallery of templates. */
  galleryOpen: boolean
  /** The shipped providers main offers as templates; null until loaded. */
  templates: ProviderTemplate[] | null
  templatesError: string | null
  /** The template whose provider is being created, or null. */
  creatingFrom: string | null
  createError: string | null
  /** What to open once the gallery has closed (and given focus back): an editor. */
  openAfterClose: { kind: 'blank' } | { kind: 'provider'; id: string } | null
}

export const initialGalleryState: GalleryState = {
  galleryOpen: false,
  templates: null,
  templatesError: null,
  creatingFrom: null,
  createError: null,
  openAfterClose: null,
}
