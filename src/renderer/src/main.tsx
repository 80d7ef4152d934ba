import './app.css'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { api, connection } from './api'
import { removeTokenFromAddressBar } from './api/address-bar'
import { SkwirlStoreProvider } from './store/context'
import { createSkwirlStore } from './store/store'

removeTokenFromAddressBar(window.location, window.history)

const store = createSkwirlStore(api, connection)
store.getState().start()

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root element.')

createRoot(root).render(
  <StrictMode>
    <SkwirlStoreProvider store={store}>
      <App />
    </SkwirlStoreProvider>
  </StrictMode>,
)
