import { useSkwirl } from '../store/context'
import { BackupOverview } from './BackupOverview'

export function AppHeader() {
  const openSettings = useSkwirl((s) => s.openSettings)
  return (
    <header className="app-header">
      <SkwirlMark />
      <div>
        <h1 className="app-header__title">Skwirl</h1>
        <p className="app-header__subtitle">Backups of your cloud files</p>
      </div>
      <BackupOverview />
      <button
        type="button"
        className="button button--quiet button--icon app-header__settings"
        aria-label="Settings"
        title="Settings: the tray, starting at login, notifications, the log"
        onClick={() => void openSettings()}
      >
        <svg className="button__icon button__icon--stroke" viewBox="0 0 16 16" aria-hidden="true">
          <circle cx="8" cy="8" r="2.1" />
          <path d="M8 1.8v1.7M8 12.5v1.7M14.2 8h-1.7M3.5 8H1.8M12.4 3.6l-1.2 1.2M4.8 11.2l-1.2 1.2M12.4 12.4l-1.2-1.2M4.8 4.8 3.6 3.6" />
        </svg>
      </button>
    </header>
  )
}

/** An acorn: what a squirrel puts away for later. */
function SkwirlMark() {
  return (
    <svg className="app-header__mark" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path className="app-header__mark-nut" d="M6 12h12c0 5-2.7 8.6-6 9.6-3.3-1-6-4.6-6-9.6z" />
      <path
        className="app-header__mark-cap"
        d="M4 10.4C4 7.6 7.6 6 12 6s8 1.6 8 4.4c0 .9-.7 1.6-1.6 1.6H5.6c-.9 0-1.6-.7-1.6-1.6z"
      />
      <path className="app-header__mark-stem" d="M12 6V3.5c0-.6.5-1 1-1h1" />
    </svg>
  )
}
