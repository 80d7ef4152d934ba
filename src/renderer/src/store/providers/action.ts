import type { StateCreator } from 'zustand/vanilla'
import type { SkwirlApi } from '../../../../shared/api'
import { errorMessage } from '../error-message'
import type { SkwirlStore } from '../store'

export interface ProvidersAction {
  loadProviders(): Promise<void>
  /** Opens the code dialog for a provider and loads its code. */
  openProviderCode(id: string): Promise<void>
  closeProviderCode(): void
}

export const createProvidersSlice =
  (api: SkwirlApi): StateCreator<SkwirlStore, [], [], ProvidersAction> =>
  (set, get) => ({
    async loadProviders() {
      set({ providersStatus: 'loading', providersError: null })
      try {
        const providers = await api.listProviders()
        set({ providersStatus: 'ready', providers })
      } catch (error) {
        set({ providersStatus: 'error', providersError: errorMessage(error) })
      }
    },

    async openProviderCode(id) {
      const name = get().providers.find((provider) => provider.id === id)?.name ?? ''
      set({ openProvider: { id, name, status: 'loading', code: null, error: null } })
      try {
        const provider = await api.getProvider(id)
        // The dialog may have been closed, or another provider opened, while this one loaded.
        if (get().openProvider?.id !== id) return
        set({
          openProvider: {
            id,
            name: provider.name,
            status: 'ready',
            code: provider.code,
            error: null,
          },
        })
      } catch (error) {
        if (get().openProvider?.id !== id) return
        set({
          openProvider: { id, name, status: 'error', code: null, error: errorMessage(error) },
        })
      }
    },

    closeProviderCode() {
      set({ openProvider: null })
    },
  })
