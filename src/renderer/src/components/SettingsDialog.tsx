import { useId } from 'react'
import { LOG_LEVELS, type AppSettings, type LogLevel } from '../../../shared/api'
import { useSkwirl } from '../store/context'
import { settingsSelectors } from '../store/settings/selectors'
import { ConfirmDialog } from './ConfirmDialog'
import { Spinner } from './Spinner'

const LEVEL_LABELS: Record<LogLevel, string> = {
  error: 'Errors only',
  warn: 'Warnings and errors',
  info: 'Normal (info)',
  debug: 'Everything (debug)',
}

/** The app's settings; each change applies at once. */
export function SettingsDialog() {
  const open = useSkwirl(settingsSelectors.open)
  const closeSettings = useSkwirl((s) => s.closeSettings)
  return (
    <ConfirmDialog
      open={open}
      title="Settings"
      onCancel={closeSettings}
      actions={
        <button type="button" className="button" onClick={closeSettings}>
          Done
        </button>
      }
    >
      {open ? <SettingsForm /> : null}
    </ConfirmDialog>
  )
}

function SettingsForm() {
  const settings = useSkwirl(settingsSelectors.settings)
  const error = useSkwirl(settingsSelectors.error)
  const desktop = useSkwirl((s) => s.appMode === 'desktop')
  const changeSettings = useSkwirl((s) => s.changeSettings)
  const levelId = useId()
  if (!settings) {
    return error ? (
      <p role="alert">Couldn’t load the settings: {error}</p>
    ) : (
      <p role="status">
        <Spinner /> Loading…
      </p>
    )
  }
  const toggle = (key: keyof AppSettings) => (event: { target: { checked: boolean } }) =>
    void changeSettings({ [key]: event.target.checked })
  return (
    <div className="settings">
      <section className="settings__group" aria-label="Scheduled backups">
        <h3 className="settings__heading">Scheduled backups</h3>
        {desktop ? (
          <>
            <Toggle
              checked={settings.keepRunningInTray}
              onChange={toggle('keepRunningInTray')}
              label="Keep running in the tray when the window is closed"
              help="While a backup is scheduled, closing the window leaves Skwirl in the tray so that it runs on time."
            />
            <Toggle
              checked={settings.openAtLogin}
              onChange={toggle('openAtLogin')}
              label="Start Skwirl when I log in"
              help="It opens in the tray, ready for its schedules."
            />
          </>
        ) : null}
        <Toggle
          checked={settings.notifications}
          onChange={toggle('notifications')}
          label="Tell me when a scheduled backup needs me"
          help={
            desktop
              ? 'A notification when one fails, completes with failed files, or needs you to sign in. Never for a backup that went well.'
              : 'A message in this page when one fails, completes with failed files, or needs you to sign in.'
          }
        />
      </section>
      <section className="settings__group" aria-label="Log">
        <h3 className="settings__heading">Log</h3>
        <div className="settings__row">
          <label htmlFor={levelId}>What the log records</label>
          <select
            id={levelId}
            className="schedule-form__input"
            value={settings.logLevel}
            disabled={settings.logLevelOverride !== null}
            onChange={(event) => void changeSettings({ logLevel: event.target.value as LogLevel })}
          >
            {[...LOG_LEVELS].reverse().map((level) => (
              <option key={level} value={level}>
                {LEVEL_LABELS[level]}
              </option>
            ))}
          </select>
        </div>
        <p className="settings__help">
          {settings.logLevelOverride !== null
            ? `This Skwirl was started with the log level “${settings.logLevelOverride}” (SKWIRL_LOG_LEVEL or --log-level), which applies until it restarts.`
            : 'Debug lines (every request a provider makes) help find a problem; they make the log grow fast.'}
        </p>
      </section>
      {error ? (
        <p className="settings__error" role="alert">
          Couldn’t change the setting: {error}
        </p>
      ) : null}
    </div>
  )
}

function Toggle({
  checked,
  onChange,
  label,
  help,
}: {
  checked: boolean
  onChange(event: { target: { checked: boolean } }): void
  label: string
  help: string
}) {
  const helpId = useId()
  return (
    <label className="settings__toggle">
      <input type="checkbox" checked={checked} aria-describedby={helpId} onChange={onChange} />
      <span className="settings__toggle-text">
        <span className="settings__label">{label}</span>
        <span id={helpId} className="settings__help">
          {help}
        </span>
      </span>
    </label>
  )
}
