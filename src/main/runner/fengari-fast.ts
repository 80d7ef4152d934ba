// Strings between JavaScript and fengari on the runner's hot paths (a listing's JSON, every id,
// every metadata field). fengari's own conversions build a JavaScript string one character at
// a time (a rope of as many pieces as the string has bytes, until it is flattened), copy every
// pushed string once more, and hash a string used as a table key by writing out its bytes in
// hex, again for every new copy of the same key. Here ASCII (nearly every id and key) takes a
// direct path, a pushed string's bytes are not copied again, and the keys of JSON objects are
// pushed as one Lua string each, hashed once.
import { lua, to_jsstring, type LuaState, type LuaString } from 'fengari'
import { pushsvalue2s } from 'fengari/src/lobject.js'
import { luaS_bless, type TString } from 'fengari/src/lstring.js'

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
  let ts = keys.get(key)
  if (ts === undefined) {
    if (keys.size >= KEYS_MAX) keys.clear()
    ts = luaS_bless(L, encodeText(key))
    keys.set(key, ts)
  }
  pushsvalue2s(L, ts)
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
