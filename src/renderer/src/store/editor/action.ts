import type { StateCreator } from 'zustand/vanilla'
import type { CodeCheck, ProviderInput, SkwirlApi } from '../../../../shared/api'
import { normalizeProviderName } from '../../../../shared/provider-rules'
import { errorCode, errorMessage } from '../error-message'
import type { SkwirlStore } from '../store'
import type { EditorDocument, LeaveTarget } from './initialState'
import { editorSelectors } from './selectors'
import { NEW_PROVIDER_CODE } from './template'

/**
 * The editor's text has \n line breaks only (CodeMirror's document has no other); a provider
 * saved with \r\n (a file from Windows) is shown, compared and saved that way.
 */
const asEditorText = (code: string): string => code.replace(/\r\n?/g, '\n')

export interface EditorOptions {
  /** How long typing must pause before the code is checked. */
  checkDelayMs: number
}

export interface EditorAction {
  /** Opens a provider in the editor (asking first if unsaved changes would be lost). */
  openEditor(id: string, options?: { focus?: 'name' | 'code'; line?: number }): void
  /** Opens a provider's code at a line (from a log line or the test console), closing the history. */
  openEditorAt(id: string, line: number): void
  /** Opens a new, unsaved provider: the template, or a file's name and code. */
  newProvider(input?: ProviderInput): void
  closeEditor(): void
  /** The answer to "save your changes?": save then go, go without saving, or stay. */
  resolveLeave(choice: 'save' | 'discard' | 'cancel'): Promise<void>
  /** Closes the editor without asking (its provider was deleted). */
  discardEditor(): void
  setEditorName(name: string): void
  setEditorCode(code: string): void
  /** Checks the code now instead of after the pause. */
  checkEditorCode(): Promise<CodeCheck | null>
  /** Saves name and code; true when saved. `overwrite` saves over changes made elsewhere. */
  saveEditor(options?: { overwrite?: boolean }): Promise<boolean>
  /** Replaces the editor's text with what is saved now (dropping the unsaved changes). */
  reloadEditor(): Promise<void>
  /** Keeps the text of a provider deleted elsewhere as a new provider, to be saved again. */
  keepAsNewProvider(): void
  /** After the list changed: notices that the open provider changed or went away elsewhere. */
  editorProvidersChanged(): void
}

export const createEditorSlice =
  (api: SkwirlApi, options: EditorOptions): StateCreator<SkwirlStore, [], [], EditorAction> =>
  (set, get) => {
    let sessions = 0
    let focusSeq = 0
    let checkTimer: ReturnType<typeof setTimeout> | null = null
    let checksSent = 0
    let checkApplied = 0

    /** Changes the open document, unless another one was opened meanwhile. */
    function patch(session: number, changes: Partial<EditorDocument>): boolean {
      const doc = get().editor
      if (!doc || doc.session !== session) return false
      set({ editor: { ...doc, ...changes } })
      return true
    }

    function cancelCheck(): void {
      if (checkTimer !== null) clearTimeout(checkTimer)
      checkTimer = null
    }

    function focus(target: 'name' | 'code') {
      return { target, seq: ++focusSeq }
    }

    async function runCheck(): Promise<CodeCheck | null> {
      cancelCheck()
      const doc = get().editor
      if (!doc || doc.status !== 'ready') return null
      const { session, name, code } = doc
      const sent = ++checksSent
      let result: CodeCheck
      try {
        result = await api.checkProviderCode({ name: normalizeProviderName(name), code })
      } catch {
        return null // Main is out of reach: the next edit checks again, and a save checks anyway.
      }
      if (sent > checkApplied && patch(session, { check: { code, result } })) checkApplied = sent
      return result
    }

    function blankDocument(
      fields: Pick<EditorDocument, 'providerId' | 'status' | 'saved' | 'name' | 'code'> &
        Partial<EditorDocument>,
    ): EditorDocument {
      return {
        session: ++sessions,
        loadError: null,
        nameTouched: false,
        nameError: null,
        check: null,
        saving: false,
        saveError: null,
        conflict: null,
        ...fields,
        focusRequest: fields.focusRequest ?? focus('code'),
      }
    }

    async function load(session: number, id: string): Promise<void> {
      try {
        const provider = await api.getProvider(id)
        const code = asEditorText(provider.code)
        const loaded = patch(session, {
          status: 'ready',
          saved: { name: provider.name, code, updatedAt: provider.updatedAt },
          name: provider.name,
          code,
        })
        if (!loaded) return
        get().upsertProvider(provider)
        void runCheck()
      } catch (error) {
        patch(session, { status: 'error', loadError: errorMessage(error) })
      }
    }

    async function go(target: LeaveTarget): Promise<void> {
      cancelCheck()
      set({ leaveRequest: null })
      switch (target.kind) {
        case 'close':
          set({ editor: null })
          return
        case 'new': {
          set({
            editor: blankDocument({
              providerId: null,
              status: 'ready',
              // A file's code is unsaved work; the template is not (leaving it asks nothing).
              saved: { name: '', code: target.fromFile ? '' : target.code, updatedAt: null },
              name: target.name,
              code: target.code,
              // An imported name may clash already: say so at once.
              nameTouched: target.fromFile,
              focusRequest: focus('name'),
            }),
          })
          await runCheck()
          return
        }
        case 'open': {
          const listed = get().providers.find((p) => p.id === target.id)
          const doc = blankDocument({
            providerId: target.id,
            status: 'loading',
            saved: { name: listed?.name ?? '', code: '', updatedAt: listed?.updatedAt ?? null },
            name: listed?.name ?? '',
            code: '',
            focusRequest: { ...focus(target.focus), line: target.line },
          })
          set({ editor: doc })
          await load(doc.session, target.id)
        }
      }
    }

    /** Goes there at once, or asks first when that would lose unsaved changes. */
    function request(target: LeaveTarget): void {
      const state = get()
      const doc = state.editor
      if (target.kind === 'open' && doc?.providerId === target.id && doc.status !== 'error') {
        // Already open: only the cursor moves (its unsaved changes stay).
        patch(doc.session, { focusRequest: { ...focus(target.focus), line: target.line } })
        return
      }
      if (editorSelectors.isDirty(state)) set({ leaveRequest: target })
      else void go(target)
    }

    return {
      openEditor(id, { focus: target = 'code', line } = {}) {
        request({ kind: 'open', id, focus: target, line })
      },

      openEditorAt(id, line) {
        get().closeHistory()
        get().openEditor(id, { line })
      },

      newProvider(input) {
        request(
          input
            ? { kind: 'new', name: input.name, code: asEditorText(input.code), fromFile: true }
            : { kind: 'new', name: '', code: NEW_PROVIDER_CODE, fromFile: false },
        )
      },

      closeEditor() {
        request({ kind: 'close' })
      },

      async resolveLeave(choice) {
        const target = get().leaveRequest
        if (!target) return
        if (choice === 'cancel') {
          set({ leaveRequest: null })
          return
        }
        if (choice === 'discard') return go(target)
        set({ leaveRequest: null })
        if (await get().saveEditor()) await go(target)
      },

      discardEditor() {
        cancelCheck()
        set({ editor: null, leaveRequest: null })
      },

      setEditorName(name) {
        const doc = get().editor
        if (doc) patch(doc.session, { name, nameTouched: true, nameError: null, saveError: null })
      },

      setEditorCode(code) {
        const doc = get().editor
        if (!doc || doc.code === code) return
        patch(doc.session, { code, saveError: null })
        cancelCheck()
        checkTimer = setTimeout(() => void runCheck(), options.checkDelayMs)
      },

      checkEditorCode: runCheck,

      async saveEditor({ overwrite = false } = {}) {
        const doc = get().editor
        if (!doc || doc.status !== 'ready' || doc.saving) return false
        const { session, code } = doc
        const name = normalizeProviderName(doc.name)
        if (editorSelectors.nameProblemNow(get())) {
          patch(session, { nameTouched: true, focusRequest: focus('name') })
          return false
        }
        patch(session, { saving: true, saveError: null })
        // The check on screen must be for this very code; main checks again before writing.
        const check = doc.check?.code === code ? doc.check.result : await runCheck()
        if (check?.syntaxError) {
          const where = check.syntaxError.line === null ? '' : ` on line ${check.syntaxError.line}`
          patch(session, {
            saving: false,
            saveError: `Not saved: the code has an error${where}. Fix it, then save.`,
          })
          return false
        }
        try {
          const saved =
            doc.providerId === null
              ? await api.createProvider({ name, code })
              : await api.updateProvider(doc.providerId, {
                  name,
                  code,
                  expectedUpdatedAt: overwrite ? null : doc.saved.updatedAt,
                })
          const now = get().editor
          if (now?.session === session) {
            patch(session, {
              providerId: saved.id,
              saved: {
                name: saved.name,
                code: asEditorText(saved.code),
                updatedAt: saved.updatedAt,
              },
              // Main tidies the name (spaces); keep what was typed during the save, if anything.
              name: now.name === doc.name ? saved.name : now.name,
              saving: false,
              conflict: null,
              nameError: null,
            })
          }
          get().upsertProvider(saved)
          return true
        } catch (error) {
          const message = errorMessage(error)
          switch (errorCode(error)) {
            case 'conflict':
              patch(session, { saving: false, nameError: message, nameTouched: true })
              break
            case 'outdated':
              patch(session, { saving: false, conflict: 'outdated' })
              break
            case 'not-found':
              patch(session, { saving: false, conflict: 'deleted' })
              break
            default:
              patch(session, { saving: false, saveError: `Not saved: ${message}` })
          }
          return false
        }
      },

      async reloadEditor() {
        const doc = get().editor
        if (!doc || doc.providerId === null) return
        try {
          const provider = await api.getProvider(doc.providerId)
          if (get().editor?.session !== doc.session) return
          cancelCheck()
          const code = asEditorText(provider.code)
          set({
            editor: blankDocument({
              providerId: provider.id,
              status: 'ready',
              saved: { name: provider.name, code, updatedAt: provider.updatedAt },
              name: provider.name,
              code,
              // The same request: a reload must not pull the cursor away from where it is.
              focusRequest: doc.focusRequest,
            }),
          })
          get().upsertProvider(provider)
          await runCheck()
        } catch (error) {
          if (errorCode(error) === 'not-found') patch(doc.session, { conflict: 'deleted' })
          else
            patch(doc.session, {
              saveError: `Couldn’t load the saved version: ${errorMessage(error)}`,
            })
        }
      },

      keepAsNewProvider() {
        const doc = get().editor
        if (!doc) return
        patch(doc.session, {
          providerId: null,
          saved: { name: '', code: '', updatedAt: null },
          conflict: null,
          saveError: null,
        })
      },

      editorProvidersChanged() {
        const state = get()
        const doc = state.editor
        if (!doc || doc.providerId === null || doc.status !== 'ready' || doc.saving) return
        const listed = state.providers.find((p) => p.id === doc.providerId)
        const dirty = editorSelectors.isDirty(state)
        if (!listed) {
          if (dirty) {
            patch(doc.session, { conflict: 'deleted' })
          } else {
            get().discardEditor()
            get().showNotice(`“${doc.saved.name}” was deleted somewhere else.`)
          }
        } else if (listed.updatedAt !== doc.saved.updatedAt) {
          // Saved elsewhere: without local changes, show the new version; with them, warn now.
          if (dirty) patch(doc.session, { conflict: 'outdated' })
          else void get().reloadEditor()
        }
      },
    }
  }
