import { AppHeader } from './components/AppHeader'
import { BackupCheckDialog } from './components/BackupCheckDialog'
import { ConnectionBanner } from './components/ConnectionBanner'
import { DeleteDialog } from './components/DeleteDialog'
import { DestinationDialog } from './components/DestinationDialog'
import { LeaveDialog } from './components/LeaveDialog'
import { NewProviderGallery } from './components/NewProviderGallery'
import { NoticeToast } from './components/NoticeToast'
import { ProviderEditor } from './components/ProviderEditor'
import { ProviderSection } from './components/ProviderSection'
import { RunHistoryDialog } from './components/RunHistoryDialog'
import { RunNotices } from './components/RunNotices'
import { ScheduleEditor } from './components/ScheduleEditor'
import { SettingsDialog } from './components/SettingsDialog'
import { ShippedUpdateDialog } from './components/ShippedUpdateDialog'
import { editorSelectors } from './store/editor/selectors'
import { useSkwirl } from './store/context'

/** The provider cards; with a provider open, the cards become a column beside its editor. */
export function App() {
  const editing = useSkwirl(editorSelectors.isOpen)
  return (
    <>
      <ConnectionBanner />
      <div className={editing ? 'app app--editing' : 'app'}>
        <AppHeader />
        <main className="app-main">
          <ProviderSection />
          <ProviderEditor />
        </main>
      </div>
      <LeaveDialog />
      <DeleteDialog />
      <NewProviderGallery />
      <RunHistoryDialog />
      <ScheduleEditor />
      <SettingsDialog />
      <RunNotices />
      <DestinationDialog />
      <BackupCheckDialog />
      <ShippedUpdateDialog />
      <NoticeToast />
    </>
  )
}
