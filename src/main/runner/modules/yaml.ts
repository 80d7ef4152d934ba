// The yaml module: YAML 1.2 text into Lua values, parse only, with the safe (core) schema: maps,
// sequences, strings, numbers, booleans and null, nothing else. Parsing is eemeli's `yaml` (held
// against the YAML test suite); this file decides what a provider may not do: tags beyond the
// core schema (no objects built from tags), keys that are collections, alias expansion bombs,
// duplicate keys, and documents over the size cap.
import { lua, to_luastring, type LuaState } from 'fengari'
import type * as Yaml from 'yaml'
import { bytesAt, decodeUtf8, raise, typeName } from '../lua-values'
import { JsonError, pushJson, pushNull } from './json'
import { lazyRequire } from './lazy-require'

const yamlLibrary = lazyRequire<typeof Yaml>('yaml')

/** The largest text yaml.decode reads. */
export const YAML_MAX_BYTES = 16 * 1024 * 1024
/** Aliases a document may expand (the billion-laughs defence, counted in expanded nodes). */
const MAX_ALIAS_COUNT = 1000

export class YamlError extends Error {
  override name = 'YamlError'
}

/** Parses every document of a YAML stream into plain JavaScript values (null for null). */
export function parseYaml(bytes: Uint8Array): unknown[] {
  if (bytes.length > YAML_MAX_BYTES) {
    throw new YamlError(
      `the text is ${bytes.length} bytes; yaml.decode reads at most ${YAML_MAX_BYTES / 1024 / 1024} MiB`,
    )
  }
  let text = decodeUtf8(bytes)
  if (text === null) throw new YamlError('the text is not valid UTF-8')
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  const { isCollection, parseAllDocuments, visit } = yamlLibrary()
  const parsed = parseAllDocuments(text, {
    version: '1.2',
    schema: 'core',
    customTags: [],
    merge: false,
    resolveKnownTags: false,
    uniqueKeys: true,
    strict: true,
    prettyErrors: true,
    logLevel: 'silent',
  })
  // A bare "..." (or comments before it) ends a document that never started: not a document.
  const documents: Yaml.Document[] = (Array.isArray(parsed) ? parsed : []).filter(
    (doc) => doc.directives.docStart === true || !isEmptyRange(doc.range) || doc.errors.length > 0,
  )
  return documents.map((doc) => {
    const error = doc.errors[0]
    if (error) throw new YamlError(oneLine(error.message))
    const unresolved = doc.warnings.find((warning) => warning.code === 'TAG_RESOLVE_FAILED')
    if (unresolved) {
      throw new YamlError(
        `${oneLine(unresolved.message)} (yaml.decode reads the core schema only: maps, sequences, strings, numbers, booleans and null)`,
      )
    }
    visit(doc, {
      Pair(_, pair) {
        if (isCollection(pair.key)) {
          const at = pair.key.range ? ` at offset ${pair.key.range[0]}` : ''
          throw new YamlError(`a mapping key${at} is a map or a sequence; keys must be scalars`)
        }
      },
    })
    try {
      return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
    } catch (thrown) {
      throw new YamlError(oneLine(thrown instanceof Error ? thrown.message : String(thrown)))
    }
  })
}

function isEmptyRange(range: readonly number[]): boolean {
  return range[0] === range[1]
}

/** The first line of yaml's message (its pretty form adds the source line and a caret). */
function oneLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/:$/, '')
}

/** Registers yaml's functions into a new table on top of the stack. */
export function openYaml(L: LuaState): void {
  lua.lua_createtable(L, 0, 3)
  lua.lua_pushjsfunction(L, (S) => yamlDecode(S, false))
  lua.lua_setfield(L, -2, to_luastring('decode'))
  lua.lua_pushjsfunction(L, (S) => yamlDecode(S, true))
  lua.lua_setfield(L, -2, to_luastring('decode_all'))
  // YAML's null is JSON's: one sentinel, so that json.encode(yaml.decode(text)) says null.
  pushNull(L)
  lua.lua_setfield(L, -2, to_luastring('null'))
}

function yamlDecode(L: LuaState, all: boolean): number {
  const fn = all ? 'yaml.decode_all' : 'yaml.decode'
  const bytes = bytesAt(L, 1)
  if (bytes === null) {
    raise(L, `${fn}: the text (argument 1) must be a string, got ${typeName(L, 1)}`)
  }
  let failure: string | null = null
  try {
    const documents = parseYaml(bytes)
    if (all) {
      pushJson(L, documents, 'sentinel')
    } else if (documents.length > 1) {
      failure = `the text holds ${documents.length} documents; use yaml.decode_all to read them all`
    } else if (documents.length === 0) {
      lua.lua_pushnil(L)
    } else {
      pushJson(L, documents[0], 'sentinel')
    }
  } catch (error) {
    if (!(error instanceof YamlError || error instanceof JsonError)) throw error
    failure = error.message
  }
  if (failure !== null) raise(L, `${fn}: ${failure}`)
  return 1
}
