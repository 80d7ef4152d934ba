import { createContext, useContext, type ReactNode } from 'react'
import { useStore } from 'zustand'
import type { SkwirlStore, SkwirlStoreApi } from './store'

const SkwirlStoreContext = createContext<SkwirlStoreApi | null>(null)

export function SkwirlStoreProvider({
  store,
  children,
}: {
  store: SkwirlStoreApi
  children: ReactNode
}) {
  return <SkwirlStoreContext value={store}>{children}</SkwirlStoreContext>
}

/** Reads the store with a selector; selectors must return stored values, not fresh objects. */
export function useSkwirl<T>(selector: (state: SkwirlStore) => T): T {
  const store = useContext(SkwirlStoreContext)
  if (!store) throw new Error('useSkwirl must be used inside <SkwirlStoreProvider>.')
  return useStore(store, selector)
}
