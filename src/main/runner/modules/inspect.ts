// inspect(value): a readable, Lua-like rendering of any value (after kikito's inspect.lua). A
// table met twice, or inside itself, is shown once as <N>{…} and then as <table N>.
import { lua, lauxlib, type LuaState } from 'fengari'
import { getField } from '../fengari-fast'
import { decodeUtf8, pushText, raise, typeName } from '../lua-values'
import { isAbsent, pushLibrary } from './library'

export interface InspectOptions {
  /** Tables deeper than this are shown as {...}. */
  depth: number
  /** Everything on one line. */
  compact: boolean
}

const LINE_WIDTH = 72
const KEYWORDS = new Set(
  'and break do else elseif end false for function goto if in local nil not or repeat return then true until while'.split(
    ' ',
  ),
)
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/

export function openInspect(L: LuaState): void {
  pushLibrary(L, { inspect: luaInspect })
}

function luaInspect(L: LuaState): number {
  const options: InspectOptions = { depth: Infinity, compact: false }
  if (!isAbsent(L, 2)) {
    if (lua.lua_type(L, 2) !== lua.LUA_TTABLE) {
      raise(L, `inspect: the options (argument 2) must be a table, got ${typeName(L, 2)}`)
    }
    getField(L, 2, 'depth')
    if (lua.lua_type(L, -1) === lua.LUA_TNUMBER) options.depth = lua.lua_tonumber(L, -1)
    else if (lua.lua_type(L, -1) !== lua.LUA_TNIL) {
      raise(L, `inspect: options.depth must be a number, got ${typeName(L, -1)}`)
    }
    getField(L, 2, 'compact')
    options.compact = lua.lua_toboolean(L, -1)
    lua.lua_settop(L, 2)
  }
  lua.lua_settop(L, Math.max(lua.lua_gettop(L), 1))
  pushText(L, inspectValue(L, 1, options))
  return 1
}

/** Renders the value at idx. */
export function inspectValue(L: LuaState, idx: number, options: InspectOptions): string {
  return new Inspector(L, options).render(lua.lua_absindex(L, idx))
}

/** How keys sort: numbers, then strings (byte order), then booleans, then the rest. */
interface KeyOrder {
  slot: number
  rank: number
  number: number
  bytes: Buffer
}

class Inspector {
  private readonly seen = new Map<unknown, number>()
  private readonly ids = new Map<unknown, number>()
  private readonly rendered = new Set<unknown>()
  private nextId = 1
  private readonly nullValue: unknown

  constructor(
    private readonly L: LuaState,
    private readonly options: InspectOptions,
  ) {
    getField(L, lua.LUA_REGISTRYINDEX, 'skwirl.json.null')
    this.nullValue = lua.lua_topointer(L, -1)
    lua.lua_pop(L, 1)
  }

  render(idx: number): string {
    this.count(idx, 0)
    return this.value(idx, 0)
  }

  /** First pass: how often each table is reached, so shared ones get an id. */
  private count(idx: number, depth: number): void {
    const L = this.L
    if (lua.lua_type(L, idx) !== lua.LUA_TTABLE || depth > this.options.depth) return
    const table = lua.lua_topointer(L, idx)
    const times = (this.seen.get(table) ?? 0) + 1
    this.seen.set(table, times)
    if (times > 1) return
    lauxlib.luaL_checkstack(L, 4, 'inspect: nested too deeply')
    lua.lua_pushnil(L)
    while (lua.lua_next(L, idx) !== 0) {
      const top = lua.lua_gettop(L)
      this.count(top - 1, depth + 1)
      this.count(top, depth + 1)
      lua.lua_pop(L, 1)
    }
  }

  private value(idx: number, depth: number): string {
    const L = this.L
    switch (lua.lua_type(L, idx)) {
      case lua.LUA_TNIL:
      case lua.LUA_TNONE:
        return 'nil'
      case lua.LUA_TBOOLEAN:
        return lua.lua_toboolean(L, idx) ? 'true' : 'false'
      case lua.LUA_TNUMBER:
        return numberLiteral(lua.lua_tonumber(L, idx), lua.lua_isinteger(L, idx))
      case lua.LUA_TSTRING:
        return stringLiteral(lua.lua_tolstring(L, idx))
      case lua.LUA_TTABLE:
        return this.table(idx, depth)
      case lua.LUA_TUSERDATA:
        return lua.lua_topointer(L, idx) === this.nullValue ? 'json.null' : '<userdata>'
      default:
        return `<${typeName(L, idx)}>`
    }
  }

  private table(idx: number, depth: number): string {
    const L = this.L
    const table = lua.lua_topointer(L, idx)
    const known = this.ids.get(table)
    if (known !== undefined && this.rendered.has(table)) return `<table ${known}>`
    if (depth >= this.options.depth) return '{...}'
    this.rendered.add(table)
    let label = ''
    if ((this.seen.get(table) ?? 0) > 1) {
      const id = this.nextId++
      this.ids.set(table, id)
      label = `<${id}>`
    }
    lauxlib.luaL_checkstack(L, 6, 'inspect: nested too deeply')
    const items: string[] = []
    let length = 0
    for (;;) {
      if (lua.lua_rawgeti(L, idx, length + 1) === lua.LUA_TNIL) {
        lua.lua_pop(L, 1)
        break
      }
      length++
      items.push(this.value(lua.lua_gettop(L), depth + 1))
      lua.lua_pop(L, 1)
    }
    // The other keys, copied into a scratch table so they render in a stable order.
    lua.lua_newtable(L)
    const keys = lua.lua_gettop(L)
    const order: KeyOrder[] = []
    lua.lua_pushnil(L)
    while (lua.lua_next(L, idx) !== 0) {
      lua.lua_pop(L, 1)
      const isSequence =
        lua.lua_isinteger(L, -1) &&
        lua.lua_tonumber(L, -1) >= 1 &&
        lua.lua_tonumber(L, -1) <= length
      if (isSequence) continue
      const slot = order.length + 1
      order.push(keyOrder(L, -1, slot))
      lua.lua_pushvalue(L, -1)
      lua.lua_rawseti(L, keys, slot)
    }
    order.sort(
      (a, b) =>
        a.rank - b.rank ||
        (a.rank === 0 ? a.number - b.number : Buffer.compare(a.bytes, b.bytes)) ||
        a.slot - b.slot,
    )
    for (const { slot } of order) {
      lua.lua_rawgeti(L, keys, slot)
      const keyText = this.key(lua.lua_gettop(L), depth)
      lua.lua_pushvalue(L, -1)
      lua.lua_rawget(L, idx)
      items.push(`${keyText} = ${this.value(lua.lua_gettop(L), depth + 1)}`)
      lua.lua_pop(L, 2)
    }
    lua.lua_pop(L, 1)
    return label + this.wrap(items, depth)
  }

  private key(idx: number, depth: number): string {
    const L = this.L
    if (lua.lua_type(L, idx) === lua.LUA_TSTRING) {
      const text = decodeUtf8(lua.lua_tolstring(L, idx))
      if (text !== null && IDENTIFIER.test(text) && !KEYWORDS.has(text)) return text
    }
    return `[${this.value(idx, depth + 1)}]`
  }

  private wrap(items: string[], depth: number): string {
    if (items.length === 0) return '{}'
    const oneLine = `{ ${items.join(', ')} }`
    if (
      this.options.compact ||
      (oneLine.length + depth * 2 <= LINE_WIDTH && !items.some((item) => item.includes('\n')))
    ) {
      return oneLine
    }
    const inner = '  '.repeat(depth + 1)
    return `{\n${items.map((item) => inner + item).join(',\n')}\n${'  '.repeat(depth)}}`
  }
}

function keyOrder(L: LuaState, idx: number, slot: number): KeyOrder {
  const type = lua.lua_type(L, idx)
  if (type === lua.LUA_TNUMBER) {
    return { slot, rank: 0, number: lua.lua_tonumber(L, idx), bytes: Buffer.alloc(0) }
  }
  if (type === lua.LUA_TSTRING) {
    return { slot, rank: 1, number: 0, bytes: Buffer.from(lua.lua_tolstring(L, idx)) }
  }
  if (type === lua.LUA_TBOOLEAN) {
    return { slot, rank: 2, number: lua.lua_toboolean(L, idx) ? 1 : 0, bytes: Buffer.alloc(0) }
  }
  return { slot, rank: 3, number: 0, bytes: Buffer.from(typeName(L, idx)) }
}

/** A number as Lua source would write it (floats keep a ".0", as Lua's tostring shows them). */
export function numberLiteral(n: number, isInteger: boolean): string {
  if (isInteger) return String(n)
  if (Number.isNaN(n)) return '0/0'
  if (n === Infinity) return 'math.huge'
  if (n === -Infinity) return '-math.huge'
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return `${n.toFixed(0)}.0`
  return String(n)
}

/** A string as a Lua literal: UTF-8 text kept, control characters and other bytes escaped. */
export function stringLiteral(bytes: Uint8Array): string {
  const text = decodeUtf8(bytes)
  const escape = (code: number): string => {
    if (code === 0x5c) return '\\\\'
    if (code === 0x22) return '\\"'
    if (code === 0x0a) return '\\n'
    if (code === 0x0d) return '\\r'
    if (code === 0x09) return '\\t'
    // Three digits, so a digit that follows cannot join the escape.
    return `\\${String(code).padStart(3, '0')}`
  }
  if (text !== null) {
    // eslint-disable-next-line no-control-regex
    return `"${text.replace(/[\\"\u0000-\u001f\u007f]/g, (c) => escape(c.charCodeAt(0)))}"`
  }
  let out = '"'
  for (const b of bytes) {
    out += b === 0x5c || b === 0x22 || b < 0x20 || b >= 0x7f ? escape(b) : String.fromCharCode(b)
  }
  return `${out}"`
}
