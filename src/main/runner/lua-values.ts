// Moving values between JavaScript and Lua: arguments in, numbers, bytes and errors out.
import { lua, lauxlib, to_luastring, to_jsstring, type LuaState } from 'fengari'
import { decodeText, pushTextFast } from './fengari-fast'

const INT32_MIN = -2147483648
const INT32_MAX = 2147483647
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Pushes a number: a Lua integer when it fits fengari's 32 bits, otherwise an (exact) float. */
export function pushNumber(L: LuaState, value: number): void {
  if (Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) {
    lua.lua_pushinteger(L, value)
  } else {
    lua.lua_pushnumber(L, value)
  }
}

/** Pushes a JavaScript string as UTF-8 (a lone surrogate becomes U+FFFD). */
export function pushText(L: LuaState, text: string): void {
  pushTextFast(L, text)
}

/** The bytes of the string at idx, or null when the value there is not a string. */
export function bytesAt(L: LuaState, idx: number): Uint8Array | null {
  return lua.lua_type(L, idx) === lua.LUA_TSTRING ? lua.lua_tolstring(L, idx) : null
}

/** Bytes as text, or null when they are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes)
  } catch {
    return null
  }
}

/**
 * A number as JSON and query strings want it: integers, and integral floats up to 2^53, without
 * ".0" or an exponent; other floats in their shortest exact form.
 */
export function numberText(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) <= 2 ** 53) return value.toFixed(0)
  return String(value)
}

/** Raises a Lua error with the caller's position, like luaL_error but without format codes. */
export function raise(L: LuaState, message: string): never {
  lauxlib.luaL_where(L, 1)
  lua.lua_pushstring(L, to_luastring(message))
  lua.lua_concat(L, 2)
  lua.lua_error(L)
  throw new Error('unreachable: lua_error returned')
}

export function typeName(L: LuaState, idx: number): string {
  return to_jsstring(lauxlib.luaL_typename(L, idx))
}

/** A string at idx, or null when the value there is not a string (numbers are not coerced). */
export function stringAt(L: LuaState, idx: number): string | null {
  return lua.lua_type(L, idx) === lua.LUA_TSTRING ? decodeText(lua.lua_tolstring(L, idx)) : null
}

/**
 * Reads a table of string keys to scalar values (headers, params) at idx. Numbers and booleans
 * become strings; anything else is reported through `fail`.
 */
export function readStringMap(
  L: LuaState,
  idx: number,
  what: string,
  fail: (message: string) => never,
): Record<string, string> {
  const out: Record<string, string> = {}
  const t = lua.lua_absindex(L, idx)
  if (lua.lua_type(L, t) === lua.LUA_TNIL) return out
  if (lua.lua_type(L, t) !== lua.LUA_TTABLE) fail(`${what} must be a table, got ${typeName(L, t)}`)
  lua.lua_pushnil(L)
  while (lua.lua_next(L, t) !== 0) {
    if (lua.lua_type(L, -2) !== lua.LUA_TSTRING) {
      lua.lua_pop(L, 2)
      fail(`${what} keys must be strings`)
    }
    const key = decodeText(lua.lua_tolstring(L, -2))
    const valueType = lua.lua_type(L, -1)
    if (valueType === lua.LUA_TSTRING) {
      out[key] = decodeText(lua.lua_tolstring(L, -1))
    } else if (valueType === lua.LUA_TNUMBER) {
      out[key] = formatNumber(L, -1)
    } else if (valueType === lua.LUA_TBOOLEAN) {
      out[key] = lua.lua_toboolean(L, -1) ? 'true' : 'false'
    } else {
      const got = typeName(L, -1)
      lua.lua_pop(L, 2)
      fail(`${what}.${key} must be a string, number or boolean, got ${got}`)
    }
    lua.lua_pop(L, 1)
  }
  return out
}

/** A Lua number as a query value: integers (even as floats) without a trailing ".0". */
function formatNumber(L: LuaState, idx: number): string {
  return numberText(lua.lua_tonumber(L, idx))
}

/** The text of a Lua error value; non-strings are named, never run (no __tostring here). */
export function errorText(L: LuaState, idx: number): string {
  const t = lua.lua_type(L, idx)
  if (t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER) return lua.lua_tojsstring(L, idx)
  return `(error object is a ${typeName(L, idx)} value)`
}
