// Completion and hover for Skwirl's Lua API in the editor: every host function, module and
// module member (src/shared/lua-api.ts), under its own name or a local it was required into
// (`local j = require "json"` → j.decode), module names inside require("…"), and Lua's own words.
import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete'
import { snippetCompletion } from '@codemirror/autocomplete'
import type { EditorState } from '@codemirror/state'
import { hoverTooltip, type Tooltip } from '@codemirror/view'
import { LUA_API, LUA_MODULES, type LuaApiEntry } from '../../../../shared/lua-api'

const BY_NAME = new Map(LUA_API.map((entry) => [entry.name, entry]))

const luaWords: Completion[] = [
  ...'and break do else elseif end false for function goto if in local nil not or repeat return then true until while'
    .split(' ')
    .map((label) => ({ label, type: 'keyword' })),
  ...'assert error ipairs next pairs pcall print rawequal rawget rawlen rawset select setmetatable getmetatable tonumber tostring type xpcall'
    .split(' ')
    .map((label) => ({ label, type: 'function' })),
  ...[
    'string.byte string.char string.find string.format string.gmatch string.gsub string.len string.lower string.match string.rep string.reverse string.sub string.upper',
    'table.concat table.insert table.move table.pack table.remove table.sort table.unpack',
    'math.abs math.ceil math.floor math.huge math.max math.maxinteger math.min math.random math.tointeger math.type',
    'os.clock os.date os.difftime os.time utf8.char utf8.codepoint utf8.len',
  ]
    .join(' ')
    .split(' ')
    .map((label) => ({ label, type: 'function' })),
]

const REQUIRE_LOCAL = /\blocal\s+([A-Za-z_]\w*)\s*=\s*require\s*\(?\s*["']([a-z0-9]+)["']/g

/** The locals the code requires modules into: `local j = require "json"` → j → json. */
export function moduleAliases(code: string): Map<string, string> {
  const aliases = new Map<string, string>()
  for (const match of code.matchAll(REQUIRE_LOCAL)) {
    const [, local, module] = match
    if ((LUA_MODULES as readonly string[]).includes(module as string) && local !== module) {
      aliases.set(local as string, module as string)
    }
  }
  return aliases
}

/** What the editor's help shows for an entry: its signature, then one line. */
function infoNode(entry: LuaApiEntry): () => Node {
  return () => {
    const box = document.createElement('div')
    box.className = 'cm-skwirl-help'
    const signature = document.createElement('code')
    signature.className = 'cm-skwirl-help__signature'
    signature.textContent = entry.signature
    const line = document.createElement('p')
    line.className = 'cm-skwirl-help__info'
    line.textContent = entry.info
    box.append(signature, line)
    return box
  }
}

function completionOf(entry: LuaApiEntry, label: string): Completion {
  const type =
    entry.kind === 'module'
      ? 'namespace'
      : entry.kind === 'value'
        ? 'constant'
        : entry.kind === 'provider-function'
          ? 'keyword'
          : 'function'
  const detail = entry.kind === 'provider-function' ? 'provider function' : entry.kind
  // Above the document's own words (completeAnyWord), which match loosely.
  const base: Completion = { label, type, detail, info: infoNode(entry), boost: 5 }
  if (!entry.snippet) return base
  // A local's completion inserts the local's name in the snippet.
  const snippet = label === entry.name ? entry.snippet : entry.snippet.replace(entry.name, label)
  return snippetCompletion(snippet, base)
}

/** Every API completion for this document (module members also under the locals they are in). */
function apiCompletions(code: string): Completion[] {
  const aliases = moduleAliases(code)
  const options = LUA_API.map((entry) => completionOf(entry, entry.name))
  for (const [local, module] of aliases) {
    for (const entry of LUA_API) {
      if (entry.name.startsWith(`${module}.`)) {
        options.push(completionOf(entry, `${local}${entry.name.slice(module.length)}`))
      }
    }
  }
  return options
}

/** Completion for provider code: module names in require("…"), the API, and Lua. */
export function skwirlCompletions(context: CompletionContext): CompletionResult | null {
  const inRequire = context.matchBefore(/\brequire\s*\(?\s*["'][a-z0-9]*$/)
  if (inRequire) {
    const from =
      inRequire.from +
      Math.max(inRequire.text.lastIndexOf('"'), inRequire.text.lastIndexOf("'")) +
      1
    return {
      from,
      options: LUA_MODULES.map((name) => completionOf(BY_NAME.get(name) as LuaApiEntry, name)).map(
        (option) => ({ ...option, apply: option.label }),
      ),
      validFor: /^[a-z0-9]*$/,
    }
  }
  const word = context.matchBefore(/[\w.]+/)
  if (!word || (word.from === word.to && !context.explicit)) return null
  return {
    from: word.from,
    options: [...apiCompletions(context.state.doc.toString()), ...luaWords],
    validFor: /^[\w.]*$/,
  }
}

/** The API entry named at pos (a dotted name, through a local it was required into), or null. */
export function apiAt(
  state: EditorState,
  pos: number,
): { entry: LuaApiEntry; from: number; to: number } | null {
  const line = state.doc.lineAt(pos)
  const text = line.text
  const at = pos - line.from
  let start = at
  let end = at
  while (start > 0 && /[\w.]/.test(text.charAt(start - 1))) start--
  while (end < text.length && /[\w]/.test(text.charAt(end))) end++
  if (start === end) return null
  // The name up to the part under the cursor: "skwirl.storage" over "storage" in skwirl.storage.get.
  const name = text.slice(start, end).replace(/^\.+/, '')
  const parts = name.split('.')
  const aliases = moduleAliases(state.doc.toString())
  const first = parts[0] as string
  if (aliases.has(first)) parts[0] = aliases.get(first) as string
  const full = parts.join('.')
  // inspect(…) called is the module's own function.
  const called = full === 'inspect' && /^\s*\(/.test(text.slice(end))
  const entry = BY_NAME.get(called ? 'inspect.inspect' : full)
  if (!entry) return null
  return {
    entry,
    from: line.from + start + (text.slice(start, end).length - name.length),
    to: line.from + end,
  }
}

/** Hovering a name of the API shows its signature and one line of help. */
export const skwirlHover = hoverTooltip((view, pos): Tooltip | null => {
  const found = apiAt(view.state, pos)
  if (!found) return null
  return {
    pos: found.from,
    end: found.to,
    above: true,
    create: () => ({ dom: infoNode(found.entry)() as HTMLElement }),
  }
})
