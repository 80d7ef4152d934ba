import type { StateCreator } from 'zustand/vanilla'
import type { SkwirlApi } from '../../../../shared/api'
import { normalizeProviderName } from '../../../../shared/provider-rules'
import { errorMessage } from '../error-message'
import type { SkwirlStore } from '../store'

export interface GalleryAction {
  /** Shows the gallery, loading the templates the first time. */
  openGallery(): void
  closeGallery(): void
  loadTemplates(): Promise<void>
  /**
   * A template becomes a provider at once (under a free name: "S3", "S3 2"…) and opens on its
   * "Settings & sign-in" tab; "blank" opens the unsaved three-function template.
   */
  pickTemplate(id: string | 'blank'): Promise<void>
  /** The gallery has closed: opens what was picked (the editor takes focus from there). */
  galleryClosed(): void
}

/** The template's name, or the first of "Name 2", "Name 3"… that no provider has (any case). */
export function freeName(name: string, taken: readonly string[]): string {
  const used = new Set(taken.map((n) => normalizeProviderName(n).toLocaleLowerCase()))
  if (!used.has(name.toLocaleLowerCase())) return name
  for (let n = 2; ; n++) {
    const candidate = `${name} ${n}`
    if (!used.has(candidate.toLocaleLowerCase())) return candidate
  }
}

export const createGallerySlice =
  (api: SkwirlApi): StateCreator<SkwirlStore, [], [], GalleryAction> =>
  (set, get) => ({
    openGallery() {
      set({ galleryOpen: true, createError: null })
      if (get().templates === null) void get().loadTemplates()
    },

    closeGallery() {
      if (get().creatingFrom !== null) return
      set({ galleryOpen: false, createError: null })
    },

    async loadTemplates() {
      set({ templatesError: null })
      try {
        set({ templates: await api.listProviderTemplates() })
      } catch (error) {
        set({ templatesError: errorMessage(error) })
      }
    },

    async pickTemplate(id) {
      if (get().creatingFrom !== null) return
      if (id === 'blank') {
        set({ galleryOpen: false, openAfterClose: { kind: 'blank' } })
        return
      }
      const template = get().templates?.find((t) => t.id === id)
      if (!template) return
      set({ creatingFrom: id, createError: null })
      try {
        const name = freeName(
          template.name,
          get().providers.map((p) => p.name),
        )
        const created = await api.createProvider({ name, code: template.code })
        await get().refreshProviders()
        set({
          creatingFrom: null,
          galleryOpen: false,
          openAfterClose: { kind: 'provider', id: created.id },
        })
      } catch (error) {
        set({ creatingFrom: null, createError: errorMessage(error) })
      }
    },

    galleryClosed() {
      const next = get().openAfterClose
      set({ openAfterClose: null })
      if (next?.kind === 'blank') get().newProvider()
      // A shipped provider is ready but for its settings: open on them.
      else if (next?.kind === 'provider') get().openProviderSettings(next.id)
    },
  })
