// skwirl.emit_file_ids' reading of a page's ids: straight from the Lua table, without a Lua loop
// (in fengari, a loop of `for _, f in ipairs(list) do skwirl.emit_file_id(f.id) end` costs
// several µs an id in the VM alone; this reads the same ids for a fraction of that).
import { lua, lauxlib, type LuaState } from 'fengari'
import { TEXT_LIMITS } from '../../shared/text-limits'
import { decodeText, getField, rawIdBytes, tableAt } from './fengari-fast'
import { typeName } from './lua-values'

/**
 * The ids of the list at idx, read as `ipairs` reads it (list[1], list[2], … up to the first
 * nil, metamethods included): each item an id, or a table whose `field` is the id. Each id is
 * checked as emit_file_id checks it (a non-empty string of UTF-8 text, at most
 * TEXT_LIMITS.fileText characters); the first bad item is reported through `fail`, naming it.
 */
export function readIds(
  L: LuaState,
  idx: number,
  field: string,
  fail: (message: string) => never,
): string[] {
  const list = lua.lua_absindex(L, idx)
  const fast = rawIdBytes(L, tableAt(L, list), field)
  if (fast !== null) {
    const ids = checkedIds(fast)
    if (ids !== null) return ids
  }
  // Through the API: metamethods run, and the first bad item is named.
  lauxlib.luaL_checkstack(L, 3, null)
  const top = lua.lua_gettop(L)
  const ids: string[] = []
  for (let i = 1; ; i++) {
    const type = lua.lua_geti(L, list, i)
    if (type === lua.LUA_TNIL) break
    let what = `list[${i}]`
    if (type === lua.LUA_TTABLE) {
      what = `list[${i}].${field}`
      getField(L, -1, field)
    }
    const id = idAt(L, what, fail)
    ids.push(id)
    lua.lua_settop(L, top)
  }
  lua.lua_settop(L, top)
  return ids
}

/** The ids as text, or null when one of them is not a good id. */
function checkedIds(items: Uint8Array[]): string[] | null {
  const ids = new Array<string>(items.length)
  for (let i = 0; i < items.length; i++) {
    const bytes = items[i] as Uint8Array
    if (bytes.length === 0) return null
    let id: string
    try {
      id = decodeText(bytes)
    } catch {
      return null
    }
    if (id.length > TEXT_LIMITS.fileText) return null
    ids[i] = id
  }
  return ids
}

/** The id on top of the stack, checked. */
function idAt(L: LuaState, what: string, fail: (message: string) => never): string {
  if (lua.lua_type(L, -1) !== lua.LUA_TSTRING) {
    return fail(`${what} must be a non-empty string id, got ${typeName(L, -1)}`)
  }
  const bytes = lua.lua_tolstring(L, -1)
  if (bytes.length === 0) return fail(`${what} must be a non-empty string id, got an empty string`)
  let id: string
  try {
    id = decodeText(bytes)
  } catch {
    return fail(`${what} is not UTF-8 text`)
  }
  if (id.length > TEXT_LIMITS.fileText) {
    return fail(
      `${what} is ${id.length.toLocaleString('en-US')} characters long; an id may be at most ${TEXT_LIMITS.fileText}`,
    )
  }
  return id
}
