// One provider's Lua state: the sandboxed libraries, the host API, the modules `require` hands
// out, and the coroutine driver that turns each host call into an awaited request to main.
import {
  lua,
  lauxlib,
  lualib,
  to_jsstring,
  to_luastring,
  type LuaState,
  type LuaJsFunction,
} from 'fengari'
import {
  DeclarationError,
  parseDeclaration,
  type ProviderDeclaration,
} from '../../shared/provider-declaration'
import {
  AUTH_NAMES,
  STORAGE_LIMITS,
  type AuthName,
  type CallContext,
  type DeclaredHttpPolicy,
  type ExpectedDownload,
  type HostCall,
  type HostReply,
  type LogLevel,
} from '../../shared/runner-protocol'
import { TEXT_LIMITS } from '../../shared/text-limits'
import { locateError } from './error-location'
import { readHttpPolicy } from './http-configure'
import { checkFengariInternals, decodeText, encodeText, getField, pushKey } from './fengari-fast'
import { FileTable } from './file-table'
import { readIds } from './id-list'
import {
  bytesAt,
  decodeUtf8,
  errorText,
  pushNumber,
  pushText,
  raise,
  readStringMap,
  stringAt,
  typeName,
} from './lua-values'
import { openAws } from './modules/aws'
import { openBase64 } from './modules/base64'
import { openCrypto } from './modules/crypto'
import { inspectValue, openInspect } from './modules/inspect'
import {
  COMPACT,
  encodeJson,
  JsonError,
  openJson,
  parseJson,
  pushJson,
  setUpJson,
} from './modules/json'
import { isAbsent, pushLibrary } from './modules/library'
import { openTime } from './modules/time'
import { openUrl } from './modules/url'
import { openXml } from './modules/xml'
import { openYaml } from './modules/yaml'
import { PRELUDE } from './prelude-lua'

/** What a host call is answered with: the reply, or the message of the error it raises in Lua. */
export type HostAnswer = { ok: true; value: HostReply } | { ok: false; message: string }

export interface SandboxOptions {
  providerName: string
  cpuMs: number
  /** Performs a host call in main; rejects with the message to raise in Lua. */
  host: (call: HostCall, context: CallContext) => Promise<HostReply>
  /** Takes an id; true: enough ids (a test's limit), the listing stops at its next step. */
  emitFileId: (id: string) => boolean | void
  print: (text: string, context: CallContext) => void
  /** A line from the log module, already prefixed with the caller's position (dropped if absent). */
  log?: (level: LogLevel, text: string, context: CallContext) => void
  /** Called on each download_url, with what the metadata of the file it is for promised. */
  expectedDownload: (context: CallContext) => ExpectedDownload | null
  /** The provider's stored settings that are not secret (secret ones are asked of main). */
  settings?: Record<string, string>
  /** Called once skwirl.declare has checked the provider's declaration. */
  onDeclare?: (declaration: ProviderDeclaration) => void
  /** http.configure: the provider's pacing and retry policy, for main. */
  configureHttp?: (policy: DeclaredHttpPolicy) => void
  /** Where skwirl.cache keeps its values (the run's file table); a table of its own if absent. */
  files?: FileTable
}

/** The largest value skwirl.cache keeps, as JSON. */
export const CACHE_VALUE_BYTES = 64 * 1024

export type CallResult<T> =
  { ok: true; value: T } | { ok: false; message: string; budgetSpent: boolean }

/** Why a host call made inside a callback that a builtin runs (not yieldable) fails. */
export const CANNOT_WAIT =
  'cannot wait for the host here: Lua cannot pause inside a function that a builtin calls (a table.sort comparator, a string.gsub function, a load reader, an xpcall message handler)'

/** The marker a yielding host function hands up; the prelude forwards it through coroutines. */
const HOST_MARKER = { hostCall: true }
const HOOK_EVERY = 10_000
/** How deep log's rendering of a table goes. */
const LOG_DEPTH = 6

/** The pure modules, run here in the runner; log and aws are added by the sandbox (they need the run). */
const PURE_MODULES: Array<[string, (L: LuaState) => void]> = [
  ['base64', openBase64],
  ['crypto', openCrypto],
  ['inspect', openInspect],
  ['json', openJson],
  ['time', openTime],
  ['url', openUrl],
  ['xml', openXml],
  ['yaml', openYaml],
]

/** The message of a call that ended because emitFileId had enough ids. */
export const LISTING_STOPPED = 'the listing was stopped: enough ids'

export class BudgetSpentError extends Error {}

/** The options of a state built ahead until attach gives it its run's (they are never used). */
export const AHEAD: SandboxOptions = {
  providerName: 'provider',
  cpuMs: 10_000,
  host: () => Promise.reject(new Error('sandbox: no run attached')),
  emitFileId: () => undefined,
  print: () => undefined,
  expectedDownload: () => null,
}

export class LuaSandbox {
  private readonly L: LuaState
  private pending: HostCall | null = null
  private answer: HostAnswer | null = null
  /** CPU time when the budget started; null until the first count after a host call. */
  private budgetStart: NodeJS.CpuUsage | null = null
  private spent = false
  /** The budget's message with where the hook stopped the script (read from the live stack). */
  private spentMessage = ''
  private readonly countHook = (S: LuaState): void => this.onCount(S)
  /**
   * The context of the coroutine running now. Several calls may be under way at once (parallel
   * transfers), each in its own coroutine; only one runs at a time, and drive sets this before
   * each resume.
   */
  private context: CallContext = { stage: 'load', fileId: null }
  /** The running call's download_url counter (see call's `counter`). */
  private counter: { downloads: number } | null = null
  private declaration: ProviderDeclaration | null = null
  /** emitFileId asked for no more ids: the running call ends at its next yield. */
  private stopAsked = false
  /** Where skwirl.declare was called ("Name:3:"), for the error of a second call. */
  private declaredAt = ''
  /** Secret settings main has answered in this run, by key. */
  private readonly secretSettings = new Map<string, string | null>()
  private files: FileTable
  private attached = false

  constructor(private options: SandboxOptions) {
    this.files = options.files ?? new FileTable()
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
    checkFengariInternals(L)
    keepHooksThroughPcall(L, 'pcall')
    keepHooksThroughPcall(L, 'xpcall')
    setUpJson(L)
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
    lua.lua_pushstring(
      L,
      to_luastring(`a host call (http, skwirl.storage, skwirl.download_url) ${CANNOT_WAIT}`),
    )
    lua.lua_pushjsfunction(L, (S) => (lua.lua_pushboolean(S, this.spent), 1))
    // print, log, emit_file_id and the pure modules do not reset the CPU budget: they do not
    // wait on the host, and a loop around them is as runaway as any other.
    lua.lua_pushjsfunction(L, (S) => {
      const bytes = bytesAt(S, 1) ?? new Uint8Array()
      this.options.print(to_jsstring(bytes, undefined, undefined, true), this.context)
      return 0
    })
    this.pushModules()
    if (lua.lua_pcall(L, 5, 0, 0) !== lua.LUA_OK)
      throw new Error(`sandbox prelude: ${errorText(L, -1)}`)

    // Threads inherit the hook from the state they are created from, provider coroutines included.
    lua.lua_sethook(L, this.countHook, lua.LUA_MASKCOUNT, HOOK_EVERY)
  }

  /**
   * Gives a state built ahead, before its run was known (a spare runner's, see AHEAD), the
   * run's options: once, before the provider is loaded. Its Lua has run nothing but the prelude.
   */
  attach(options: SandboxOptions): void {
    if (this.attached) throw new Error('sandbox: a state built ahead serves one run')
    this.attached = true
    this.options = options
    this.files = options.files ?? this.files
  }

  /** Compiles and runs the provider's chunk (defining its functions). */
  async load(code: string): Promise<CallResult<void>> {
    this.attached = true
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
    const type = pushRawGlobal(this.L, name)
    lua.lua_pop(this.L, 1)
    return type === lua.LUA_TFUNCTION
  }

  /**
   * Calls a global function with string arguments inside a fresh coroutine. Several calls may
   * be under way at once (each awaits its host calls in its own coroutine); `counter.downloads`
   * counts the download_url calls made within this one.
   */
  async call<T>(
    name: string,
    args: string[],
    context: CallContext,
    collect: (co: LuaState, results: number) => T,
    counter: { downloads: number } | null = null,
  ): Promise<CallResult<T>> {
    pushRawGlobal(this.L, name)
    for (const arg of args) lua.lua_pushstring(this.L, to_luastring(arg))
    return this.drive(context, args.length, collect, counter)
  }

  /**
   * Runs the function (and its args) on top of the main stack inside a new coroutine, answering
   * every host call it yields until it returns or fails.
   */
  private async drive<T>(
    context: CallContext,
    nargs: number,
    collect: (co: LuaState, results: number) => T,
    counter: { downloads: number } | null = null,
  ): Promise<CallResult<T>> {
    const L = this.L
    const co = lua.lua_newthread(L)
    lua.lua_insert(L, -(nargs + 2))
    lua.lua_xmove(L, co, nargs + 1)
    this.stopAsked = false
    // Anchored in the registry, not on the main stack: other calls' coroutines come and go
    // meanwhile, in any order.
    const anchor = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
    this.touch()
    let resumeArgs = nargs
    try {
      for (;;) {
        // Another coroutine may have run while this one waited for the host.
        this.context = context
        this.counter = counter
        const status = lua.lua_resume(co, null, resumeArgs)
        resumeArgs = 0
        if (status === lua.LUA_YIELD) {
          const hostCall = lua.lua_gettop(co) === 1 && lua.lua_touserdata(co, 1) === HOST_MARKER
          lua.lua_settop(co, 0)
          if (this.spent) {
            return { ok: false, message: this.locate(co, this.budgetMessage()), budgetSpent: true }
          }
          if (this.stopAsked) {
            this.stopAsked = false
            this.pending = null
            return { ok: false, message: LISTING_STOPPED, budgetSpent: false }
          }
          const call = this.pending
          this.pending = null
          // A plain yield must not run a host call left pending by one that could not yield.
          if (call === null || !hostCall) {
            return {
              ok: false,
              message: this.locate(co, 'attempt to yield from outside a coroutine'),
              budgetSpent: false,
            }
          }
          let answer: HostAnswer
          try {
            answer = { ok: true, value: await this.options.host(call, context) }
          } catch (error) {
            answer = { ok: false, message: error instanceof Error ? error.message : String(error) }
          }
          // Set just before this coroutine resumes: its continuation takes it at once.
          this.answer = answer
          this.touch()
          continue
        }
        if (status === lua.LUA_OK) return this.collectProtected(co, collect)
        // The hook raises the budget's error where it cannot yield; whatever the error became
        // on its way out, the budget is what stopped the script.
        if (this.spent) {
          return { ok: false, message: this.locate(co, this.budgetMessage()), budgetSpent: true }
        }
        return { ok: false, message: this.locate(co, errorValueText(co)), budgetSpent: false }
      }
    } finally {
      // Unanchor the coroutine so the collector can take it.
      lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, anchor)
    }
  }

  /**
   * Reads a call's results in a protected call: reading a returned table runs its metamethods
   * (__index), which may fail or loop, and must end as that file's error or the spent budget,
   * never as an error outside any protection.
   */
  private collectProtected<T>(
    co: LuaState,
    collect: (co: LuaState, results: number) => T,
  ): CallResult<T> {
    const results = lua.lua_gettop(co)
    let value: T | undefined
    lauxlib.luaL_checkstack(co, 2, null)
    lua.lua_pushjsfunction(co, (S) => {
      value = collect(S, lua.lua_gettop(S))
      return 0
    })
    lua.lua_insert(co, 1)
    const status = lua.lua_pcall(co, results, 0, 0)
    if (status === lua.LUA_OK) return { ok: true, value: value as T }
    if (this.spent) {
      return { ok: false, message: this.spentMessage, budgetSpent: true }
    }
    return { ok: false, message: errorValueText(co), budgetSpent: false }
  }

  /** The message with the provider function it happened in (see error-location.ts). */
  private locate(co: LuaState, message: string): string {
    return locateError(co, `=${this.options.providerName}`, message)
  }

  private budgetMessage(): string {
    return `the script ran for more than ${Math.round(this.options.cpuMs / 1000)} s of CPU without calling the host and was stopped`
  }

  // Host calls are the hot path: reading the CPU clock is left to the next count hook, which
  // costs the budget at most HOOK_EVERY instructions.
  private touch(): void {
    this.budgetStart = null
  }

  private onCount(L: LuaState): void {
    if (!this.spent) {
      if (this.budgetStart === null) {
        this.budgetStart = process.cpuUsage()
        return
      }
      const used = process.cpuUsage(this.budgetStart)
      if ((used.user + used.system) / 1000 <= this.options.cpuMs) return
      this.spent = true
      this.spentMessage = this.locate(L, this.budgetMessage())
      // From now on the hook runs at every instruction (threads made from here on inherit it):
      // the script stops at its very next step, wherever that is.
      lua.lua_sethook(L, this.countHook, lua.LUA_MASKCOUNT, 1)
    }
    // Yielding out of the hook cannot be caught by pcall.
    if (lua.lua_isyieldable(L)) {
      lua.lua_yield(L, 0)
      return
    }
    // Inside a function a builtin or the host calls (a table.sort comparator, a string.gsub
    // function, an xpcall handler, a load reader, __tostring, __index), Lua cannot yield: raise
    // instead. A pcall there may catch it, but only returns to code whose next instruction
    // raises again, until the error reaches a place that yields. The error unwinds past fengari's
    // hook caller, which would otherwise leave hooks off for an xpcall handler run on the way.
    ;(L as unknown as FengariThread).allowhook = 1
    lua.lua_pushstring(L, to_luastring(this.spentMessage))
    lua.lua_error(L)
  }

  private registerHostApi(): void {
    const L = this.L
    pushLibrary(L, {
      get: (S) => this.httpGet(S),
      request: (S) => this.httpRequest(S),
      post: (S) => this.httpPost(S),
      configure: (S) => this.httpConfigure(S),
    })
    lua.lua_setglobal(L, to_luastring('http'))

    pushLibrary(L, {
      emit_file_id: (S) => this.emitFileId(S),
      emit_file_ids: (S) => this.emitFileIds(S),
      download_url: (S) => this.downloadUrl(S),
      declare: (S) => this.declare(S),
      setting: (S) => this.setting(S),
    })
    pushLibrary(L, {
      get: (S) => this.storageGet(S),
      set: (S) => this.storageSet(S),
      delete: (S) => this.storageDelete(S),
    })
    lua.lua_setfield(L, -2, to_luastring('storage'))
    pushLibrary(L, {
      get: (S) => this.cacheGet(S),
      set: (S) => this.cacheSet(S),
      delete: (S) => (this.files.delete(this.cacheKey(S, 'skwirl.cache.delete')), 0),
    })
    lua.lua_setfield(L, -2, to_luastring('cache'))
    lua.lua_setglobal(L, to_luastring('skwirl'))
  }

  /** Pushes a table of the modules `require` hands out (the prelude makes them read-only). */
  private pushModules(): void {
    const L = this.L
    lua.lua_createtable(L, 0, PURE_MODULES.length + 2)
    for (const [name, open] of PURE_MODULES) {
      open(L)
      lua.lua_setfield(L, -2, to_luastring(name))
    }
    const levels: LogLevel[] = ['debug', 'info', 'warn', 'error']
    pushLibrary(L, Object.fromEntries(levels.map((level) => [level, (S) => this.log(S, level)])))
    lua.lua_setfield(L, -2, to_luastring('log'))
    openAws(L, (S, fn, call, deliver) => this.yieldHostCall(S, fn, call, deliver))
    lua.lua_setfield(L, -2, to_luastring('aws'))
  }

  private log(L: LuaState, level: LogLevel): number {
    const parts: string[] = []
    for (let i = 1; i <= lua.lua_gettop(L); i++) {
      const bytes = bytesAt(L, i)
      parts.push(
        bytes
          ? to_jsstring(bytes, undefined, undefined, true)
          : inspectValue(L, i, { depth: LOG_DEPTH, compact: true }),
      )
    }
    lauxlib.luaL_where(L, 1)
    const where = lua.lua_tojsstring(L, -1)
    lua.lua_pop(L, 1)
    this.options.log?.(level, `${where}${parts.join(' ')}`, this.context)
    return 0
  }

  private httpGet(L: LuaState): number {
    const url = this.checkUrl(L, 'http.get')
    const options = this.checkOptions(L, 'http.get')
    const fail = (message: string): never => raise(L, `http.get: ${message}`)
    const headers = options ? this.field(L, options, 'headers', 'options.headers', fail) : {}
    const params = options ? this.field(L, options, 'params', 'options.params', fail) : {}
    const auth = this.authOption(L, options, 'options', headers, fail)
    const timeoutMs = options ? this.timeout(L, options, 'options.timeout', fail) : undefined
    const call: HostCall = { method: 'http.get', url, headers, params, auth, timeoutMs }
    const retry = options ? this.flag(L, options, 'retry', 'options.retry', fail) : undefined
    if (retry !== undefined) call.retry = retry
    return this.yieldHostCall(L, 'http.get', call, (S, reply) => {
      if (reply.method !== 'http.get') return 0
      if (!/\bjson\b/i.test(reply.contentType)) {
        pushText(S, reply.body)
        return 1
      }
      // Main decoded the body: parsed as it came, not encoded and decoded again.
      return pushJsonBody(S, reply.body, () =>
        raise(S, 'http.get: the response says it is JSON but could not be parsed'),
      )
    })
  }

  /** http.request { method, url, headers, params, body, json, raw } */
  private httpRequest(L: LuaState): number {
    const fn = 'http.request'
    if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) {
      raise(
        L,
        `${fn}: expects a table { method, url, headers, params, body, json, raw }, got ${typeName(L, 1)}`,
      )
    }
    lua.lua_settop(L, 1)
    getField(L, 1, 'url')
    const url = stringAt(L, -1)
    if (url === null) raise(L, `${fn}: url must be a string, got ${typeName(L, -1)}`)
    getField(L, 1, 'method')
    let verb = 'GET'
    if (lua.lua_type(L, -1) !== lua.LUA_TNIL) {
      const method = stringAt(L, -1)
      if (method === null || !/^[A-Za-z][A-Za-z-]*$/.test(method)) {
        raise(
          L,
          `${fn}: method must be an HTTP method such as "GET" or "POST", got ${method === null ? typeName(L, -1) : JSON.stringify(method)}`,
        )
      }
      verb = method.toUpperCase()
    }
    lua.lua_settop(L, 1)
    return this.request(L, fn, verb, url, 1, 'options')
  }

  /** http.post(url, { headers, params, body, json, raw }) */
  private httpPost(L: LuaState): number {
    const url = this.checkUrl(L, 'http.post')
    const options = this.checkOptions(L, 'http.post')
    lua.lua_settop(L, 2)
    return this.request(L, 'http.post', 'POST', url, options, 'options')
  }

  private request(
    L: LuaState,
    fn: string,
    verb: string,
    url: string,
    options: number | null,
    what: string,
  ): number {
    const fail = (message: string): never => raise(L, `${fn}: ${message}`)
    const headers = options ? this.field(L, options, 'headers', `${what}.headers`, fail) : {}
    const params = options ? this.field(L, options, 'params', `${what}.params`, fail) : {}
    const auth = this.authOption(L, options, what, headers, fail)
    const timeoutMs = options ? this.timeout(L, options, `${what}.timeout`, fail) : undefined
    let body: Uint8Array | null = null
    let raw = false
    if (options) {
      getField(L, options, 'body')
      if (lua.lua_type(L, -1) !== lua.LUA_TNIL) {
        body = bytesAt(L, -1)
        if (body === null) fail(`${what}.body must be a string, got ${typeName(L, -1)}`)
      }
      getField(L, options, 'json')
      if (lua.lua_type(L, -1) !== lua.LUA_TNIL) {
        if (body !== null) fail(`give ${what}.body or ${what}.json, not both`)
        const encoded = tryJson(() => encodeJson(L, -1, COMPACT))
        if (encoded instanceof JsonError) fail(`${what}.json: ${encoded.message}`)
        body = Buffer.from(encoded as string, 'utf8')
        if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
          headers['Content-Type'] = 'application/json'
        }
      }
      getField(L, options, 'raw')
      raw = lua.lua_toboolean(L, -1)
      lua.lua_pop(L, 3)
    }
    if (body !== null && (verb === 'GET' || verb === 'HEAD')) {
      fail(`a ${verb} request cannot have a body`)
    }
    // An exact copy: a view into a larger buffer would carry all of it to main.
    const sent = body === null ? null : new Uint8Array(body)
    const call: HostCall = {
      method: 'http.request',
      verb,
      url,
      headers,
      params,
      body: sent,
      auth,
      timeoutMs,
    }
    const retry = options ? this.flag(L, options, 'retry', `${what}.retry`, fail) : undefined
    if (retry !== undefined) call.retry = retry
    return this.yieldHostCall(L, fn, call, (S, reply) => {
      if (reply.method !== 'http.request') return 0
      lua.lua_createtable(S, 0, 4)
      pushNumber(S, reply.status)
      lua.lua_setfield(S, -2, to_luastring('status'))
      lua.lua_pushboolean(S, reply.status >= 200 && reply.status <= 299)
      lua.lua_setfield(S, -2, to_luastring('ok'))
      lua.lua_createtable(S, 0, Object.keys(reply.headers).length)
      for (const [name, value] of Object.entries(reply.headers)) {
        pushText(S, value)
        lua.lua_setfield(S, -2, to_luastring(name))
      }
      lua.lua_setfield(S, -2, to_luastring('headers'))
      const contentType = reply.headers['content-type'] ?? ''
      if (raw || reply.body.length === 0 || !/\bjson\b/i.test(contentType)) {
        lua.lua_pushstring(S, reply.body)
      } else {
        pushJsonBody(S, reply.body, (reason) =>
          raise(
            S,
            `${fn}: the response (HTTP ${reply.status}) says it is JSON but could not be parsed: ${reason}`,
          ),
        )
      }
      lua.lua_setfield(S, -2, to_luastring('body'))
      return 1
    })
  }

  private storageKey(L: LuaState, fn: string): string {
    const bytes = bytesAt(L, 1)
    if (bytes === null)
      raise(L, `${fn}: the key (argument 1) must be a string, got ${typeName(L, 1)}`)
    if (bytes.length === 0) raise(L, `${fn}: the key must not be empty`)
    if (bytes.length > STORAGE_LIMITS.keyBytes) {
      raise(
        L,
        `${fn}: the key is ${bytes.length} bytes; a key may be at most ${STORAGE_LIMITS.keyBytes} bytes`,
      )
    }
    const key = decodeUtf8(bytes)
    if (key === null) raise(L, `${fn}: the key must be UTF-8 text`)
    return key
  }

  /** skwirl.cache's key: text, as emit_file_id takes an id (a listed id is the same key). */
  private cacheKey(L: LuaState, fn: string): string {
    const bytes = bytesAt(L, 1)
    if (bytes === null) {
      raise(L, `${fn}: the key (argument 1) must be a string, got ${typeName(L, 1)}`)
    }
    if (bytes.length === 0) raise(L, `${fn}: the key must not be empty`)
    let key: string | null = null
    try {
      key = decodeText(bytes)
    } catch {
      raise(L, `${fn}: the key must be UTF-8 text`)
    }
    if (key.length > TEXT_LIMITS.fileText) {
      raise(
        L,
        `${fn}: the key is ${key.length.toLocaleString('en-US')} characters long; a key may be at most ${TEXT_LIMITS.fileText}`,
      )
    }
    return key
  }

  private cacheGet(L: LuaState): number {
    const fn = 'skwirl.cache.get'
    const value = this.files.getValue(this.cacheKey(L, fn))
    if (value === undefined) {
      lua.lua_pushnil(L)
      return 1
    }
    const top = lua.lua_gettop(L)
    const pushed = tryJson(() => pushJson(L, value, 'sentinel'))
    if (pushed instanceof JsonError) {
      lua.lua_settop(L, top)
      raise(L, `${fn}: ${pushed.message}`)
    }
    return 1
  }

  private cacheSet(L: LuaState): number {
    const fn = 'skwirl.cache.set'
    const key = this.cacheKey(L, fn)
    if (isAbsent(L, 2)) {
      this.files.delete(key)
      return 0
    }
    const encoded = tryJson(() => encodeJson(L, 2, COMPACT))
    if (encoded instanceof JsonError) raise(L, `${fn}: ${encoded.message}`)
    const text = encoded as string
    // Bytes of UTF-8 at least as many as characters: the exact count only near the limit.
    const length = text.length > CACHE_VALUE_BYTES / 3 ? encodeText(text).length : text.length
    if (length > CACHE_VALUE_BYTES) {
      raise(
        L,
        `${fn}: the value is ${length} bytes as JSON; a value may be at most ${CACHE_VALUE_BYTES / 1024} KiB`,
      )
    }
    this.files.setValue(key, JSON.parse(text))
    return 0
  }

  private storageGet(L: LuaState): number {
    const fn = 'skwirl.storage.get'
    const key = this.storageKey(L, fn)
    return this.yieldHostCall(L, fn, { method: 'storage.get', key }, (S, reply) => {
      if (reply.method !== 'storage.get') return 0
      if (reply.value === null) {
        lua.lua_pushnil(S)
        return 1
      }
      return pushJsonBody(
        S,
        Buffer.from(reply.value, 'utf8'),
        (reason) => raise(S, `${fn}: the stored value could not be read: ${reason}`),
        'sentinel',
      )
    })
  }

  private storageSet(L: LuaState): number {
    const fn = 'skwirl.storage.set'
    const key = this.storageKey(L, fn)
    if (isAbsent(L, 2)) {
      return this.yieldHostCall(L, fn, { method: 'storage.delete', key }, () => 0)
    }
    const encoded = tryJson(() => encodeJson(L, 2, COMPACT))
    if (encoded instanceof JsonError) raise(L, `${fn}: ${encoded.message}`)
    const value = encoded as string
    const bytes = Buffer.byteLength(value, 'utf8')
    if (bytes > STORAGE_LIMITS.valueBytes) {
      raise(
        L,
        `${fn}: the value is ${bytes} bytes as JSON; a value may be at most ${STORAGE_LIMITS.valueBytes / 1024} KiB`,
      )
    }
    return this.yieldHostCall(L, fn, { method: 'storage.set', key, value }, () => 0)
  }

  private storageDelete(L: LuaState): number {
    const fn = 'skwirl.storage.delete'
    const key = this.storageKey(L, fn)
    return this.yieldHostCall(L, fn, { method: 'storage.delete', key }, () => 0)
  }

  private downloadUrl(L: LuaState): number {
    const url = this.checkUrl(L, 'skwirl.download_url')
    const options = this.checkOptions(L, 'skwirl.download_url')
    const fail = (message: string): never => raise(L, `skwirl.download_url: ${message}`)
    if (this.context.stage !== 'download') {
      fail('can only be called from download_file')
    }
    const headers = options ? this.field(L, options, 'headers', 'options.headers', fail) : {}
    const auth = this.authOption(L, options, 'options', headers, fail)
    const timeoutMs = options ? this.timeout(L, options, 'options.timeout', fail) : undefined
    const retry = options ? this.flag(L, options, 'retry', 'options.retry', fail) : undefined
    if (this.counter) this.counter.downloads++
    const expected = this.options.expectedDownload(this.context)
    const call: HostCall = { method: 'download_url', url, headers, expected, auth, timeoutMs }
    if (retry !== undefined) call.retry = retry
    return this.yieldHostCall(L, 'skwirl.download_url', call, () => 0)
  }

  /** http.configure { min_interval, burst, attempts, backoff, … }: kept for main, no wait. */
  private httpConfigure(L: LuaState): number {
    const policy = readHttpPolicy(L, 1, (message) => raise(L, `http.configure: ${message}`))
    this.options.configureHttp?.(policy)
    return 0
  }

  /** options.auth: the sign-in whose header main adds ("oauth"), or null. */
  private authOption(
    L: LuaState,
    options: number | null,
    what: string,
    headers: Record<string, string>,
    fail: (message: string) => never,
  ): AuthName | null {
    if (options === null) return null
    getField(L, options, 'auth')
    const type = lua.lua_type(L, -1)
    const name = stringAt(L, -1)
    lua.lua_pop(L, 1)
    if (type === lua.LUA_TNIL) return null
    if (name === null || !(AUTH_NAMES as readonly string[]).includes(name)) {
      fail(
        `${what}.auth must be ${AUTH_NAMES.map((n) => `"${n}"`).join(' or ')} (the sign-in the provider declares), got ${name === null ? typeName(L, -1) : JSON.stringify(name)}`,
      )
    }
    if (!this.declaration?.oauth) {
      fail(
        `${what}.auth = "oauth" needs a sign-in: declare it with skwirl.declare { oauth = { … } } at the top of the code`,
      )
    }
    if (Object.keys(headers).some((header) => header.toLowerCase() === 'authorization')) {
      fail(
        `give ${what}.auth or an Authorization header, not both: with auth = "oauth", Skwirl adds the header`,
      )
    }
    return name as AuthName
  }

  /** skwirl.declare { settings = { … }, oauth = { … } }: once, checked here and again in main. */
  private declare(L: LuaState): number {
    const fn = 'skwirl.declare'
    if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) {
      raise(L, `${fn}: expects a table { settings = { … }, oauth = { … } }, got ${typeName(L, 1)}`)
    }
    if (this.declaration) {
      raise(
        L,
        `${fn}: called a second time (the first call was at ${this.declaredAt}); declare once`,
      )
    }
    lua.lua_settop(L, 1)
    const encoded = tryJson(() => encodeJson(L, 1, COMPACT))
    if (encoded instanceof JsonError) raise(L, `${fn}: ${encoded.message}`)
    let declaration: ProviderDeclaration
    try {
      declaration = parseDeclaration(JSON.parse(encoded as string))
    } catch (error) {
      if (error instanceof DeclarationError) return raise(L, `${fn}: ${error.message}`)
      throw error
    }
    lauxlib.luaL_where(L, 1)
    this.declaredAt = lua.lua_tojsstring(L, -1).replace(/:\s*$/, '')
    lua.lua_pop(L, 1)
    this.declaration = declaration
    this.options.onDeclare?.(declaration)
    return 0
  }

  /** skwirl.setting(key): the value set for this provider, its default, or nil. */
  private setting(L: LuaState): number {
    const fn = 'skwirl.setting'
    const key = stringAt(L, 1)
    if (key === null)
      raise(L, `${fn}: the key (argument 1) must be a string, got ${typeName(L, 1)}`)
    const declared = this.declaration?.settings ?? []
    const setting = declared.find((s) => s.key === key)
    if (!setting) {
      raise(
        L,
        declared.length === 0
          ? `${fn}: no setting "${key}" is declared; declare settings with skwirl.declare { settings = { … } } first`
          : `${fn}: no setting "${key}" is declared (the settings are ${declared.map((s) => s.key).join(', ')})`,
      )
    }
    const deliver = (S: LuaState, value: string | null): number => {
      if (value === null && setting.required) {
        return raise(
          S,
          `${fn}: the setting "${setting.label}" (${key}) is required and not set; set it in the provider's settings, or with skwirl provider set NAME --setting ${key}=…`,
        )
      }
      if (value === null) lua.lua_pushnil(S)
      else pushText(S, value)
      return 1
    }
    if (!setting.secret) {
      const stored = this.options.settings?.[key]
      return deliver(L, stored ?? setting.default)
    }
    if (this.secretSettings.has(key)) return deliver(L, this.secretSettings.get(key) ?? null)
    return this.yieldHostCall(L, fn, { method: 'setting', key }, (S, reply) => {
      if (reply.method !== 'setting') return 0
      this.secretSettings.set(key, reply.value)
      return deliver(S, reply.value)
    })
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
    if (id.length > TEXT_LIMITS.fileText) {
      raise(
        L,
        `skwirl.emit_file_id: the id is ${id.length.toLocaleString('en-US')} characters long; an id may be at most ${TEXT_LIMITS.fileText}`,
      )
    }
    return this.options.emitFileId(id) === true ? this.stopListing(L) : 0
  }

  /**
   * skwirl.emit_file_ids(list [, field]): a page's ids in one call. The list is read as ipairs
   * reads it (from 1 to the first nil); each item is an id, or a table whose `field` (default
   * "id") is the id. Every id is checked as emit_file_id checks it before any is taken, so a
   * list with a bad item emits none of its ids.
   */
  private emitFileIds(L: LuaState): number {
    const fn = 'skwirl.emit_file_ids'
    if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) {
      raise(
        L,
        `${fn}: the list (argument 1) must be a table (an array of ids, or of tables holding each id), got ${typeName(L, 1)}`,
      )
    }
    let field = 'id'
    if (!isAbsent(L, 2)) {
      const given = stringAt(L, 2)
      if (given === null || given.length === 0) {
        raise(
          L,
          `${fn}: the field (argument 2) must be the name of the items' id field, such as "id", got ${given === null ? typeName(L, 2) : 'an empty string'}`,
        )
      }
      field = given
    }
    if (this.context.stage !== 'list') raise(L, `${fn}: can only be called from list_file_ids`)
    lua.lua_settop(L, 1)
    const ids = readIds(L, 1, field, (message) => raise(L, `${fn}: ${message}`))
    for (const id of ids) {
      if (this.options.emitFileId(id) === true) return this.stopListing(L)
    }
    return 0
  }

  /** emitFileId has enough ids: stop where Lua can pause, otherwise at the next host call. */
  private stopListing(L: LuaState): number {
    this.stopAsked = true
    if (lua.lua_isyieldable(L)) {
      lua.lua_pushlightuserdata(L, HOST_MARKER)
      return lua.lua_yield(L, 1)
    }
    return 0
  }

  private yieldHostCall(
    L: LuaState,
    fn: string,
    call: HostCall,
    deliver: (L: LuaState, reply: HostReply) => number,
  ): number {
    if (!lua.lua_isyieldable(L)) raise(L, `${fn} ${CANNOT_WAIT}`)
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

  /** A boolean option: undefined when left out. */
  private flag(
    L: LuaState,
    table: number,
    key: string,
    what: string,
    fail: (message: string) => never,
  ): boolean | undefined {
    lua.lua_getfield(L, table, to_luastring(key))
    const type = lua.lua_type(L, -1)
    if (type !== lua.LUA_TNIL && type !== lua.LUA_TBOOLEAN) {
      fail(`${what} must be true or false, got ${typeName(L, -1)}`)
    }
    const value = lua.lua_toboolean(L, -1)
    lua.lua_pop(L, 1)
    return type === lua.LUA_TNIL ? undefined : value
  }

  /** The call's own deadline (`timeout`, in seconds) in ms, or undefined for the run's. */
  private timeout(
    L: LuaState,
    table: number,
    what: string,
    fail: (message: string) => never,
  ): number | undefined {
    getField(L, table, 'timeout')
    const type = lua.lua_type(L, -1)
    const seconds = type === lua.LUA_TNUMBER ? lua.lua_tonumber(L, -1) : NaN
    const got = type === lua.LUA_TNUMBER ? String(seconds) : typeName(L, -1)
    lua.lua_pop(L, 1)
    if (type === lua.LUA_TNIL) return undefined
    if (!(seconds > 0) || !Number.isFinite(seconds)) {
      fail(`${what} must be a number of seconds above 0, got ${got}`)
    }
    return seconds * 1000
  }

  private field(
    L: LuaState,
    table: number,
    key: string,
    what: string,
    fail: (message: string) => never,
  ): Record<string, string> {
    getField(L, table, key)
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

/**
 * Pushes a global without running _G's metamethods (a provider may give _G an __index that
 * raises or loops, as strict-mode scripts do); answers its type.
 */
function pushRawGlobal(L: LuaState, name: string): number {
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS)
  pushKey(L, name)
  const type = lua.lua_rawget(L, -2)
  lua.lua_remove(L, -2)
  return type
}

/** The error on top of a failed coroutine; a table is shown as inspect shows it (no metamethods). */
function errorValueText(co: LuaState): string {
  if (lua.lua_type(co, -1) !== lua.LUA_TTABLE) return errorText(co, -1)
  lauxlib.luaL_checkstack(co, 8, null)
  const shown = inspectValue(co, -1, { depth: 3, compact: true })
  return `(error object is a table value: ${shown.length > 500 ? `${shown.slice(0, 500)}…` : shown})`
}

/** Runs a JSON step, handing back its JsonError instead of throwing (raise must not be caught). */
function tryJson<T>(step: () => T): T | JsonError {
  try {
    return step()
  } catch (error) {
    if (error instanceof JsonError) return error
    throw error
  }
}

/** Pushes a JSON body (null as nil unless told otherwise), or calls fail with the reason. */
function pushJsonBody(
  L: LuaState,
  bytes: Uint8Array | string,
  fail: (reason: string) => never,
  nulls: 'nil' | 'sentinel' = 'nil',
): number {
  const top = lua.lua_gettop(L)
  const pushed = tryJson(() => pushJson(L, parseJson(bytes), nulls))
  if (pushed instanceof JsonError) {
    lua.lua_settop(L, top)
    fail(pushed.message)
  }
  return 1
}
