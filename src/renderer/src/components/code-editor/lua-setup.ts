// What makes the CodeMirror editor a Lua editor for Skwirl providers: the language (the legacy
// Lua mode, taught the host API and function definitions), its colours, the editor's look in
// the app's light and dark palettes, and completions for Lua and the host API.
import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completeAnyWord,
  completionKeymap,
} from '@codemirror/autocomplete'
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands'
import {
  bracketMatching,
  foldGutter,
  foldKeymap,
  foldService,
  HighlightStyle,
  indentOnInput,
  indentUnit,
  StreamLanguage,
  syntaxHighlighting,
  type StreamParser,
} from '@codemirror/language'
import { lua } from '@codemirror/legacy-modes/mode/lua'
import { lintGutter, lintKeymap } from '@codemirror/lint'
import { highlightSelectionMatches, search, searchKeymap } from '@codemirror/search'
import { EditorState, Prec, type Extension } from '@codemirror/state'
import {
  crosshairCursor,
  drawSelection,
  dropCursor,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  rectangularSelection,
} from '@codemirror/view'
import { tags as t } from '@lezer/highlight'
import { skwirlCompletions, skwirlHover } from './lua-api-help'

/** The host API and the provider functions, coloured apart from ordinary names. */
const SKWIRL_NAMES =
  /^(?:http\.(?:get|request|post|configure)|skwirl\.(?:emit_file_ids?|download_url|declare|setting|(?:storage|cache)\.(?:get|set|delete))|list_file_ids|get_file_metadata|download_file)$/

interface LuaState {
  inner: unknown
  /** The last token was the keyword `function`: the next name is what it defines. */
  afterFunction: boolean
}

const base = lua as StreamParser<unknown>

const skwirlLua: StreamParser<LuaState> = {
  name: 'lua',
  startState: (indentUnit) => ({ inner: base.startState?.(indentUnit), afterFunction: false }),
  copyState: (state) => ({
    inner: base.copyState
      ? base.copyState(state.inner)
      : { ...(state.inner as Record<string, unknown>) },
    afterFunction: state.afterFunction,
  }),
  token(stream, state) {
    let style = base.token(stream, state.inner)
    const word = stream.current()
    if (word.trim() === '') return style
    if (style === 'variable' && state.afterFunction) style = 'def'
    else if (style === 'variable' && SKWIRL_NAMES.test(word)) style = 'variable-2'
    state.afterFunction = style === 'keyword' && word === 'function'
    return style
  },
  indent: (state, textAfter, context) => base.indent?.(state.inner, textAfter, context) ?? null,
  languageData: base.languageData,
}

export const luaLanguage = StreamLanguage.define(skwirlLua)

const indentOf = (text: string): number => /^\s*/.exec(text)?.[0].length ?? 0

/**
 * The legacy mode has no syntax tree to fold by, so blocks fold by indentation: a line folds
 * the lines after it that are indented deeper (a function's body, up to its `end`).
 */
const foldByIndentation = foldService.of((state, lineStart) => {
  const line = state.doc.lineAt(lineStart)
  if (line.text.trim() === '') return null
  const indent = indentOf(line.text)
  let last = null
  for (let n = line.number + 1; n <= state.doc.lines; n++) {
    const next = state.doc.line(n)
    if (next.text.trim() === '') continue
    if (indentOf(next.text) <= indent) break
    last = next
  }
  return last ? { from: line.to, to: last.to } : null
})

// Colours come from app.css custom properties, which follow the system's light or dark setting.
const luaHighlight = HighlightStyle.define([
  { tag: t.keyword, color: 'var(--code-keyword)' },
  { tag: [t.string, t.special(t.string)], color: 'var(--code-string)' },
  { tag: t.number, color: 'var(--code-number)' },
  { tag: t.comment, color: 'var(--code-comment)', fontStyle: 'italic' },
  { tag: t.standard(t.variableName), color: 'var(--code-builtin)' },
  { tag: t.special(t.variableName), color: 'var(--code-host)', fontWeight: '600' },
  { tag: t.definition(t.variableName), color: 'var(--code-definition)', fontWeight: '600' },
  { tag: t.invalid, color: 'var(--danger)' },
])

const editorTheme = EditorView.theme({
  '&': {
    height: '100%',
    color: 'var(--text)',
    backgroundColor: 'var(--surface)',
    fontSize: '13.5px',
  },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': {
    fontFamily: 'var(--font-mono)',
    lineHeight: '1.6',
    overflow: 'auto',
  },
  '.cm-content': { padding: '12px 0 40vh', caretColor: 'var(--text)' },
  '.cm-line': { padding: '0 16px 0 6px' },
  '.cm-cursor, .cm-dropCursor': { borderLeft: '2px solid var(--accent)' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection':
    { backgroundColor: 'var(--code-selection)' },
  '.cm-activeLine': { backgroundColor: 'var(--code-active-line)' },
  '.cm-selectionMatch': { backgroundColor: 'var(--code-selection-match)' },
  '&.cm-focused .cm-matchingBracket': {
    backgroundColor: 'var(--code-bracket)',
    outline: '1px solid var(--code-bracket-border)',
  },
  '&.cm-focused .cm-nonmatchingBracket': { backgroundColor: 'var(--danger-soft)' },
  '.cm-gutters': {
    backgroundColor: 'var(--surface)',
    color: 'var(--text-faint)',
    border: 'none',
    borderRight: '1px solid var(--border)',
    fontFamily: 'var(--font-mono)',
  },
  '.cm-lineNumbers .cm-gutterElement': { padding: '0 10px 0 14px', minWidth: '40px' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--code-active-line)', color: 'var(--text)' },
  '.cm-foldGutter .cm-gutterElement': { padding: '0 4px', color: 'var(--text-faint)' },
  '.cm-gutter-lint': { width: '18px' },
  '.cm-gutter-lint .cm-gutterElement': { padding: '0 2px' },
  '.cm-lintRange-error': {
    backgroundImage: 'none',
    textDecoration: 'underline wavy var(--danger)',
    textDecorationSkipInk: 'none',
    textUnderlineOffset: '3px',
  },
  '.cm-lintPoint-error:after': { borderBottomColor: 'var(--danger)' },
  '.cm-line.cm-errorLine': { backgroundColor: 'var(--code-error-line)' },
  '.cm-errorMessage': {
    marginLeft: '2.5em',
    padding: '0 8px',
    borderRadius: '4px',
    backgroundColor: 'var(--danger-soft)',
    color: 'var(--danger)',
    fontFamily: 'var(--font-sans)',
    fontSize: '12px',
    fontStyle: 'normal',
  },
  '.cm-tooltip': {
    border: '1px solid var(--border-strong)',
    borderRadius: '8px',
    backgroundColor: 'var(--surface)',
    color: 'var(--text)',
    boxShadow: 'var(--shadow-card-hover)',
    overflow: 'hidden',
  },
  '.cm-tooltip-lint': { padding: '0' },
  '.cm-diagnostic': { padding: '6px 10px', fontFamily: 'var(--font-sans)', fontSize: '13px' },
  '.cm-diagnostic-error': { borderLeft: '3px solid var(--danger)' },
  '.cm-tooltip.cm-tooltip-autocomplete > ul': { fontFamily: 'var(--font-mono)', maxHeight: '16em' },
  '.cm-tooltip.cm-tooltip-autocomplete > ul > li': { padding: '2px 10px' },
  '.cm-tooltip-autocomplete ul li[aria-selected]': {
    backgroundColor: 'var(--accent)',
    color: 'var(--on-accent)',
  },
  '.cm-completionDetail': { color: 'var(--text-faint)', fontStyle: 'normal', marginLeft: '1em' },
  '.cm-tooltip-autocomplete ul li[aria-selected] .cm-completionDetail': {
    color: 'var(--on-accent)',
  },
  '.cm-completionInfo': {
    padding: '6px 10px',
    fontFamily: 'var(--font-sans)',
    fontSize: '13px',
    maxWidth: '340px',
  },
  '.cm-tooltip-hover': { maxWidth: '460px' },
  '.cm-skwirl-help': { padding: '6px 10px', fontFamily: 'var(--font-sans)', fontSize: '13px' },
  '.cm-skwirl-help__signature': {
    display: 'block',
    marginBottom: '4px',
    fontFamily: 'var(--font-mono)',
    fontSize: '12.5px',
    color: 'var(--code-definition)',
    whiteSpace: 'pre-wrap',
  },
  '.cm-skwirl-help__info': { margin: '0', color: 'var(--text)' },
  '.cm-panels': {
    backgroundColor: 'var(--surface-sunken)',
    color: 'var(--text)',
    fontFamily: 'var(--font-sans)',
  },
  '.cm-panels.cm-panels-top': { borderBottom: '1px solid var(--border)' },
  '.cm-panels.cm-panels-bottom': { borderTop: '1px solid var(--border)' },
  '.cm-panel.cm-search': { padding: '8px 12px', fontSize: '13px' },
  '.cm-panel.cm-search input, .cm-panel.cm-search button': {
    font: 'inherit',
    color: 'var(--text)',
  },
  '.cm-textfield': {
    padding: '3px 8px',
    border: '1px solid var(--border-strong)',
    borderRadius: '6px',
    backgroundColor: 'var(--surface)',
  },
  '.cm-button': {
    padding: '3px 10px',
    border: '1px solid var(--border-strong)',
    borderRadius: '6px',
    backgroundImage: 'none',
    backgroundColor: 'var(--surface)',
  },
  '.cm-button:active': { backgroundImage: 'none', backgroundColor: 'var(--surface-sunken)' },
  '.cm-panel.cm-search [name=close]': { color: 'var(--text-muted)', fontSize: '18px' },
  '.cm-searchMatch': {
    backgroundColor: 'var(--code-search-match)',
    outline: '1px solid var(--code-bracket-border)',
  },
  '.cm-searchMatch.cm-searchMatch-selected': { backgroundColor: 'var(--code-search-current)' },
  '.cm-foldPlaceholder': {
    backgroundColor: 'var(--surface-sunken)',
    border: '1px solid var(--border)',
    color: 'var(--text-muted)',
    padding: '0 6px',
    borderRadius: '4px',
  },
  '.cm-specialChar': { color: 'var(--danger)' },
})

/**
 * A narrow window (a phone-sized browser, a thin side panel): long lines wrap instead of
 * scrolling sideways behind the gutters, and the gutters take less room: no fold gutter
 * (folding stays on the keyboard: Ctrl-Shift-[ and ]).
 */
export const wideLayout: Extension = foldGutter({ openText: '▾', closedText: '▸' })

export const narrowLayout: Extension = [
  EditorView.lineWrapping,
  // Over the editor's own theme, which comes earlier and would otherwise win.
  Prec.highest(
    EditorView.theme({
      '.cm-lineNumbers .cm-gutterElement': { padding: '0 4px 0 6px', minWidth: '0' },
      '.cm-line': { padding: '0 8px 0 4px' },
    }),
  ),
]

/**
 * Typing or an input method replacing a selection: CodeMirror makes the change itself. Left to
 * the browser, Chromium's editing copies the look of the highlighted tokens it removes into
 * style attributes (<span style=…>) before CodeMirror redraws the line; the page's CSP
 * (style-src 'self') refuses them and the console reports a violation for each.
 */
const replaceSelectionAsTransaction = EditorView.domEventHandlers({
  beforeinput(event, view) {
    if (event.isComposing || view.composing) return false
    if (event.inputType !== 'insertText' && event.inputType !== 'insertReplacementText')
      return false
    const { state } = view
    if (state.selection.ranges.every((range) => range.empty)) return false
    const text = event.data ?? event.dataTransfer?.getData('text/plain') ?? null
    if (text === null) return false
    event.preventDefault()
    const main = state.selection.main
    // Input handlers first (closeBrackets wraps a selection in the bracket typed over it).
    const handled = state
      .facet(EditorView.inputHandler)
      .some((handler) =>
        handler(view, main.from, main.to, text, () =>
          state.update(state.replaceSelection(text), { userEvent: 'input.type' }),
        ),
      )
    if (!handled) {
      view.dispatch(state.replaceSelection(text), {
        userEvent: 'input.type',
        scrollIntoView: true,
      })
    }
    return true
  },
})

export interface LuaSetupOptions {
  label: string
  onSave: () => void
}

/** Everything the editor is built with, except its document and the listener for changes. */
export function luaEditorExtensions(options: LuaSetupOptions): Extension[] {
  return [
    lineNumbers(),
    lintGutter(),
    // The fold gutter comes with wideLayout: a narrow editor has no room for it.
    foldByIndentation,
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    history(),
    drawSelection(),
    dropCursor(),
    EditorState.allowMultipleSelections.of(true),
    indentOnInput(),
    indentUnit.of('  '),
    EditorState.tabSize.of(2),
    luaLanguage,
    syntaxHighlighting(luaHighlight),
    bracketMatching(),
    closeBrackets(),
    autocompletion({ override: [skwirlCompletions, completeAnyWord], icons: false }),
    skwirlHover,
    rectangularSelection(),
    crosshairCursor(),
    highlightActiveLine(),
    highlightSelectionMatches(),
    search({ top: true }),
    keymap.of([
      {
        key: 'Mod-s',
        preventDefault: true,
        run: () => {
          options.onSave()
          return true
        },
      },
      ...closeBracketsKeymap,
      ...defaultKeymap,
      ...searchKeymap,
      ...historyKeymap,
      ...foldKeymap,
      ...completionKeymap,
      ...lintKeymap,
      indentWithTab,
    ]),
    // tabindex: the content is focusable anyway (contenteditable); saying so lets checkers
    // (axe's scrollable-region-focusable) see that the scroller holds something to focus.
    EditorView.contentAttributes.of({ 'aria-label': options.label, tabindex: '0' }),
    replaceSelectionAsTransaction,
    editorTheme,
  ]
}
