import { useEffect, useId, useRef, useState } from 'react'
import type { CodeCheck } from '../../../shared/api'
import { connectionSelectors } from '../store/connection/selectors'
import { editorSelectors } from '../store/editor/selectors'
import type { EditorDocument } from '../store/editor/initialState'
import { useSkwirl } from '../store/context'
import { ActionMenu } from './ActionMenu'
import {
  LuaCodeEditor,
  type CursorPosition,
  type LuaCodeEditorHandle,
} from './code-editor/LuaCodeEditor'
import { ProviderSettings } from './ProviderSettings'
import { OFFLINE_REASON } from './offline'
import { Spinner } from './Spinner'

const IS_MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform)
export const SAVE_SHORTCUT = IS_MAC ? '⌘S' : 'Ctrl+S'

/** The open provider: its name, its Lua in CodeMirror, what the check found, and Save. */
export function ProviderEditor() {
  const editor = useSkwirl(editorSelectors.editor)
  if (!editor) return null
  return <EditorPanel editor={editor} />
}

function EditorPanel({ editor }: { editor: EditorDocument }) {
  const dirty = useSkwirl(editorSelectors.isDirty)
  const canSave = useSkwirl(editorSelectors.canSave)
  const check = useSkwirl(editorSelectors.currentCheck)
  const nameProblem = useSkwirl(editorSelectors.nameProblem)
  const setEditorName = useSkwirl((s) => s.setEditorName)
  const setEditorCode = useSkwirl((s) => s.setEditorCode)
  const saveEditor = useSkwirl((s) => s.saveEditor)
  const closeEditor = useSkwirl((s) => s.closeEditor)
  const openEditor = useSkwirl((s) => s.openEditor)
  const duplicateProvider = useSkwirl((s) => s.duplicateProvider)
  const exportProvider = useSkwirl((s) => s.exportProvider)
  const askToDelete = useSkwirl((s) => s.askToDelete)
  const showEditorPane = useSkwirl((s) => s.showEditorPane)
  const showingSettings = useSkwirl(
    (s) => editor.providerId !== null && s.settingsPaneFor === editor.providerId,
  )
  const offline = useSkwirl(connectionSelectors.isOffline)
  const nameProblemNow = useSkwirl(editorSelectors.nameProblemNow)

  const codeRef = useRef<LuaCodeEditorHandle>(null)
  const nameRef = useRef<HTMLInputElement>(null)
  const [cursor, setCursor] = useState<CursorPosition>({ line: 1, column: 1 })
  const nameId = useId()
  const nameProblemId = useId()
  const ready = editor.status === 'ready'
  const { providerId } = editor
  // Named after what is saved, so the region keeps its name while the name field changes.
  const title = providerId === null ? 'New provider' : editor.saved.name

  const showNotice = useSkwirl((s) => s.showNotice)
  function save() {
    if (offline) {
      showNotice(`Not saved: ${OFFLINE_REASON}`, 'error')
      return
    }
    // Ctrl-S with nothing to save does nothing; with an error it says why it did not save.
    if (!dirty && providerId !== null && editor.conflict === null) return
    void saveEditor()
  }
  const saveRef = useRef(save)
  useEffect(() => {
    saveRef.current = save
  })

  // Focus goes back where it was when the editor opened (a card's name, its ⋯ menu…), or to the
  // open provider's card when that is gone, once the editor closes.
  const providerIdRef = useRef(providerId)
  useEffect(() => {
    providerIdRef.current = providerId
  })
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
    return () => {
      const fallback = () =>
        document.querySelector<HTMLElement>(
          `[data-provider-id="${CSS.escape(providerIdRef.current ?? '')}"] .provider-card__name`,
        ) ?? document.querySelector<HTMLElement>('.providers__tools .button')
      // After React has removed the editor (focus in it would otherwise fall to the page).
      queueMicrotask(() => {
        const target = opener?.isConnected && opener !== document.body ? opener : fallback()
        target?.focus()
      })
    }
  }, [])

  // Put the cursor where the store asks (the code on open, the name for a new provider).
  const { seq: focusSeq, target: focusTarget, line: focusLine } = editor.focusRequest
  useEffect(() => {
    if (!ready) return
    if (focusTarget === 'name') {
      nameRef.current?.focus()
      nameRef.current?.select()
    } else if (focusLine !== undefined) {
      codeRef.current?.goToLine(focusLine)
    } else {
      codeRef.current?.focus()
    }
  }, [focusSeq, focusTarget, focusLine, ready])

  // Closing the tab or the window, or reloading, with unsaved changes asks first.
  useEffect(() => {
    if (!dirty) return
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault()
      // Older browsers (and Electron) look at returnValue.
      event.returnValue = ''
    }
    window.addEventListener('beforeunload', onBeforeUnload)
    return () => window.removeEventListener('beforeunload', onBeforeUnload)
  }, [dirty])

  // Ctrl/Cmd-S saves wherever the focus is (the code editor handles it itself first).
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey || event.shiftKey) return
      if (!(event.ctrlKey || event.metaKey) || event.key.toLowerCase() !== 's') return
      event.preventDefault()
      saveRef.current()
    }
    window.addEventListener('keydown', onKeyDown)
    return () => window.removeEventListener('keydown', onKeyDown)
  }, [])

  function revert() {
    setEditorName(editor.saved.name)
    // One change in the code's history: Undo brings the edits back.
    codeRef.current?.replaceText(editor.saved.code)
  }

  return (
    <section
      className="editor"
      aria-label={`Editor: ${title}`}
      onKeyDown={(event) => {
        // Escape closes the editor, unless something inside used it first (CodeMirror closes its
        // completion list or search panel, or clears a selection; a menu closes itself).
        if (event.key !== 'Escape' || event.defaultPrevented || event.nativeEvent.isComposing)
          return
        event.preventDefault()
        closeEditor()
      }}
    >
      <header className="editor__toolbar">
        <div className="editor__name">
          <label className="editor__name-label" htmlFor={nameId}>
            Provider name
          </label>
          <input
            ref={nameRef}
            id={nameId}
            className="editor__name-input"
            value={editor.name}
            placeholder="Name this provider"
            spellCheck={false}
            autoComplete="off"
            disabled={!ready}
            aria-invalid={nameProblem !== null}
            aria-describedby={nameProblem ? nameProblemId : undefined}
            onChange={(event) => setEditorName(event.target.value)}
            onKeyDown={(event) => {
              if (event.key !== 'Enter') return
              event.preventDefault()
              save()
            }}
          />
          {nameProblem ? (
            <p id={nameProblemId} className="editor__name-problem" role="alert">
              {nameProblem}
            </p>
          ) : null}
        </div>
        <div className="editor__actions">
          <SaveState editor={editor} dirty={dirty} />
          {dirty && providerId !== null ? (
            <button
              type="button"
              className="button button--quiet"
              title="Go back to the saved version (Undo brings your changes back)"
              onClick={revert}
            >
              Revert
            </button>
          ) : null}
          <button
            type="button"
            className="button button--primary"
            disabled={!canSave || offline}
            title={
              offline
                ? OFFLINE_REASON
                : ready && nameProblemNow
                  ? `Not yet: ${nameProblemNow}`
                  : `Save (${SAVE_SHORTCUT})`
            }
            aria-keyshortcuts={IS_MAC ? 'Meta+S' : 'Control+S'}
            onClick={save}
          >
            Save
            <kbd className="button__kbd">{SAVE_SHORTCUT}</kbd>
          </button>
          {providerId !== null ? (
            <ActionMenu
              label={`More actions for ${editor.saved.name}`}
              items={[
                { label: 'Rename', onSelect: () => openEditor(providerId, { focus: 'name' }) },
                { label: 'Duplicate', onSelect: () => void duplicateProvider(providerId) },
                {
                  label: dirty ? 'Export saved code…' : 'Export…',
                  onSelect: () => void exportProvider(providerId),
                },
                {
                  label: 'Delete…',
                  danger: true,
                  separated: true,
                  onSelect: () => askToDelete(providerId),
                },
              ]}
            />
          ) : null}
          <button
            type="button"
            className="button button--icon button--quiet"
            aria-label="Close the editor"
            title="Close the editor (Esc)"
            onClick={closeEditor}
          >
            <CloseIcon />
          </button>
        </div>
      </header>
      {providerId !== null ? (
        <div className="editor__tabs" role="tablist" aria-label="Show">
          <button
            type="button"
            role="tab"
            className="editor__tab"
            aria-selected={!showingSettings}
            onClick={() => showEditorPane('code')}
          >
            Code
          </button>
          <button
            type="button"
            role="tab"
            className="editor__tab"
            aria-selected={showingSettings}
            onClick={() => showEditorPane('settings')}
          >
            Settings &amp; sign-in
          </button>
        </div>
      ) : null}
      <ConflictBanner editor={editor} />
      {editor.saveError ? (
        <p className="editor__banner editor__banner--error" role="alert">
          {editor.saveError}
        </p>
      ) : null}
      {showingSettings && providerId !== null ? (
        <div className="editor__body editor__body--settings" role="tabpanel">
          <ProviderSettings providerId={providerId} codeIsDirty={dirty} />
        </div>
      ) : null}
      {/* The code stays mounted under the settings: its undo history and cursor are kept. */}
      <div className="editor__body" hidden={showingSettings}>
        {editor.status === 'loading' ? (
          <p className="editor__message" role="status">
            <Spinner /> Loading code…
          </p>
        ) : editor.status === 'error' ? (
          <div className="editor__message editor__message--error" role="alert">
            <p>Couldn’t load the code. {editor.loadError}</p>
            {providerId !== null ? (
              <button type="button" className="button" onClick={() => openEditor(providerId)}>
                Retry
              </button>
            ) : null}
          </div>
        ) : (
          <LuaCodeEditor
            key={editor.session}
            ref={codeRef}
            initialCode={editor.code}
            check={
              editor.check
                ? { code: editor.check.code, syntaxError: editor.check.result.syntaxError }
                : null
            }
            label={`Lua code of ${title}`}
            onChange={setEditorCode}
            onSave={() => saveRef.current()}
            onCursor={setCursor}
          />
        )}
      </div>
      <footer className="editor__status" hidden={showingSettings}>
        <CheckSummary
          check={ready ? check : null}
          checking={ready && check === null}
          onGoToLine={(line) => codeRef.current?.goToLine(line)}
        />
        {ready ? (
          <span className="editor__cursor">
            Ln {cursor.line}, Col {cursor.column}
          </span>
        ) : null}
        <span className="editor__language">Lua 5.3</span>
      </footer>
    </section>
  )
}

function SaveState({ editor, dirty }: { editor: EditorDocument; dirty: boolean }) {
  if (editor.status !== 'ready') return null
  const [state, text] = editor.saving
    ? ['saving', 'Saving…']
    : editor.providerId === null
      ? [dirty ? 'dirty' : 'new', 'Not saved yet']
      : dirty
        ? ['dirty', 'Unsaved changes']
        : ['saved', 'Saved']
  return (
    <span className="save-state" data-state={state} role="status">
      {state === 'saving' ? <Spinner /> : <span className="save-state__dot" />}
      {text}
    </span>
  )
}

function ConflictBanner({ editor }: { editor: EditorDocument }) {
  const saveEditor = useSkwirl((s) => s.saveEditor)
  const reloadEditor = useSkwirl((s) => s.reloadEditor)
  const keepAsNewProvider = useSkwirl((s) => s.keepAsNewProvider)
  if (editor.conflict === 'outdated') {
    return (
      <div className="editor__banner editor__banner--warning" role="alert">
        <p>
          “{editor.saved.name}” was changed somewhere else (another window, or the CLI) after you
          opened it.
        </p>
        <div className="editor__banner-actions">
          <button type="button" className="button" onClick={() => void reloadEditor()}>
            Load their version
          </button>
          <button
            type="button"
            className="button"
            onClick={() => void saveEditor({ overwrite: true })}
          >
            Save mine over it
          </button>
        </div>
      </div>
    )
  }
  if (editor.conflict === 'deleted') {
    return (
      <div className="editor__banner editor__banner--warning" role="alert">
        <p>“{editor.saved.name}” was deleted somewhere else. Your text is still here.</p>
        <div className="editor__banner-actions">
          <button
            type="button"
            className="button"
            onClick={() => {
              keepAsNewProvider()
              void saveEditor()
            }}
          >
            Save it as a new provider
          </button>
        </div>
      </div>
    )
  }
  return null
}

/** What the check found, in one line: the error (a link to its line), warnings, or all clear. */
function CheckSummary({
  check,
  checking,
  onGoToLine,
}: {
  check: CodeCheck | null
  checking: boolean
  onGoToLine(line: number): void
}) {
  let content
  if (checking) {
    content = <span className="check-summary__checking">Checking…</span>
  } else if (check?.syntaxError) {
    const { line, message } = check.syntaxError
    content =
      line === null ? (
        <span className="check-summary__error">
          <ErrorIcon /> {message}
        </span>
      ) : (
        <button
          type="button"
          className="check-summary__error check-summary__link"
          title="Go to the line"
          onClick={() => onGoToLine(line)}
        >
          <ErrorIcon /> Line {line}: {message}
        </button>
      )
  } else if (check && check.missingFunctions.length > 0) {
    content = (
      <span
        className="check-summary__warning"
        title="Skwirl calls these global functions during a run; without them the run fails. The code can be saved anyway."
      >
        <WarningIcon /> Not defined:{' '}
        {check.missingFunctions.map((name, index) => (
          <span key={name}>
            {index > 0 ? ', ' : ''}
            <code>{name}</code>
          </span>
        ))}
      </span>
    )
  } else if (check) {
    content = (
      <span className="check-summary__ok">
        <OkIcon /> Compiles; all three provider functions are defined
      </span>
    )
  }
  return (
    <div className="check-summary" role="status" aria-live="polite">
      {content}
    </div>
  )
}

function CloseIcon() {
  return (
    <svg className="button__icon button__icon--stroke" viewBox="0 0 16 16" aria-hidden="true">
      <path d="M4 4l8 8M12 4l-8 8" />
    </svg>
  )
}

function ErrorIcon() {
  return (
    <svg className="status-icon status-icon--error" viewBox="0 0 16 16" aria-hidden="true">
      <circle cx="8" cy="8" r="7" />
      <path d="M5.5 5.5l5 5M10.5 5.5l-5 5" />
    </svg>
  )
}

function WarningIcon() {
  return (
    <svg className="status-icon status-icon--warning" viewBox="0 0 16 16" aria-hidden="true">
      <path d="M8 1.5 15 14H1z" />
      <path d="M8 6v3.5M8 11.5v.5" />
    </svg>
  )
}

function OkIcon() {
  return (
    <svg className="status-icon status-icon--ok" viewBox="0 0 16 16" aria-hidden="true">
      <circle cx="8" cy="8" r="7" />
      <path d="M5 8.2l2 2 4-4.2" />
    </svg>
  )
}
