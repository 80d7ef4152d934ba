// The json module, and the one way JSON crosses into and out of Lua (http bodies and
// skwirl.storage values too). JSON null is the json.null sentinel (or nil in http bodies); arrays
// and objects carry a marker metatable ({ __jsontype = "array" | "object" }) so that an empty
// array stays [] and an empty object stays {} when encoded again.
import { lua, lauxlib, to_luastring, type LuaState } from 'fengari'
import {
  bytesAt,
  decodeUtf8,
  numberText,
  pushNumber,
  pushText,
  raise,
  typeName,
} from '../lua-values'
import {
  appendField,
  appendIndex,
  booleanValue,
  decodeText,
  newTable,
  numberValue,
  pushKey,
  pushTextFast,
  pushValue,
  tableAt,
  tableValue,
  textValue,
  userdataValue,
  type Table,
} from '../fengari-fast'
import type { TValue } from 'fengari/src/lobject.js'

const NULL_KEY = 'skwirl.json.null'
const ARRAY_MT_KEY = 'skwirl.json.array'
const OBJECT_MT_KEY = 'skwirl.json.object'
const NULL = to_luastring(NULL_KEY)
const ARRAY_MT = to_luastring(ARRAY_MT_KEY)
const OBJECT_MT = to_luastring(OBJECT_MT_KEY)
/** As lua-cjson: deeper nesting is almost always a cycle or an attack. */
export const JSON_MAX_DEPTH = 1000

export class JsonError extends Error {
  override name = 'JsonError'
}

export interface EncodeOptions {
  /** The text of one level of indentation, or null for compact output. */
  indent: string | null
  sortKeys: boolean
  /** Escape every non-ASCII character and DEL as \uXXXX ("HTTP header safe" JSON). */
  ascii: boolean
}

export const COMPACT: EncodeOptions = { indent: null, sortKeys: false, ascii: false }

/** Creates json.null and the two marker metatables in the registry; call once per state. */
export function setUpJson(L: LuaState): void {
  lua.lua_newuserdata(L, 0)
  lua.lua_createtable(L, 0, 2)
  lua.lua_pushjsfunction(L, (S) => (lua.lua_pushstring(S, to_luastring('json.null')), 1))
  lua.lua_setfield(L, -2, to_luastring('__tostring'))
  lua.lua_pushstring(L, to_luastring('json.null'))
  lua.lua_setfield(L, -2, to_luastring('__metatable'))
  lua.lua_setmetatable(L, -2)
  lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, to_luastring(NULL_KEY))
  for (const [key, type] of [
    [ARRAY_MT_KEY, 'array'],
    [OBJECT_MT_KEY, 'object'],
  ] as const) {
    lua.lua_createtable(L, 0, 1)
    lua.lua_pushstring(L, to_luastring(type))
    lua.lua_setfield(L, -2, to_luastring('__jsontype'))
    lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, to_luastring(key))
  }
}

/** Pushes json.null. */
export function pushNull(L: LuaState): void {
  lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, NULL)
}

function isNull(L: LuaState, idx: number): boolean {
  const at = lua.lua_absindex(L, idx)
  pushNull(L)
  const same = lua.lua_rawequal(L, at, -1)
  lua.lua_pop(L, 1)
  return same
}

/**
 * Pushes a parsed JSON value: arrays 1-based with the array marker, objects with the object
 * marker, numbers beyond 32 bits as exact floats, null as json.null or (nulls: 'nil') as nil.
 * A listing page makes thousands of tables: they are built directly (fengari-fast.ts), each the
 * table lua_createtable and lua_rawset would make, with the markers and json.null fetched once.
 */
export function pushJson(L: LuaState, value: unknown, nulls: 'sentinel' | 'nil'): void {
  if (value === null || typeof value !== 'object') {
    pushScalar(L, value, nulls)
    return
  }
  lauxlib.luaL_checkstack(L, 4, 'JSON nested too deeply')
  const base = lua.lua_gettop(L)
  lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, ARRAY_MT)
  lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, OBJECT_MT)
  lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, NULL)
  const build: TableBuild = {
    L,
    array: tableAt(L, base + 1),
    object: tableAt(L, base + 2),
    nullValue: nulls === 'sentinel' ? userdataValue(lua.lua_topointer(L, base + 3)) : null,
  }
  lua.lua_settop(L, base)
  pushValue(L, tableValue(buildTable(build, value, 0)))
}

interface TableBuild {
  L: LuaState
  /** The marker metatables. */
  array: Table
  object: Table
  /** What a JSON null becomes inside a table: json.null, or null for nil (left out). */
  nullValue: TValue | null
}

function buildTable(build: TableBuild, value: object, depth: number): Table {
  if (depth >= JSON_MAX_DEPTH) throw new JsonError(`nested more than ${JSON_MAX_DEPTH} levels deep`)
  const { L } = build
  if (Array.isArray(value)) {
    const t = newTable(L, build.array)
    for (let i = 0; i < value.length; i++) {
      const item = valueOf(build, value[i], depth)
      if (item !== null) appendIndex(t, i + 1, item)
    }
    return t
  }
  const t = newTable(L, build.object)
  const record = value as Record<string, unknown>
  for (const key of Object.keys(record)) {
    const item = valueOf(build, record[key], depth)
    if (item !== null) appendField(L, t, key, item)
  }
  return t
}

/** A JSON value as a Lua value; null when it is left out (a null read as nil). */
function valueOf(build: TableBuild, item: unknown, depth: number): TValue | null {
  switch (typeof item) {
    case 'string':
      return textValue(build.L, item)
    case 'number':
      return numberValue(item)
    case 'boolean':
      return booleanValue(item)
    case 'object':
      if (item === null) return build.nullValue
      return tableValue(buildTable(build, item, depth + 1))
    default:
      return build.nullValue
  }
}

function pushScalar(L: LuaState, value: unknown, nulls: 'sentinel' | 'nil'): void {
  if (typeof value === 'string') pushTextFast(L, value)
  else if (typeof value === 'number') pushNumber(L, value)
  else if (typeof value === 'boolean') lua.lua_pushboolean(L, value)
  else if ((value === null || value === undefined) && nulls === 'sentinel') pushNull(L)
  else lua.lua_pushnil(L)
}

/** Parses JSON text (bytes, or text already decoded); throws JsonError with a readable reason. */
export function parseJson(bytes: Uint8Array | string): unknown {
  let text = typeof bytes === 'string' ? bytes : decodeUtf8(bytes)
  if (text === null) throw new JsonError('the text is not valid UTF-8')
  // RFC 8259 lets a parser ignore a byte order mark.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new JsonError(error instanceof Error ? error.message : String(error))
  }
}

/** The value's __jsontype marker ("array" or "object"), read raw from its metatable. */
function markerOf(L: LuaState, idx: number): string | null {
  if (!lua.lua_getmetatable(L, idx)) return null
  pushKey(L, '__jsontype')
  lua.lua_rawget(L, -2)
  const marker =
    lua.lua_type(L, -1) === lua.LUA_TSTRING ? decodeText(lua.lua_tolstring(L, -1)) : null
  lua.lua_pop(L, 2)
  return marker === 'array' || marker === 'object' ? marker : null
}

/** Encodes the value at idx as JSON text; throws JsonError naming where the problem is. */
export function encodeJson(L: LuaState, idx: number, options: EncodeOptions): string {
  const encoder = new Encoder(L, options)
  return encoder.value(lua.lua_absindex(L, idx), '$', 0)
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/

class Encoder {
  private readonly onPath = new Set<unknown>()

  constructor(
    private readonly L: LuaState,
    private readonly options: EncodeOptions,
  ) {}

  value(idx: number, path: string, depth: number): string {
    const L = this.L
    switch (lua.lua_type(L, idx)) {
      case lua.LUA_TNIL:
      case lua.LUA_TNONE:
        return 'null'
      case lua.LUA_TBOOLEAN:
        return lua.lua_toboolean(L, idx) ? 'true' : 'false'
      case lua.LUA_TNUMBER: {
        const n = lua.lua_tonumber(L, idx)
        if (!Number.isFinite(n)) {
          throw new JsonError(`cannot encode ${Number.isNaN(n) ? 'NaN' : 'infinity'} (at ${path})`)
        }
        return numberText(n)
      }
      case lua.LUA_TSTRING:
        return this.string(lua.lua_tolstring(L, idx), path)
      case lua.LUA_TTABLE:
        return this.table(idx, path, depth)
      case lua.LUA_TUSERDATA:
        if (isNull(L, idx)) return 'null'
        break
    }
    throw new JsonError(`cannot encode a ${typeName(L, idx)} value (at ${path})`)
  }

  private string(bytes: Uint8Array, path: string): string {
    const text = decodeUtf8(bytes)
    if (text === null) {
      throw new JsonError(
        `the string at ${path} is not valid UTF-8 (encode binary data with base64 first)`,
      )
    }
    const quoted = JSON.stringify(text)
    if (!this.options.ascii) return quoted
    return quoted.replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    )
  }

  private table(idx: number, path: string, depth: number): string {
    const L = this.L
    const table = lua.lua_topointer(L, idx)
    if (this.onPath.has(table)) throw new JsonError(`the table at ${path} contains itself`)
    if (depth >= JSON_MAX_DEPTH) {
      throw new JsonError(
        `the value is nested more than ${JSON_MAX_DEPTH} levels deep (at ${path})`,
      )
    }
    lauxlib.luaL_checkstack(L, 6, 'JSON nested too deeply')
    this.onPath.add(table)
    try {
      const marker = markerOf(L, idx)
      const shape = this.shape(idx, path, marker)
      return shape.kind === 'array'
        ? this.array(idx, path, depth, shape.length)
        : this.object(idx, path, depth)
    } finally {
      this.onPath.delete(table)
    }
  }

  /** Whether the table is an array (keys 1..n) or an object, by its marker or else its keys. */
  private shape(
    idx: number,
    path: string,
    marker: string | null,
  ): { kind: 'array'; length: number } | { kind: 'object' } {
    const L = this.L
    let positive = 0 // keys 1, 2, 3…
    let max = 0
    let strings = 0
    let otherNumber: string | null = null // 0, -1, 1.5: only an object can hold them
    let otherType: string | null = null // true, {}: no JSON can
    lua.lua_pushnil(L)
    while (lua.lua_next(L, idx) !== 0) {
      const keyType = lua.lua_type(L, -2)
      const n = keyType === lua.LUA_TNUMBER ? lua.lua_tonumber(L, -2) : NaN
      if (keyType === lua.LUA_TSTRING) strings++
      else if (keyType !== lua.LUA_TNUMBER) otherType ??= `a ${typeName(L, -2)} key`
      else if (lua.lua_isinteger(L, -2) && n > 0) {
        positive++
        max = Math.max(max, n)
      } else otherNumber ??= `the key ${numberText(n)}`
      lua.lua_pop(L, 1)
    }
    if (otherType) {
      throw new JsonError(
        `the table at ${path} has ${otherType}; JSON has arrays (keys 1..n) and objects (string keys)`,
      )
    }
    if (marker === 'array') {
      if (strings > 0 || otherNumber) {
        throw new JsonError(
          `the table at ${path} is marked as an array but has ${otherNumber ?? 'string keys'}; an array's keys are 1..n`,
        )
      }
      return { kind: 'array', length: max }
    }
    if (marker === 'object') return { kind: 'object' }
    if (otherNumber) {
      throw new JsonError(
        `the table at ${path} has ${otherNumber}; use json.object(t) to write number keys as strings`,
      )
    }
    if (positive === 0) return { kind: 'object' }
    if (strings === 0 && max === positive) return { kind: 'array', length: max }
    throw new JsonError(
      strings > 0
        ? `the table at ${path} mixes integer and string keys; use json.object(t) to encode the integers as strings`
        : `the table at ${path} has holes (keys up to ${max} but only ${positive} of them); use json.null for the gaps, or json.array(t) to fill them with null`,
    )
  }

  private array(idx: number, path: string, depth: number, length: number): string {
    const L = this.L
    const items: string[] = []
    for (let i = 1; i <= length; i++) {
      lua.lua_rawgeti(L, idx, i)
      items.push(this.value(lua.lua_gettop(L), `${path}[${i}]`, depth + 1))
      lua.lua_pop(L, 1)
    }
    return this.wrap('[', ']', items, depth)
  }

  private object(idx: number, path: string, depth: number): string {
    const L = this.L
    const members: Array<{ key: string; sortKey: Buffer; text: string }> = []
    lua.lua_pushnil(L)
    while (lua.lua_next(L, idx) !== 0) {
      let key: string
      if (lua.lua_type(L, -2) === lua.LUA_TSTRING) {
        const text = decodeUtf8(lua.lua_tolstring(L, -2))
        if (text === null) {
          lua.lua_pop(L, 2)
          throw new JsonError(`a key of the table at ${path} is not valid UTF-8`)
        }
        key = text
      } else {
        key = numberText(lua.lua_tonumber(L, -2))
      }
      const childPath = IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`
      const text = this.value(lua.lua_gettop(L), childPath, depth + 1)
      lua.lua_pop(L, 1)
      const member = `${this.string(Buffer.from(key, 'utf8'), childPath)}${this.options.indent === null ? ':' : ': '}${text}`
      members.push({ key, sortKey: Buffer.from(key, 'utf8'), text: member })
    }
    if (this.options.sortKeys) members.sort((a, b) => Buffer.compare(a.sortKey, b.sortKey))
    return this.wrap(
      '{',
      '}',
      members.map((m) => m.text),
      depth,
    )
  }

  private wrap(open: string, close: string, items: string[], depth: number): string {
    const indent = this.options.indent
    if (items.length === 0) return `${open}${close}`
    if (indent === null) return `${open}${items.join(',')}${close}`
    const inner = `\n${indent.repeat(depth + 1)}`
    return `${open}${inner}${items.join(`,${inner}`)}\n${indent.repeat(depth)}${close}`
  }
}

/** Registers json's functions into the table on top of the stack. */
export function openJson(L: LuaState): void {
  lua.lua_createtable(L, 0, 6)
  const set = (name: string, fn: (S: LuaState) => number): void => {
    lua.lua_pushjsfunction(L, fn)
    lua.lua_setfield(L, -2, to_luastring(name))
  }
  set('encode', jsonEncode)
  set('decode', jsonDecode)
  set('array', (S) => mark(S, 'array'))
  set('object', (S) => mark(S, 'object'))
  pushNull(L)
  lua.lua_setfield(L, -2, to_luastring('null'))
}

function jsonEncode(L: LuaState): number {
  const options = readEncodeOptions(L, 2)
  let result: string | JsonError
  try {
    result = encodeJson(L, 1, options)
  } catch (error) {
    if (!(error instanceof JsonError)) throw error
    result = error
  }
  if (result instanceof JsonError) raise(L, `json.encode: ${result.message}`)
  pushText(L, result)
  return 1
}

function readEncodeOptions(L: LuaState, idx: number): EncodeOptions {
  const type = lua.lua_type(L, idx)
  if (type === lua.LUA_TNIL || type === lua.LUA_TNONE) return COMPACT
  if (type !== lua.LUA_TTABLE) {
    raise(L, `json.encode: the options (argument 2) must be a table, got ${typeName(L, idx)}`)
  }
  lua.lua_getfield(L, idx, to_luastring('indent'))
  let indent: string | null = null
  if (lua.lua_type(L, -1) === lua.LUA_TBOOLEAN) {
    indent = lua.lua_toboolean(L, -1) ? '  ' : null
  } else if (lua.lua_type(L, -1) === lua.LUA_TNUMBER) {
    const n = lua.lua_tonumber(L, -1)
    if (!(Number.isInteger(n) && n >= 0 && n <= 10)) {
      raise(L, 'json.encode: options.indent must be true, a number of spaces (0 to 10) or a string')
    }
    indent = ' '.repeat(n)
  } else if (lua.lua_type(L, -1) === lua.LUA_TSTRING) {
    indent = lua.lua_tojsstring(L, -1)
    if (!/^[ \t]{0,10}$/.test(indent)) {
      raise(L, 'json.encode: options.indent as a string may hold only spaces and tabs (up to 10)')
    }
  } else if (lua.lua_type(L, -1) !== lua.LUA_TNIL) {
    raise(L, 'json.encode: options.indent must be true, a number of spaces (0 to 10) or a string')
  }
  lua.lua_pop(L, 1)
  const flag = (name: string): boolean => {
    lua.lua_getfield(L, idx, to_luastring(name))
    const on = lua.lua_toboolean(L, -1)
    lua.lua_pop(L, 1)
    return on
  }
  return { indent, sortKeys: flag('sort_keys'), ascii: flag('ascii') }
}

function jsonDecode(L: LuaState): number {
  const bytes = bytesAt(L, 1)
  if (bytes === null)
    raise(L, `json.decode: the text (argument 1) must be a string, got ${typeName(L, 1)}`)
  let failure: string | null = null
  try {
    pushJson(L, parseJson(bytes), 'sentinel')
  } catch (error) {
    if (!(error instanceof JsonError)) throw error
    failure = error.message
  }
  if (failure !== null) raise(L, `json.decode: ${failure}`)
  return 1
}

/** json.array(t) / json.object(t): marks t (a new table when left out) and returns it. */
function mark(L: LuaState, kind: 'array' | 'object'): number {
  const type = lua.lua_type(L, 1)
  if (type === lua.LUA_TNIL || type === lua.LUA_TNONE) {
    lua.lua_settop(L, 0)
    lua.lua_newtable(L)
  } else if (type !== lua.LUA_TTABLE) {
    raise(L, `json.${kind}: expected a table or nothing, got ${typeName(L, 1)}`)
  }
  lua.lua_settop(L, 1)
  if (lua.lua_getmetatable(L, 1)) {
    lua.lua_pushstring(L, to_luastring('__jsontype'))
    lua.lua_rawget(L, -2)
    const marked = lua.lua_type(L, -1) !== lua.LUA_TNIL
    lua.lua_pop(L, 2)
    if (!marked) {
      raise(
        L,
        `json.${kind}: the table already has a metatable; set __jsontype = "${kind}" in it instead`,
      )
    }
  }
  lua.lua_getfield(
    L,
    lua.LUA_REGISTRYINDEX,
    to_luastring(kind === 'array' ? ARRAY_MT_KEY : OBJECT_MT_KEY),
  )
  lua.lua_setmetatable(L, 1)
  return 1
}
