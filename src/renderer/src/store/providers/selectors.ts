import { providerNameKey } from '../../../../shared/provider-rules'
import type { SkwirlStore } from '../store'

export const providersSelectors = {
  status: (s: SkwirlStore) => s.providersStatus,
  list: (s: SkwirlStore) => s.providers,
  error: (s: SkwirlStore) => s.providersError,
  pendingDelete: (s: SkwirlStore) => s.pendingDelete,
  notice: (s: SkwirlStore) => s.notice,
}

/** Whether another provider in the list already has this name (case folded as main does). */
export function nameTakenInList(s: SkwirlStore, name: string, exceptId: string | null): boolean {
  const key = providerNameKey(name)
  return s.providers.some((p) => p.id !== exceptId && providerNameKey(p.name) === key)
}
