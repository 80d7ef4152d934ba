// Just enough of fengari's API (Lua 5.3 in JavaScript) for the runner. Lua strings are byte
// arrays; `LuaString` is how fengari represents them.
declare module 'fengari' {
  export type LuaString = Uint8Array
  export interface LuaState {
    readonly __luaState: unique symbol
  }
  export type LuaJsFunction = (L: LuaState) => number
  export type LuaKFunction = (L: LuaState, status: number, ctx: number) => number
  export type LuaHook = (L: LuaState, ar: unknown) => void
  /** What lua_getstack/lua_getinfo fill in (the fields asked for with "Slnf"). */
  export class LuaDebug {
    name: LuaString | null
    namewhat: LuaString | null
    what: LuaString | null
    source: LuaString | null
    short_src: LuaString | null
    currentline: number
    linedefined: number
  }

  export function to_luastring(s: string, cache?: boolean): LuaString
  export function to_jsstring(
    s: LuaString,
    from?: number,
    to?: number,
    replacement_char?: boolean,
  ): string

  export const lua: {
    lua_Debug: typeof LuaDebug
    LUA_OK: number
    LUA_YIELD: number
    LUA_ERRRUN: number
    LUA_ERRSYNTAX: number
    LUA_ERRMEM: number
    LUA_ERRERR: number
    LUA_MULTRET: number
    LUA_REGISTRYINDEX: number
    LUA_RIDX_GLOBALS: number
    LUA_MASKCOUNT: number
    LUA_TNONE: number
    LUA_TNIL: number
    LUA_TBOOLEAN: number
    LUA_TLIGHTUSERDATA: number
    LUA_TNUMBER: number
    LUA_TSTRING: number
    LUA_TTABLE: number
    LUA_TFUNCTION: number
    LUA_TUSERDATA: number
    LUA_TTHREAD: number
    lua_absindex(L: LuaState, idx: number): number
    lua_atnativeerror(L: LuaState, f: LuaJsFunction): void
    lua_concat(L: LuaState, n: number): void
    lua_createtable(L: LuaState, narr: number, nrec: number): void
    lua_dump(
      L: LuaState,
      writer: (L: LuaState, bytes: Uint8Array, size: number, data: unknown) => number,
      data: unknown,
      strip: number,
    ): number
    lua_error(L: LuaState): number
    lua_getfield(L: LuaState, idx: number, k: string | LuaString): number
    lua_gettable(L: LuaState, idx: number): number
    /** Pushes t[n], metamethods included (as ipairs reads); answers its type. */
    lua_geti(L: LuaState, idx: number, n: number): number
    lua_getglobal(L: LuaState, name: string | LuaString): number
    lua_getinfo(L: LuaState, what: string | LuaString, ar: LuaDebug): number
    lua_getmetatable(L: LuaState, idx: number): boolean
    lua_getstack(L: LuaState, level: number, ar: LuaDebug): number
    lua_gettop(L: LuaState): number
    lua_insert(L: LuaState, idx: number): void
    lua_replace(L: LuaState, idx: number): void
    lua_isinteger(L: LuaState, idx: number): boolean
    lua_isyieldable(L: LuaState): boolean
    lua_newtable(L: LuaState): void
    lua_newthread(L: LuaState): LuaState
    lua_newuserdata(L: LuaState, size: number): unknown
    lua_next(L: LuaState, idx: number): number
    lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number
    lua_call(L: LuaState, nargs: number, nresults: number): void
    lua_remove(L: LuaState, idx: number): void
    lua_isnil(L: LuaState, idx: number): boolean
    lua_pop(L: LuaState, n: number): void
    lua_pushboolean(L: LuaState, b: boolean): void
    lua_pushinteger(L: LuaState, n: number): void
    lua_pushjsfunction(L: LuaState, f: LuaJsFunction): void
    lua_pushjsclosure(L: LuaState, f: LuaJsFunction, n: number): void
    lua_pushlightuserdata(L: LuaState, p: unknown): void
    lua_pushnil(L: LuaState): void
    lua_pushnumber(L: LuaState, n: number): void
    lua_pushstring(L: LuaState, s: LuaString | string): void
    lua_pushvalue(L: LuaState, idx: number): void
    lua_rawequal(L: LuaState, a: number, b: number): boolean
    lua_rawget(L: LuaState, idx: number): number
    lua_rawgeti(L: LuaState, idx: number, n: number): number
    lua_rawlen(L: LuaState, idx: number): number
    lua_remove(L: LuaState, idx: number): void
    lua_rawset(L: LuaState, idx: number): void
    lua_rawseti(L: LuaState, idx: number, n: number): void
    lua_resume(L: LuaState, from: LuaState | null, nargs: number): number
    lua_setfield(L: LuaState, idx: number, k: string | LuaString): void
    lua_setglobal(L: LuaState, name: string | LuaString): void
    lua_sethook(L: LuaState, f: LuaHook | null, mask: number, count: number): void
    lua_setmetatable(L: LuaState, idx: number): void
    lua_settop(L: LuaState, idx: number): void
    lua_toboolean(L: LuaState, idx: number): boolean
    lua_tojsstring(L: LuaState, idx: number): string
    /** Only called on strings here (it is null for values that are not strings or numbers). */
    lua_tolstring(L: LuaState, idx: number): LuaString
    lua_tonumber(L: LuaState, idx: number): number
    lua_tostring(L: LuaState, idx: number): LuaString | null
    lua_tocfunction(L: LuaState, idx: number): LuaJsFunction | null
    lua_topointer(L: LuaState, idx: number): unknown
    lua_touserdata(L: LuaState, idx: number): unknown
    lua_type(L: LuaState, idx: number): number
    lua_typename(L: LuaState, t: number): LuaString
    lua_upvalueindex(i: number): number
    lua_xmove(from: LuaState, to: LuaState, n: number): void
    lua_yield(L: LuaState, n: number): number
    lua_yieldk(L: LuaState, n: number, ctx: number, k: LuaKFunction): number
  }

  export const lauxlib: {
    luaL_newstate(): LuaState
    luaL_ref(L: LuaState, t: number): number
    luaL_unref(L: LuaState, t: number, ref: number): void
    luaL_checkstack(L: LuaState, sz: number, msg: string | null): void
    luaL_error(L: LuaState, fmt: string | LuaString, ...args: unknown[]): number
    luaL_loadbufferx(
      L: LuaState,
      buff: LuaString,
      size: number,
      name: LuaString | string,
      mode: LuaString | string | null,
    ): number
    luaL_requiref(L: LuaState, modname: string | LuaString, openf: LuaJsFunction, glb: number): void
    luaL_tolstring(L: LuaState, idx: number): LuaString
    luaL_traceback(L: LuaState, L1: LuaState, msg: LuaString | string | null, level: number): void
    luaL_typename(L: LuaState, idx: number): LuaString
    luaL_where(L: LuaState, level: number): void
  }

  export const lualib: {
    luaopen_base: LuaJsFunction
    luaopen_coroutine: LuaJsFunction
    luaopen_table: LuaJsFunction
    luaopen_string: LuaJsFunction
    luaopen_math: LuaJsFunction
    luaopen_utf8: LuaJsFunction
    luaopen_os: LuaJsFunction
  }
}

// Internals of fengari 0.1.5 (pinned), for the runner's hot paths only (fengari-fast.ts): a Lua
// string object made from bytes without copying them, pushing values onto the stack, and tables
// built directly (a listing page's JSON). fengari-fast.ts checks them once per state.
declare module 'fengari/src/lstring.js' {
  import type { LuaState, LuaString } from 'fengari'
  export interface TString {
    readonly realstring: LuaString
  }
  export function luaS_bless(L: LuaState, bytes: LuaString): TString
  /** The string's hash (a table key's), computed once and kept on the string. */
  export function luaS_hashlongstr(ts: TString): unknown
}
declare module 'fengari/src/lobject.js' {
  import type { LuaState } from 'fengari'
  import type { TString } from 'fengari/src/lstring.js'
  export function pushsvalue2s(L: LuaState, ts: TString): void
  /** Pushes a copy of the value. */
  export function pushobj2s(L: LuaState, value: TValue): void
  export class TValue {
    constructor(type: number, value: unknown)
    type: number
    value: unknown
  }
}
declare module 'fengari/src/ltable.js' {
  import type { LuaState } from 'fengari'
  import type { TValue } from 'fengari/src/lobject.js'
  /** One key/value of a table, in its insertion-ordered list (what `next` walks). */
  export interface TableEntry {
    key: TValue
    value: TValue | undefined
    p: TableEntry | null | undefined
    n: TableEntry | undefined
  }
  export interface Table {
    strong: Map<unknown, TableEntry>
    f: TableEntry | undefined
    l: TableEntry | undefined
    metatable: Table | null
    /** The metamethod-absence cache of a table used as a metatable (0: nothing known). */
    flags: number
  }
  export function luaH_new(L: LuaState): Table
}
declare module 'fengari/src/defs.js' {
  export const constant_types: {
    LUA_TBOOLEAN: number
    LUA_TLNGSTR: number
    LUA_TSHRSTR: number
    LUA_TNIL: number
    LUA_TNUMFLT: number
    LUA_TNUMINT: number
    LUA_TTABLE: number
    LUA_TUSERDATA: number
  }
}
