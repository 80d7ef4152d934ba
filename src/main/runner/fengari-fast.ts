// Strings between JavaScript and fengari on the runner's hot paths (a listing's JSON, every id,
// every metadata field). fengari's own conversions build a JavaScript string one character at
// a time (a rope of as many pieces as the string has bytes, until it is flattened), copy every
// pushed string once more, and hash a string used as a table key by writing out its bytes in
// hex, again for every new copy of the same key. Here ASCII (nearly every id and key) takes a
// direct path, a pushed string's bytes are not copied again, and the keys of JSON objects are
// pushed as one Lua string each, hashed once. A JSON value's tables are built directly, as
// lua_createtable and lua_rawset would leave them, without a trip through the stack per field.
import { lua, lauxlib, to_jsstring, type LuaState, type LuaString } from 'fengari'
import { constant_types as T } from 'fengari/src/defs.js'
import { pushobj2s, pushsvalue2s, TValue } from 'fengari/src/lobject.js'
import { luaS_bless, luaS_hashlongstr, type TString } from 'fengari/src/lstring.js'
import { luaH_new, type Table, type TableEntry } from 'fengari/src/ltable.js'

export type { Table } from 'fengari/src/ltable.js'

const encoder = new TextEncoder()
/** Short strings are decoded with one String.fromCharCode call (its arguments are limited). */
const DIRECT_DECODE_MAX = 256

/** The string's UTF-8 bytes (a lone surrogate becomes U+FFFD, as with Buffer.from). */
export function encodeText(text: string): LuaString {
  const n = text.length
  const bytes = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0x80) return encoder.encode(text)
    bytes[i] = c
  }
  return bytes
}

/**
 * The bytes as a JavaScript string, exactly as fengari's to_jsstring makes it (which throws on
 * bytes that are not UTF-8), but flat and quick for ASCII.
 */
export function decodeText(bytes: LuaString): string {
  const n = bytes.length
  for (let i = 0; i < n; i++) {
    if ((bytes[i] as number) >= 0x80) return to_jsstring(bytes)
  }
  if (n <= DIRECT_DECODE_MAX) {
    return String.fromCharCode.apply(null, bytes as unknown as number[])
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, n).toString('latin1')
}

/** Pushes a JavaScript string as UTF-8 without a second copy of its bytes. */
export function pushTextFast(L: LuaState, text: string): void {
  pushsvalue2s(L, luaS_bless(L, encodeText(text)))
}

const KEYS_MAX = 4096
const keys = new Map<string, TString>()

/**
 * Pushes a table key (a JSON object's field name): the same Lua string object for the same
 * text, so fengari hashes it once. Keys are a small set in practice; the cache is bounded.
 */
export function pushKey(L: LuaState, key: string): void {
  pushsvalue2s(L, keyString(L, key))
}

/** The one Lua string for a key's text (see pushKey). */
function keyString(L: LuaState, key: string): TString {
  let ts = keys.get(key)
  if (ts === undefined) {
    if (keys.size >= KEYS_MAX) keys.clear()
    ts = luaS_bless(L, encodeText(key))
    keys.set(key, ts)
  }
  return ts
}

// Tables built directly. A fengari table is a Map from each key's hash to an entry, the entries
// also linked in insertion order (what `next` walks); a fresh table has no dead entries, so a new
// key is one entry at the end. Keys and values are fresh TValues, as lua_rawset makes them.

/** A new, empty table with this metatable (or none). */
export function newTable(L: LuaState, metatable: Table | null): Table {
  const t = luaH_new(L)
  t.metatable = metatable
  // As after lua_rawset: nothing known about metamethods (the table may become a metatable).
  t.flags = 0
  return t
}

function append(t: Table, hash: unknown, key: TValue, value: TValue): void {
  const entry: TableEntry = { key, value, p: t.l, n: undefined }
  if (t.l) t.l.n = entry
  else t.f = entry
  t.strong.set(hash, entry)
  t.l = entry
}

/** t[key] = value for a key not yet in t (a fresh table's). */
export function appendField(L: LuaState, t: Table, key: string, value: TValue): void {
  const ts = keyString(L, key)
  append(t, luaS_hashlongstr(ts), new TValue(T.LUA_TLNGSTR, ts), value)
}

/** t[index] = value for an integer index not yet in t. */
export function appendIndex(t: Table, index: number, value: TValue): void {
  append(t, index, new TValue(T.LUA_TNUMINT, index), value)
}

/** Values for the tables above (and for pushValue). */
export const textValue = (L: LuaState, text: string): TValue =>
  new TValue(T.LUA_TLNGSTR, luaS_bless(L, encodeText(text)))
/** A number as pushNumber pushes it: an integer when it fits fengari's 32 bits, else a float. */
export const numberValue = (n: number): TValue =>
  new TValue((n | 0) === n ? T.LUA_TNUMINT : T.LUA_TNUMFLT, n)
export const booleanValue = (b: boolean): TValue => new TValue(T.LUA_TBOOLEAN, b)
export const tableValue = (t: Table): TValue => new TValue(T.LUA_TTABLE, t)
/** The value of a full userdata as lua_topointer gives it (json.null). */
export const userdataValue = (u: unknown): TValue => new TValue(T.LUA_TUSERDATA, u)

/** Pushes a value (the stack must have room: lua_checkstack). */
export function pushValue(L: LuaState, value: TValue): void {
  pushobj2s(L, value)
}

/** The table at idx as fengari holds it (its metatable, for newTable). */
export function tableAt(L: LuaState, idx: number): Table {
  if (lua.lua_type(L, idx) !== lua.LUA_TTABLE) throw new Error('tableAt: not a table')
  return lua.lua_topointer(L, idx) as Table
}

/** Checks, once, that fengari's internals are what this file expects. */
export function checkFengariInternals(L: LuaState): void {
  const top = lua.lua_gettop(L)
  pushKey(L, 'k')
  pushTextFast(L, 'é')
  const ok =
    lua.lua_type(L, -2) === lua.LUA_TSTRING &&
    lua.lua_tojsstring(L, -2) === 'k' &&
    lua.lua_tojsstring(L, -1) === 'é' &&
    lua.lua_gettop(L) === top + 2
  lua.lua_settop(L, top)
  if (!ok) throw new Error("sandbox: fengari's internals are not as expected (strings)")
  if (!tablesAsExpected(L)) {
    lua.lua_settop(L, top)
    throw new Error("sandbox: fengari's internals are not as expected (tables)")
  }
}

/** A table built directly reads as one built with the API: fields, length, next, metatable. */
function tablesAsExpected(L: LuaState): boolean {
  const top = lua.lua_gettop(L)
  lauxlib.luaL_checkstack(L, 6, null)
  lua.lua_createtable(L, 0, 0)
  const mt = tableAt(L, -1)
  const t = newTable(L, mt)
  appendIndex(t, 1, textValue(L, 'one'))
  appendIndex(t, 2, numberValue(2.5))
  appendField(L, t, 'k', booleanValue(true))
  pushValue(L, tableValue(t))
  let ok = lua.lua_rawlen(L, -1) === 2
  ok &&= lua.lua_rawgeti(L, -1, 1) === lua.LUA_TSTRING && lua.lua_tojsstring(L, -1) === 'one'
  lua.lua_pop(L, 1)
  ok &&= lua.lua_getfield(L, -1, 'k') === lua.LUA_TBOOLEAN && lua.lua_toboolean(L, -1)
  lua.lua_pop(L, 1)
  // Written and read again through the API, then walked in insertion order.
  lua.lua_pushinteger(L, 7)
  lua.lua_setfield(L, -2, 'k')
  ok &&= lua.lua_getfield(L, -1, 'k') === lua.LUA_TNUMBER && lua.lua_tonumber(L, -1) === 7
  lua.lua_pop(L, 1)
  const keys: string[] = []
  lua.lua_pushnil(L)
  while (lua.lua_next(L, -2) !== 0) {
    lua.lua_pushvalue(L, -2)
    keys.push(lua.lua_tojsstring(L, -1))
    lua.lua_pop(L, 2)
  }
  ok &&= keys.join(',') === '1,2,k'
  ok &&= lua.lua_getmetatable(L, -1) && lua.lua_rawequal(L, -1, -3)
  lua.lua_settop(L, top)
  return ok
}

/**
 * lua_getfield for a key known in advance: the key's Lua string is made and hashed once (fengari
 * hashes a fresh copy of the key at every lua_getfield). Pushes t[key]; returns its type.
 */
export function getField(L: LuaState, idx: number, key: string): number {
  const t = lua.lua_absindex(L, idx)
  pushKey(L, key)
  return lua.lua_gettable(L, t)
}

const STRING_TAGS = new Set([T.LUA_TSHRSTR, T.LUA_TLNGSTR])

/** A table's raw t[key] for a string key (no metamethods); undefined when absent. */
function rawField(L: LuaState, t: Table, key: string): TValue | undefined {
  return t.strong.get(luaS_hashlongstr(keyString(L, key)))?.value
}

/** Whether reading t's missing keys runs nothing: no metatable, or one without __index. */
function readsRaw(L: LuaState, t: Table): boolean {
  return t.metatable === null || rawField(L, t.metatable, '__index') === undefined
}

/**
 * The byte strings of a list's items read directly from fengari's tables, as `ipairs` and
 * `item[field]` would read them when no __index is involved: each item a string, or a table
 * whose field is one. Null when that does not hold for the list or one of its items (a
 * metatable with __index, an item of another type, a missing field): read it through the API.
 */
export function rawIdBytes(L: LuaState, list: Table, field: string): LuaString[] | null {
  if (!readsRaw(L, list)) return null
  const hash = luaS_hashlongstr(keyString(L, field))
  const out: LuaString[] = []
  // Items' metatables: the same one (json's object marker) for a whole page, checked once.
  let plain: Table | null = null
  for (let i = 1; ; i++) {
    const item = list.strong.get(i)?.value
    if (item === undefined || item.type === T.LUA_TNIL) return out
    let value: TValue | undefined = item
    if (item.type === T.LUA_TTABLE) {
      const t = item.value as Table
      if (t.metatable !== null && t.metatable !== plain) {
        if (!readsRaw(L, t)) return null
        plain = t.metatable
      }
      value = t.strong.get(hash)?.value
    }
    if (value === undefined || !STRING_TAGS.has(value.type)) return null
    out.push((value.value as TString).realstring)
  }
}
