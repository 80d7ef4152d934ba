import { setDiagnostics, type Diagnostic } from '@codemirror/lint'
import { Compartment, EditorState, StateEffect, StateField, type Text } from '@codemirror/state'
import { Decoration, EditorView, WidgetType, type DecorationSet } from '@codemirror/view'
import { useEffect, useImperativeHandle, useRef, type Ref } from 'react'
import type { LuaSyntaxError } from '../../../../shared/api'
import { luaEditorExtensions, narrowLayout, wideLayout } from './lua-setup'

/** Below this width the code wraps and the gutters shrink, so no line hides behind them. */
export const NARROW_EDITOR_PX = 560

export interface LuaCodeEditorHandle {
  /** Replaces the whole text as one change, which Undo takes back (Revert uses it). */
  replaceText(code: string): void
  /** Puts the cursor at the start of a line's code and scrolls to it. */
  goToLine(line: number): void
  focus(): void
}

export interface CursorPosition {
  line: number
  column: number
}

interface LuaCodeEditorProps {
  /** The text it starts with; a new document needs a new component (give it a new key). */
  initialCode: string
  /** The latest check: applied when it is for the text on screen. */
  check: { code: string; syntaxError: LuaSyntaxError | null } | null
  label: string
  onChange(code: string): void
  onSave(): void
  onCursor?(position: CursorPosition): void
  ref?: Ref<LuaCodeEditorHandle>
}

/**
 * CodeMirror 6 with Lua. It lives in a shadow root: there CodeMirror's styles go into a
 * constructed stylesheet, which the page's CSP (style-src 'self') allows, where in the document
 * itself they would be an inline <style> element, which it forbids.
 */
export function LuaCodeEditor({
  initialCode,
  check,
  label,
  onChange,
  onSave,
  onCursor,
  ref,
}: LuaCodeEditorProps) {
  const hostRef = useRef<HTMLDivElement>(null)
  const viewRef = useRef<EditorView | null>(null)
  // The view is built once; these let it call the latest callbacks.
  const callbacks = useRef({ onChange, onSave, onCursor })
  useEffect(() => {
    callbacks.current = { onChange, onSave, onCursor }
  })
  const initialCodeRef = useRef(initialCode)
  const labelRef = useRef(label)

  useEffect(() => {
    const host = hostRef.current
    if (!host) return
    const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' })
    const layout = new Compartment()
    const isNarrow = () => host.clientWidth > 0 && host.clientWidth < NARROW_EDITOR_PX
    let narrow = isNarrow()
    const view = new EditorView({
      root,
      parent: root,
      state: EditorState.create({
        doc: initialCodeRef.current,
        extensions: [
          luaEditorExtensions({
            label: labelRef.current,
            onSave: () => callbacks.current.onSave(),
          }),
          errorLineField,
          layout.of(narrow ? narrowLayout : wideLayout),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) callbacks.current.onChange(update.state.doc.toString())
            if (update.docChanged || update.selectionSet) {
              const head = update.state.selection.main.head
              const line = update.state.doc.lineAt(head)
              callbacks.current.onCursor?.({ line: line.number, column: head - line.from + 1 })
            }
          }),
        ],
      }),
    })
    viewRef.current = view
    const observer =
      typeof ResizeObserver === 'undefined'
        ? null
        : new ResizeObserver(() => {
            if (isNarrow() === narrow) return
            narrow = !narrow
            view.dispatch({ effects: layout.reconfigure(narrow ? narrowLayout : wideLayout) })
          })
    observer?.observe(host)
    return () => {
      observer?.disconnect()
      view.destroy()
      viewRef.current = null
    }
  }, [])

  useEffect(() => {
    const view = viewRef.current
    if (!view || !check || check.code !== view.state.doc.toString()) return
    const diagnostics = check.syntaxError ? [diagnosticFor(view.state.doc, check.syntaxError)] : []
    const marks = setDiagnostics(view.state, diagnostics)
    view.dispatch({
      ...marks,
      effects: [
        ...[marks.effects ?? []].flat(),
        setErrorLine.of(
          diagnostics[0] ? { at: diagnostics[0].from, message: diagnostics[0].message } : null,
        ),
      ],
    })
  }, [check])

  useImperativeHandle(
    ref,
    () => ({
      replaceText(code) {
        const view = viewRef.current
        if (!view) return
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: code } })
      },
      goToLine(lineNumber) {
        const view = viewRef.current
        if (!view) return
        const line = view.state.doc.line(Math.min(Math.max(lineNumber, 1), view.state.doc.lines))
        const indent = /^\s*/.exec(line.text)?.[0].length ?? 0
        view.dispatch({ selection: { anchor: line.from + indent }, scrollIntoView: true })
        view.focus()
      },
      focus() {
        viewRef.current?.focus()
      },
    }),
    [],
  )

  return <div ref={hostRef} className="code-editor" data-testid="lua-code-editor" />
}

/** The error marks its line's code (without the indentation), or the line itself when empty. */
export function diagnosticFor(doc: Text, error: LuaSyntaxError): Diagnostic {
  const line = doc.line(Math.min(Math.max(error.line ?? 1, 1), doc.lines))
  const indent = /^\s*/.exec(line.text)?.[0].length ?? 0
  const from = Math.min(line.from + indent, line.to)
  return { from, to: line.to, severity: 'error', source: 'Lua', message: error.message }
}

/** The error's message at the end of its line, so it is read where it is. */
class ErrorMessageWidget extends WidgetType {
  constructor(readonly message: string) {
    super()
  }

  override eq(other: ErrorMessageWidget): boolean {
    return other.message === this.message
  }

  toDOM(): HTMLElement {
    const span = document.createElement('span')
    span.className = 'cm-errorMessage'
    span.setAttribute('aria-hidden', 'true')
    span.textContent = this.message
    return span
  }
}

const setErrorLine = StateEffect.define<{ at: number; message: string } | null>()

/** Tints the line of the syntax error and writes the message after it. */
const errorLineField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, transaction) {
    let next = marks.map(transaction.changes)
    for (const effect of transaction.effects) {
      if (!effect.is(setErrorLine)) continue
      if (effect.value === null) {
        next = Decoration.none
        continue
      }
      const line = transaction.state.doc.lineAt(effect.value.at)
      next = Decoration.set([
        Decoration.line({ class: 'cm-errorLine' }).range(line.from),
        Decoration.widget({ widget: new ErrorMessageWidget(effect.value.message), side: 1 }).range(
          line.to,
        ),
      ])
    }
    return next
  },
  provide: (field) => EditorView.decorations.from(field),
})
