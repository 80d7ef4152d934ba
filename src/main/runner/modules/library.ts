// What the modules share: building a library table, and reading their arguments with errors
// that name the function, as OpenResty's ngx.* do.
import { lua, to_luastring, type LuaJsFunction, type LuaState } from 'fengari'
import { bytesAt, raise, typeName } from '../lua-values'

/** Pushes a new table holding the given functions. */
export function pushLibrary(L: LuaState, functions: Record<string, LuaJsFunction>): void {
  const entries = Object.entries(functions)
  lua.lua_createtable(L, 0, entries.length)
  for (const [name, fn] of entries) {
    lua.lua_pushjsfunction(L, fn)
    lua.lua_setfield(L, -2, to_luastring(name))
  }
}

/** The bytes of a string argument, or a Lua error naming the function and the argument. */
export function checkBytes(L: LuaState, idx: number, fn: string, what: string): Uint8Array {
  const bytes = bytesAt(L, idx)
  if (bytes === null) {
    raise(L, `${fn}: the ${what} (argument ${idx}) must be a string, got ${typeName(L, idx)}`)
  }
  return bytes
}

/** A number argument, or a Lua error naming the function and the argument. */
export function checkNumber(L: LuaState, idx: number, fn: string, what: string): number {
  if (lua.lua_type(L, idx) !== lua.LUA_TNUMBER) {
    raise(L, `${fn}: the ${what} (argument ${idx}) must be a number, got ${typeName(L, idx)}`)
  }
  return lua.lua_tonumber(L, idx)
}

/** True when the argument at idx was left out or is nil. */
export function isAbsent(L: LuaState, idx: number): boolean {
  const type = lua.lua_type(L, idx)
  return type === lua.LUA_TNIL || type === lua.LUA_TNONE
}
