import { render } from '@testing-library/react'
import { App } from '../App'
import type { ConnectionSource } from '../api/connection'
import { SkwirlStoreProvider } from '../store/context'
import { createSkwirlStore, type StoreOptions } from '../store/store'
import { createFakeApi, type FakeApi } from './fake-api'

/** Renders the whole app against a fake api, started the way main.tsx starts it. */
export function renderApp(
  api: FakeApi = createFakeApi(),
  connection?: ConnectionSource,
  options: StoreOptions = {},
) {
  const store = createSkwirlStore(api, connection, { checkDelayMs: 0, ...options })
  store.getState().start()
  const view = render(
    <SkwirlStoreProvider store={store}>
      <App />
    </SkwirlStoreProvider>,
  )
  return { api, store, ...view }
}
