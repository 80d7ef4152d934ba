import type { ProviderSummary } from '../../../../shared/api'

export type ProvidersStatus = 'idle' | 'loading' | 'ready' | 'error'

/** The provider whose code is shown in the dialog, loaded on its own. */
export interface OpenProvider {
  id: string
  name: string
  status: 'loading' | 'ready' | 'error'
  code: string | null
  error: string | null
}

export interface ProvidersState {
  providersStatus: ProvidersStatus
  providers: ProviderSummary[]
  providersError: string | null
  openProvider: OpenProvider | null
}

export const initialProvidersState: ProvidersState = {
  providersStatus: 'idle',
  providers: [],
  providersError: null,
  openProvider: null,
}
