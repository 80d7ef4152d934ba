import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react'
import type {
  ProviderSettingsView,
  SettingValue,
  SettingsChanges,
  SignInState,
} from '../../../shared/api'
import type { SettingDeclaration } from '../../../shared/provider-declaration'
import { settingValueProblem } from '../../../shared/provider-declaration'
import { formatFullTime } from '../../../shared/format'
import { fileDialogs } from '../api'
import { useSkwirl } from '../store/context'
import { linkified } from './linkified'
import { Spinner } from './Spinner'

/**
 * A provider's settings, as its code declares them (skwirl.declare), its sign-in, and how
 * secrets are protected here. Secret values are never shown: only whether one is set.
 */
export function ProviderSettings({
  providerId,
  codeIsDirty,
}: {
  providerId: string
  codeIsDirty: boolean
}) {
  const panel = useSkwirl((s) =>
    s.providerSettings?.providerId === providerId ? s.providerSettings : null,
  )
  const loadSettings = useSkwirl((s) => s.loadSettings)
  useEffect(() => {
    void loadSettings(providerId)
  }, [providerId, loadSettings])

  if (!panel || panel.status === 'loading' || !panel.view) {
    if (panel?.status === 'error') {
      return (
        <div className="provider-settings settings--message" role="alert">
          <p>Couldn’t read the settings. {panel.error}</p>
          <button type="button" className="button" onClick={() => void loadSettings(providerId)}>
            Retry
          </button>
        </div>
      )
    }
    return (
      <p className="provider-settings settings--message" role="status">
        <Spinner /> Reading the settings this provider declares…
      </p>
    )
  }
  const { view } = panel
  return (
    <div className="provider-settings">
      {codeIsDirty ? (
        <p className="provider-settings__note">
          These are the settings the <strong>saved</strong> code declares; save the code to see
          changes to its declaration.
        </p>
      ) : null}
      {view.declarationError ? (
        <div className="provider-settings__banner" role="alert">
          <p>
            <strong>Skwirl could not read the settings this code declares.</strong>
          </p>
          <p className="provider-settings__mono">{view.declarationError}</p>
        </div>
      ) : view.declaration && view.declaration.settings.length === 0 && !view.signIn ? (
        <div className="provider-settings__empty">
          <p>This provider declares no settings and no sign-in.</p>
          <p className="provider-settings__help">
            A provider declares them at the top of its code with{' '}
            <code>skwirl.declare {'{ settings = { … }, oauth = { … } }'}</code> and reads them with{' '}
            <code>skwirl.setting(key)</code>.
          </p>
        </div>
      ) : null}
      {view.declaration && view.declaration.settings.length > 0 ? (
        <SettingsForm key={`${providerId}`} view={view} />
      ) : null}
      {view.signIn ? <SignInSection signIn={view.signIn} /> : null}
      <p className="provider-settings__protection" data-level={view.protection.level}>
        <LockIcon />
        <span>{view.protection.summary}</span>
      </p>
    </div>
  )
}

/** A secret's draft: undefined leaves it, null clears it, a string replaces it. */
type SecretDraft = string | null | undefined

function SettingsForm({ view }: { view: ProviderSettingsView }) {
  const saving = useSkwirl((s) => s.providerSettings?.saving ?? false)
  const saveError = useSkwirl((s) => s.providerSettings?.saveError ?? null)
  const saveSettings = useSkwirl((s) => s.saveSettings)
  const settings = view.declaration?.settings ?? []
  const initial = (): Record<string, string> =>
    Object.fromEntries(settings.map((s) => [s.key, view.values[s.key]?.value ?? '']))
  const [plain, setPlain] = useState<Record<string, string>>(initial)
  const [secrets, setSecrets] = useState<Record<string, SecretDraft>>({})

  const changes: SettingsChanges = {}
  for (const setting of settings) {
    if (setting.secret) {
      const draft = secrets[setting.key]
      if (draft === null) changes[setting.key] = null
      else if (typeof draft === 'string' && draft !== '') changes[setting.key] = draft
    } else {
      const stored = view.values[setting.key]?.value ?? ''
      const typed = plain[setting.key] ?? ''
      if (typed !== stored) changes[setting.key] = typed === '' ? null : typed
    }
  }
  const problems = settings
    .map((s) => {
      const value = changes[s.key]
      return typeof value === 'string' ? settingValueProblem(s, value) : null
    })
    .filter((p): p is string => p !== null)
  const dirty = Object.keys(changes).length > 0

  async function submit(event: FormEvent) {
    event.preventDefault()
    if (!dirty || problems.length > 0) return
    if (await saveSettings(changes)) setSecrets({})
  }

  return (
    <form
      className="provider-settings__form"
      aria-label="Settings"
      onSubmit={(e) => void submit(e)}
    >
      <h3 className="provider-settings__heading">Settings</h3>
      {settings.map((setting) => (
        <SettingField
          key={setting.key}
          setting={setting}
          value={view.values[setting.key] ?? { isSet: false, value: null }}
          plain={plain[setting.key] ?? ''}
          onPlain={(value) => setPlain({ ...plain, [setting.key]: value })}
          secret={secrets[setting.key]}
          onSecret={(draft) => setSecrets({ ...secrets, [setting.key]: draft })}
        />
      ))}
      {saveError || problems.length > 0 ? (
        <p className="provider-settings__error" role="alert">
          {saveError ?? problems.join(' ')}
        </p>
      ) : null}
      <div className="provider-settings__actions">
        <button
          type="submit"
          className="button button--primary"
          disabled={!dirty || saving || problems.length > 0}
        >
          {saving ? <Spinner /> : null}
          Save settings
        </button>
        {dirty ? (
          <button
            type="button"
            className="button button--quiet"
            onClick={() => {
              setPlain(initial())
              setSecrets({})
            }}
          >
            Discard changes
          </button>
        ) : null}
      </div>
    </form>
  )
}

function SettingField({
  setting,
  value,
  plain,
  onPlain,
  secret,
  onSecret,
}: {
  setting: SettingDeclaration
  value: SettingValue
  plain: string
  onPlain(value: string): void
  secret: SecretDraft
  onSecret(draft: SecretDraft): void
}) {
  const id = useId()
  const helpId = useId()
  const described = setting.help ? helpId : undefined
  let control: ReactNode
  if (setting.choices) {
    control = (
      <select
        id={id}
        className="provider-settings__input"
        value={plain || setting.default || ''}
        aria-describedby={described}
        onChange={(event) => onPlain(event.target.value)}
      >
        {setting.default === null ? <option value="">Not set</option> : null}
        {setting.choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
    )
  } else if (setting.secret && value.isSet && secret === undefined) {
    control = (
      <div className="provider-settings__secret">
        <span className="provider-settings__secret-state" id={id}>
          <LockIcon /> Set · hidden
        </span>
        <button type="button" className="button button--small" onClick={() => onSecret('')}>
          Replace
        </button>
        <button
          type="button"
          className="button button--small button--quiet"
          onClick={() => onSecret(null)}
        >
          Clear
        </button>
      </div>
    )
  } else if (setting.secret && secret === null) {
    control = (
      <div className="provider-settings__secret">
        <span className="provider-settings__secret-state settings__secret-state--cleared" id={id}>
          Will be cleared when you save
        </span>
        <button
          type="button"
          className="button button--small button--quiet"
          onClick={() => onSecret(undefined)}
        >
          Undo
        </button>
      </div>
    )
  } else if (setting.secret) {
    control = (
      <div className="provider-settings__secret">
        <input
          id={id}
          className="provider-settings__input"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={secret ?? ''}
          placeholder={value.isSet ? 'A new value' : 'Not set'}
          aria-describedby={described}
          onChange={(event) => onSecret(event.target.value)}
        />
        {value.isSet ? (
          <button
            type="button"
            className="button button--small button--quiet"
            onClick={() => onSecret(undefined)}
          >
            Keep the old one
          </button>
        ) : null}
      </div>
    )
  } else {
    control = (
      <input
        id={id}
        className="provider-settings__input"
        type="text"
        autoComplete="off"
        spellCheck={false}
        value={plain}
        placeholder={setting.default !== null ? `${setting.default} (default)` : 'Not set'}
        aria-describedby={described}
        onChange={(event) => onPlain(event.target.value)}
      />
    )
  }
  return (
    <div className="provider-settings__field">
      <label className="provider-settings__label" htmlFor={id}>
        {setting.label}
        {setting.secret ? <span className="provider-settings__tag">secret</span> : null}
        {setting.required ? <span className="provider-settings__tag">required</span> : null}
      </label>
      {control}
      {setting.help ? (
        <p id={helpId} className="provider-settings__help">
          {linkified(setting.help)}
        </p>
      ) : null}
    </div>
  )
}

function SignInSection({ signIn }: { signIn: SignInState }) {
  const panel = useSkwirl((s) => s.providerSettings)
  const signInAction = useSkwirl((s) => s.signIn)
  const cancelSignIn = useSkwirl((s) => s.cancelSignIn)
  const signOut = useSkwirl((s) => s.signOut)
  const starting = panel?.startingSignIn ?? false

  function start() {
    // A browser blocks a tab opened after an answer from main: open it now, send it on later.
    let tab: Window | null = null
    if (fileDialogs === 'browser') {
      tab = window.open('', '_blank')
      if (tab) {
        try {
          // The service's page must not reach back into Skwirl's (reverse tabnabbing).
          tab.opener = null
          tab.document.title = 'Signing in…'
          tab.document.body.textContent = 'Opening the sign-in page…'
        } catch {
          // A browser that will not let the blank tab be touched: it is sent on all the same.
        }
      }
    }
    void signInAction(tab)
  }

  let status: ReactNode
  if (signIn.pending) {
    status = (
      <>
        <Spinner /> Waiting for the browser: finish signing in on the page that opened.
      </>
    )
  } else if (signIn.status === 'signed-in') {
    status = (
      <>
        <span className="sign-in__dot sign-in__dot--ok" aria-hidden="true" />
        Signed in at {signIn.host}
        {signIn.signedInAt ? ` since ${formatFullTime(signIn.signedInAt)}` : ''}.
      </>
    )
  } else if (signIn.reason === 'refused') {
    status = (
      <>
        <span className="sign-in__dot sign-in__dot--warn" aria-hidden="true" />
        Sign in needed: {signIn.host} refused the last sign-in (revoked, or expired).
      </>
    )
  } else {
    status = (
      <>
        <span className="sign-in__dot" aria-hidden="true" />
        Sign in needed: not signed in yet.
      </>
    )
  }
  return (
    <section className="sign-in" aria-label="Sign-in">
      <h3 className="provider-settings__heading">Sign-in</h3>
      <p className="sign-in__status" role="status">
        {status}
      </p>
      {signIn.blocker ? <p className="sign-in__blocker">{signIn.blocker}</p> : null}
      {panel?.signInError ? (
        <p className="provider-settings__error" role="alert">
          {panel.signInError}
        </p>
      ) : null}
      <div className="provider-settings__actions">
        {signIn.pending ? (
          <button type="button" className="button" onClick={() => void cancelSignIn()}>
            Cancel sign-in
          </button>
        ) : (
          <button
            type="button"
            className={signIn.status === 'signed-in' ? 'button' : 'button button--primary'}
            disabled={starting || signIn.blocker !== null}
            onClick={start}
          >
            {starting ? <Spinner /> : null}
            {signIn.status === 'signed-in' ? 'Sign in again' : 'Sign in'}
          </button>
        )}
        {signIn.status === 'signed-in' && !signIn.pending ? (
          <button type="button" className="button button--quiet" onClick={() => void signOut()}>
            Sign out
          </button>
        ) : null}
      </div>
      <p className="provider-settings__help">
        Signing in opens {signIn.host} in {fileDialogs === 'browser' ? 'a new tab' : 'your browser'}
        . Skwirl keeps the tokens encrypted and adds them to the provider’s requests; the provider’s
        code never sees them.
        {signIn.scopes.length > 0 ? ` It asks for: ${signIn.scopes.join(', ')}.` : ''}
      </p>
    </section>
  )
}

function LockIcon() {
  return (
    <svg
      className="provider-settings__lock"
      viewBox="0 0 16 16"
      aria-hidden="true"
      focusable="false"
    >
      <rect x="3.5" y="7" width="9" height="6.5" rx="1.5" />
      <path d="M5.5 7V5a2.5 2.5 0 0 1 5 0v2" />
    </svg>
  )
}
