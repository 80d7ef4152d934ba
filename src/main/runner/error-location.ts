// Where a provider's error happened, for the log and `skwirl run --json`: the message gains the
// provider's function ("Dropbox:42: in list_file_ids: HTTP 401: …"), read from the stack of the
// coroutine that failed (Lua keeps a dead coroutine's frames, as debug.traceback(co) uses).
import { lua, lauxlib, to_jsstring, type LuaDebug, type LuaState } from 'fengari'

interface Frame {
  line: number
  /** What to call the function: its name, "the main chunk", or "the function at line N". */
  name: string
  chunk: string
}

/**
 * The message with " in <function>:" after its "<chunk>:<line>:" position, or with the
 * position and function in front when it has none. An error raised elsewhere and passed on
 * (error(err, 0), a coroutine's error) names where it surfaced: "in f (line 12)". Unchanged when
 * no frame of the provider's chunk is on the stack.
 */
export function locateError(co: LuaState, chunkSource: string, message: string): string {
  const frames = providerFrames(co, chunkSource)
  const first = frames[0]
  if (!first) return message
  const position = /^(.*?):(\d+): /.exec(message)
  if (position && position[1] === first.chunk) {
    const rest = message.slice(position[0].length)
    const frame = frames.find((f) => f.line === Number(position[2]))
    if (frame) return `${position[0]}in ${frame.name}: ${rest}`
    return `${position[0]}in ${first.name} (line ${first.line}): ${rest}`
  }
  return `${first.chunk}:${first.line}: in ${first.name}: ${message}`
}

function providerFrames(co: LuaState, chunkSource: string): Frame[] {
  const frames: Frame[] = []
  const top = lua.lua_gettop(co)
  try {
    for (let level = 0; level < 200; level++) {
      const ar = new lua.lua_Debug()
      if (!lua.lua_getstack(co, level, ar)) break
      lauxlib.luaL_checkstack(co, 4, null)
      lua.lua_getinfo(co, 'Slnf', ar)
      const source = ar.source ? to_jsstring(ar.source, undefined, undefined, true) : ''
      if (source === chunkSource && ar.currentline > 0) {
        frames.push({
          line: ar.currentline,
          name: functionName(co, ar),
          chunk: ar.short_src ? to_jsstring(ar.short_src, undefined, undefined, true) : source,
        })
      }
      lua.lua_settop(co, top)
    }
  } catch {
    // A stack that cannot be read (it should not happen) leaves the message as it was.
  } finally {
    lua.lua_settop(co, top)
  }
  return frames
}

/** The function on top of co's stack (pushed by getinfo's "f") as the message names it. */
function functionName(co: LuaState, ar: LuaDebug): string {
  const what = ar.what ? to_jsstring(ar.what) : ''
  if (what === 'main') return 'the main chunk'
  const global = globalNameOf(co)
  if (global) return global
  if (ar.name) return to_jsstring(ar.name, undefined, undefined, true)
  return `the function at line ${ar.linedefined}`
}

/** The name of a global that holds the function on top of the stack, if one does. */
function globalNameOf(co: LuaState): string | null {
  const fn = lua.lua_gettop(co)
  lua.lua_rawgeti(co, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS)
  const globals = lua.lua_gettop(co)
  lua.lua_pushnil(co)
  while (lua.lua_next(co, globals) !== 0) {
    if (lua.lua_type(co, -2) === lua.LUA_TSTRING && lua.lua_rawequal(co, -1, fn)) {
      const name = to_jsstring(lua.lua_tolstring(co, -2), undefined, undefined, true)
      lua.lua_settop(co, fn)
      return name
    }
    lua.lua_pop(co, 1)
  }
  lua.lua_settop(co, fn)
  return null
}
