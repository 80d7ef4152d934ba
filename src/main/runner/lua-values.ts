// Moving values between JavaScript and Lua: JSON bodies in, option tables and metadata out.
import { lua, lauxlib, to_luastring, to_jsstring, type LuaState } from 'fengari'

const INT32_MIN = -2147483648
const INT32_MAX = 2147483647

/** Pushes a JSON value: arrays 1-based, null as nil, numbers beyond 32 bits as exact floats. */
export function pushJson(L: LuaState, value: unknown): void {
  if (value === null || value === undefined) {
    lua.lua_pushnil(L)
  } else if (typeof value === 'string') {
    lua.lua_pushstring(L, to_luastring(value))
  } else if (typeof value === 'number') {
    // fengari's integers are 32-bit: anything larger stays a float, exact up to 2^53.
    if (Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) {
      lua.lua_pushinteger(L, value)
    } else {
      lua.lua_pushnumber(L, value)
    }
  } else if (typeof value === 'boolean') {
    lua.lua_pushboolean(L, value)
  } else if (Array.isArray(value)) {
    lauxlib.luaL_checkstack(L, 3, 'JSON nested too deeply')
    lua.lua_createtable(L, value.length, 0)
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      if (item === null || item === undefined) continue
      pushJson(L, item)
      lua.lua_rawseti(L, -2, i + 1)
    }
  } else if (typeof value === 'object') {
    lauxlib.luaL_checkstack(L, 3, 'JSON nested too deeply')
    const entries = Object.entries(value as Record<string, unknown>)
    lua.lua_createtable(L, 0, entries.length)
    for (const [key, item] of entries) {
      if (item === null || item === undefined) continue
      pushJson(L, item)
      lua.lua_setfield(L, -2, to_luastring(key))
    }
  } else {
    lua.lua_pushnil(L)
  }
}

export function typeName(L: LuaState, idx: number): string {
  return to_jsstring(lauxlib.luaL_typename(L, idx))
}

/** A string at idx, or null when the value there is not a string (numbers are not coerced). */
export function stringAt(L: LuaState, idx: number): string | null {
  return lua.lua_type(L, idx) === lua.LUA_TSTRING ? lua.lua_tojsstring(L, idx) : null
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
    const key = lua.lua_tojsstring(L, -2)
    const valueType = lua.lua_type(L, -1)
    if (valueType === lua.LUA_TSTRING) {
      out[key] = lua.lua_tojsstring(L, -1)
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
  const n = lua.lua_tonumber(L, idx)
  return Number.isInteger(n) ? n.toFixed(0) : String(n)
}

/** The text of a Lua error value; non-strings are named, never run (no __tostring here). */
export function errorText(L: LuaState, idx: number): string {
  const t = lua.lua_type(L, idx)
  if (t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER) return lua.lua_tojsstring(L, idx)
  return `(error object is a ${typeName(L, idx)} value)`
}
