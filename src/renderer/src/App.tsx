import { AppHeader } from './components/AppHeader'
import { ConnectionBanner } from './components/ConnectionBanner'
import { ProviderCodeDialog } from './components/ProviderCodeDialog'
import { ProviderSection } from './components/ProviderSection'

export function App() {
  return (
    <>
      <ConnectionBanner />
      <div className="app">
        <AppHeader />
        <main className="app-main">
          <ProviderSection />
        </main>
      </div>
      <ProviderCodeDialog />
    </>
  )
}
