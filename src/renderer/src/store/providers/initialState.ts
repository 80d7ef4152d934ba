import type { ProviderListItem } from '../../../../shared/api'

export type ProvidersStatus = 'idle' | 'loading' | 'ready' | 'error'

/** A provider the person asked to delete, waiting for them to confirm. */
export interface PendingDelete {
  id: string
  name: string
}

/** A short message at the bottom of the window ("Exported …", "Couldn’t import …"). */
export interface Notice {
  id: number
  text: string
  tone: 'info' | 'error'
}

export interface ProvidersState {
  providersStatus: ProvidersStatus
  providers: ProviderListItem[]
  providersError: string | null
  pendingDelete: PendingDelete | null
  notice: Notice | null
}

export const initialProvidersState: ProvidersState = {
  providersStatus: 'idle',
  providers: [],
  providersError: null,
  pendingDelete: null,
  notice: null,
}
