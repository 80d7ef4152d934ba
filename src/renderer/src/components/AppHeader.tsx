export function AppHeader() {
  return (
    <header className="app-header">
      <SkwirlMark />
      <div>
        <h1 className="app-header__title">Skwirl</h1>
        <p className="app-header__subtitle">Backups of your cloud files</p>
      </div>
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
