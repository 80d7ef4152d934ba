// One provider's Lua state: the sandboxed libraries, the host API and the coroutine driver that
// turns each host call into an awaited request to main.
import { lua, lauxlib, lualib, to_luastring, type LuaState, type LuaJsFunction } from 'fengari'
import type { CallContext, HostCall, HostReply } from '../../shared/runner-protocol'
import { PRELUDE } from './prelude-lua'
import { errorText, pushJson, readStringMap, stringAt, typeName } from './lua-values'

/** What a host call is answered with: the reply, or the message of the error it raises in Lua. */
export type HostAnswer = { ok: true; value: HostReply } | { ok: false; message: string }

export interface SandboxOptions {
  providerName: string
  cpuMs: number
  /** Performs a host call in main; rejects with the message to raise in Lua. */
  host: (call: HostCall, context: CallContext) => Promise<HostReply>
  emitFileId: (id: string) => void
  print: (text: string) => void
  /** Called on each download_url, with what the current file's metadata promised. */
  expectedDownload: () => { size: number; checksum: string } | null
}

export type CallResult<T> =
  { ok: true; value: T } | { ok: false; message: string; budgetSpent: boolean }

/** Why a host call made inside a callback that a builtin runs (not yieldable) fails. */
export const CANNOT_WAIT =
  'cannot wait for the host here: Lua cannot pause inside a function that a builtin calls (a table.sort comparator, a string.gsub function, a load reader, an xpcall message handler)'

/** The marker a yielding host function hands up; the prelude forwards it through coroutines. */
const HOST_MARKER = { hostCall: true }
const HOOK_EVERY = 10_000

export class BudgetSpentError extends Error {}

export class LuaSandbox {
  private readonly L: LuaState
  private pending: HostCall | null = null
  private answer: HostAnswer | null = null
  private budgetStart = process.cpuUsage()
  private spent = false
  private context: CallContext = { stage: 'load', fileId: null }
  private downloads = 0

  constructor(private readonly options: SandboxOptions) {
    const L = lauxlib.luaL_newstate()
    this.L = L
    lua.lua_atnativeerror(L, (S) => {
      const error = lua.lua_touserdata(S, -1)
      lua.lua_pushstring(
        S,
        to_luastring(`internal error: ${error instanceof Error ? error.message : String(error)}`),
      )
      return 1
    })
    const libs: Array<[string, LuaJsFunction]> = [
      ['_G', lualib.luaopen_base],
      ['coroutine', lualib.luaopen_coroutine],
      ['table', lualib.luaopen_table],
      ['string', lualib.luaopen_string],
      ['math', lualib.luaopen_math],
      ['utf8', lualib.luaopen_utf8],
      ['os', lualib.luaopen_os],
    ]
    for (const [name, open] of libs) {
      lauxlib.luaL_requiref(L, to_luastring(name), open, 1)
      lua.lua_pop(L, 1)
    }
    keepHooksThroughPcall(L, 'pcall')
    keepHooksThroughPcall(L, 'xpcall')
    this.registerHostApi()

    const status = lauxlib.luaL_loadbufferx(
      L,
      to_luastring(PRELUDE),
      -1,
      to_luastring('=sandbox'),
      to_luastring('t'),
    )
    if (status !== lua.LUA_OK) throw new Error(`sandbox prelude: ${errorText(L, -1)}`)
    lua.lua_pushlightuserdata(L, HOST_MARKER)
    lua.lua_pushstring(L, to_luastring(`http.get and skwirl.download_url ${CANNOT_WAIT}`))
    lua.lua_pushjsfunction(L, (S) => (lua.lua_pushboolean(S, this.spent), 1))
    // print and emit_file_id do not reset the CPU budget: they do not wait on the host, and a
    // loop around them is as runaway as any other.
    lua.lua_pushjsfunction(L, (S) => {
      this.options.print(lua.lua_tojsstring(S, 1))
      return 0
    })
    if (lua.lua_pcall(L, 4, 0, 0) !== lua.LUA_OK)
      throw new Error(`sandbox prelude: ${errorText(L, -1)}`)

    // Threads inherit the hook from the state they are created from, provider coroutines included.
    lua.lua_sethook(L, (S) => this.onCount(S), lua.LUA_MASKCOUNT, HOOK_EVERY)
  }

  /** Compiles and runs the provider's chunk (defining its functions). */
  async load(code: string): Promise<CallResult<void>> {
    const L = this.L
    const bytes = to_luastring(code)
    const status = lauxlib.luaL_loadbufferx(
      L,
      bytes,
      bytes.length,
      to_luastring(`=${this.options.providerName}`),
      to_luastring('t'),
    )
    if (status !== lua.LUA_OK) {
      const message = errorText(L, -1)
      lua.lua_pop(L, 1)
      return { ok: false, message, budgetSpent: false }
    }
    return this.drive({ stage: 'load', fileId: null }, 0, () => undefined)
  }

  hasGlobalFunction(name: string): boolean {
    const type = lua.lua_getglobal(this.L, to_luastring(name))
    lua.lua_pop(this.L, 1)
    return type === lua.LUA_TFUNCTION
  }

  /** Calls a global function with string arguments inside a fresh coroutine. */
  async call<T>(
    name: string,
    args: string[],
    context: CallContext,
    collect: (co: LuaState, results: number) => T,
  ): Promise<CallResult<T>> {
    lua.lua_getglobal(this.L, to_luastring(name))
    for (const arg of args) lua.lua_pushstring(this.L, to_luastring(arg))
    return this.drive(context, args.length, collect)
  }

  /** How many times download_url ran since the last reset. */
  takeDownloadCount(): number {
    const count = this.downloads
    this.downloads = 0
    return count
  }

  /**
   * Runs the function (and its args) on top of the main stack inside a new coroutine, answering
   * every host call it yields until it returns or fails.
   */
  private async drive<T>(
    context: CallContext,
    nargs: number,
    collect: (co: LuaState, results: number) => T,
  ): Promise<CallResult<T>> {
    const L = this.L
    const co = lua.lua_newthread(L)
    lua.lua_insert(L, -(nargs + 2))
    lua.lua_xmove(L, co, nargs + 1)
    this.context = context
    this.touch()
    let resumeArgs = nargs
    try {
      for (;;) {
        const status = lua.lua_resume(co, null, resumeArgs)
        resumeArgs = 0
        if (status === lua.LUA_YIELD) {
          const hostCall = lua.lua_gettop(co) === 1 && lua.lua_touserdata(co, 1) === HOST_MARKER
          lua.lua_settop(co, 0)
          if (this.spent) return { ok: false, message: this.budgetMessage(), budgetSpent: true }
          const call = this.pending
          this.pending = null
          // A plain yield must not run a host call left pending by one that could not yield.
          if (call === null || !hostCall) {
            return {
              ok: false,
              message: 'attempt to yield from outside a coroutine',
              budgetSpent: false,
            }
          }
          try {
            this.answer = { ok: true, value: await this.options.host(call, this.context) }
          } catch (error) {
            this.answer = {
              ok: false,
              message: error instanceof Error ? error.message : String(error),
            }
          }
          this.touch()
          continue
        }
        if (status === lua.LUA_OK) {
          return { ok: true, value: collect(co, lua.lua_gettop(co)) }
        }
        return { ok: false, message: errorText(co, -1), budgetSpent: false }
      }
    } finally {
      // Unanchor the coroutine so the collector can take it.
      lua.lua_pop(L, 1)
    }
  }

  private budgetMessage(): string {
    return `the script ran for more than ${Math.round(this.options.cpuMs / 1000)} s of CPU without calling the host and was stopped`
  }

  private touch(): void {
    this.budgetStart = process.cpuUsage()
  }

  private onCount(L: LuaState): void {
    if (!this.spent) {
      const used = process.cpuUsage(this.budgetStart)
      if ((used.user + used.system) / 1000 <= this.options.cpuMs) return
      this.spent = true
    }
    // Yielding out of the hook cannot be caught by pcall; where a yield is impossible (inside a
    // builtin's callback) the hook tries again on the next count and main's watchdog backs it up.
    if (lua.lua_isyieldable(L)) lua.lua_yield(L, 0)
  }

  private registerHostApi(): void {
    const L = this.L
    lua.lua_createtable(L, 0, 1)
    this.setFunction('get', (S) => this.httpGet(S))
    lua.lua_setglobal(L, to_luastring('http'))

    lua.lua_createtable(L, 0, 2)
    this.setFunction('emit_file_id', (S) => this.emitFileId(S))
    this.setFunction('download_url', (S) => this.downloadUrl(S))
    lua.lua_setglobal(L, to_luastring('skwirl'))
  }

  private setFunction(name: string, fn: LuaJsFunction): void {
    lua.lua_pushjsfunction(this.L, fn)
    lua.lua_setfield(this.L, -2, to_luastring(name))
  }

  private httpGet(L: LuaState): number {
    const url = this.checkUrl(L, 'http.get')
    const options = this.checkOptions(L, 'http.get')
    const fail = (message: string): never => raise(L, `http.get: ${message}`)
    const headers = options ? this.field(L, options, 'headers', 'options.headers', fail) : {}
    const params = options ? this.field(L, options, 'params', 'options.params', fail) : {}
    return this.yieldHostCall(L, { method: 'http.get', url, headers, params }, (S, reply) => {
      if (reply.method !== 'http.get') return 0
      pushBody(S, reply.contentType, reply.body)
      return 1
    })
  }

  private downloadUrl(L: LuaState): number {
    const url = this.checkUrl(L, 'skwirl.download_url')
    const options = this.checkOptions(L, 'skwirl.download_url')
    const fail = (message: string): never => raise(L, `skwirl.download_url: ${message}`)
    if (this.context.stage !== 'download') {
      fail('can only be called from download_file')
    }
    const headers = options ? this.field(L, options, 'headers', 'options.headers', fail) : {}
    this.downloads++
    const expected = this.options.expectedDownload()
    return this.yieldHostCall(L, { method: 'download_url', url, headers, expected }, () => 0)
  }

  private emitFileId(L: LuaState): number {
    const id = stringAt(L, 1)
    if (id === null || id.length === 0) {
      raise(
        L,
        `skwirl.emit_file_id: expected a non-empty string id, got ${id === null ? typeName(L, 1) : 'an empty string'}`,
      )
    }
    if (this.context.stage !== 'list')
      raise(L, 'skwirl.emit_file_id: can only be called from list_file_ids')
    this.options.emitFileId(id)
    return 0
  }

  private yieldHostCall(
    L: LuaState,
    call: HostCall,
    deliver: (L: LuaState, reply: HostReply) => number,
  ): number {
    if (!lua.lua_isyieldable(L)) raise(L, `${call.method} ${CANNOT_WAIT}`)
    this.touch()
    this.pending = call
    lua.lua_pushlightuserdata(L, HOST_MARKER)
    return lua.lua_yieldk(L, 1, 0, (S) => {
      const answer = this.answer
      this.answer = null
      if (answer === null) return raise(S, 'host call was resumed without an answer')
      if (!answer.ok) return raise(S, answer.message)
      return deliver(S, answer.value)
    })
  }

  private checkUrl(L: LuaState, fn: string): string {
    const url = stringAt(L, 1)
    if (url === null)
      raise(L, `${fn}: the url (argument 1) must be a string, got ${typeName(L, 1)}`)
    return url
  }

  /** The options table's stack index, or null when it was left out. */
  private checkOptions(L: LuaState, fn: string): number | null {
    const type = lua.lua_type(L, 2)
    if (type === lua.LUA_TNIL || type === lua.LUA_TNONE) return null
    if (type !== lua.LUA_TTABLE)
      raise(L, `${fn}: the options (argument 2) must be a table, got ${typeName(L, 2)}`)
    return 2
  }

  private field(
    L: LuaState,
    table: number,
    key: string,
    what: string,
    fail: (message: string) => never,
  ): Record<string, string> {
    lua.lua_getfield(L, table, to_luastring(key))
    const map = readStringMap(L, -1, what, fail)
    lua.lua_pop(L, 1)
    return map
  }
}

/** The two fields of fengari's lua_State and CallInfo that keepHooksThroughPcall repairs. */
interface FengariThread {
  allowhook: number
  ci: { callstatus: number }
}
const CIST_OAH = 1

/**
 * fengari 0.1.5's lua_pcallk never records `allowhook` in the call's CIST_OAH bit, so when a
 * pcall inside a coroutine (every provider call runs in one) catches any error, the recovery
 * turns hooks off for that thread, and the CPU budget with them. Set the bit before the
 * library's own pcall or xpcall runs; its error recovery then restores hooks as Lua's does.
 */
function keepHooksThroughPcall(L: LuaState, name: string): void {
  lua.lua_getglobal(L, to_luastring(name))
  const original = lua.lua_tocfunction(L, -1)
  lua.lua_pop(L, 1)
  const thread = L as unknown as Partial<FengariThread>
  if (!original || typeof thread.allowhook !== 'number' || typeof thread.ci !== 'object') {
    throw new Error(`sandbox: cannot guard ${name} (fengari's internals are not as expected)`)
  }
  lua.lua_pushjsfunction(L, (S) => {
    const state = S as unknown as FengariThread
    if (state.allowhook) state.ci.callstatus |= CIST_OAH
    return original(S)
  })
  lua.lua_setglobal(L, to_luastring(name))
}

/** Raises a Lua error with the caller's position, like luaL_error but without format codes. */
function raise(L: LuaState, message: string): never {
  lauxlib.luaL_where(L, 1)
  lua.lua_pushstring(L, to_luastring(message))
  lua.lua_concat(L, 2)
  lua.lua_error(L)
  throw new Error('unreachable: lua_error returned')
}

function pushBody(L: LuaState, contentType: string, body: string): void {
  if (/\bjson\b/i.test(contentType)) {
    let parsed: unknown
    try {
      parsed = JSON.parse(body)
    } catch {
      raise(L, `http.get: the response says it is JSON but could not be parsed`)
    }
    pushJson(L, parsed)
  } else {
    lua.lua_pushstring(L, to_luastring(body))
  }
}
