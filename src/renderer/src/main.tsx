import './app.css'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { api, connection, fileDialogs } from './api'
import { removeTokenFromAddressBar } from './api/address-bar'
import { SkwirlStoreProvider } from './store/context'
import { browserProviderFiles, nativeProviderFiles } from './files/provider-files'
import { createSkwirlStore } from './store/store'

removeTokenFromAddressBar(window.location, window.history)

const store = createSkwirlStore(api, connection, {
  files: fileDialogs === 'native' ? nativeProviderFiles(api) : browserProviderFiles(api),
  logFile: fileDialogs === 'native' ? 'open' : 'show',
  mode: fileDialogs === 'native' ? 'desktop' : 'browser',
})
store.getState().start()
// The CLI may have added or removed providers while the window was in the background.
window.addEventListener('focus', () => {
  void store.getState().refreshProviders()
  // …and run, or changed schedules: next runs and last good backups move.
  void store.getState().loadBackupStatus()
})

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root element.')

createRoot(root).render(
  <StrictMode>
    <SkwirlStoreProvider store={store}>
      <App />
    </SkwirlStoreProvider>
  </StrictMode>,
)
