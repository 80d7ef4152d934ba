// The Lua speed scenario's fengari side, one measurement per process (each runner starts cold):
// the workload in Skwirl's own sandbox (read-only libraries, CPU-budget hook), or in a bare
// fengari state with the standard libraries. Prints one JSON line: {ms, summary}.
//
//   node out/bench/lua-speed.js sandbox|plain <workload.lua> PAGES PER_PAGE
import { readFileSync } from 'node:fs'
import { lauxlib, lua, lualib, to_luastring } from 'fengari'
import { LuaSandbox } from '../src/main/runner/sandbox'
import { monotonicMs } from './protocol'

async function inSandbox(code: string, args: string[]): Promise<{ ms: number; summary: string }> {
  const sandbox = new LuaSandbox({
    providerName: 'workload',
    cpuMs: 60_000,
    host: () => Promise.reject(new Error('the workload makes no host calls')),
    emitFileId: () => undefined,
    print: () => undefined,
    expectedDownload: () => null,
  })
  const loaded = await sandbox.load(code)
  if (!loaded.ok) throw new Error(loaded.message)
  const started = monotonicMs()
  const result = await sandbox.call('table_workload', args, { stage: 'list', fileId: null }, (co) =>
    lua.lua_tojsstring(co, 1),
  )
  const ms = monotonicMs() - started
  if (!result.ok) throw new Error(result.message)
  return { ms, summary: result.value }
}

function plain(code: string, args: string[]): { ms: number; summary: string } {
  const L = lauxlib.luaL_newstate()
  for (const [name, open] of [
    ['_G', lualib.luaopen_base],
    ['table', lualib.luaopen_table],
    ['string', lualib.luaopen_string],
    ['math', lualib.luaopen_math],
  ] as const) {
    lauxlib.luaL_requiref(L, to_luastring(name), open, 1)
    lua.lua_pop(L, 1)
  }
  const bytes = to_luastring(code)
  const loaded = lauxlib.luaL_loadbufferx(L, bytes, bytes.length, to_luastring('=workload'), null)
  if (loaded !== lua.LUA_OK || lua.lua_pcall(L, 0, 0, 0) !== lua.LUA_OK) {
    throw new Error(lua.lua_tojsstring(L, -1))
  }
  lua.lua_getglobal(L, to_luastring('table_workload'))
  for (const arg of args) lua.lua_pushstring(L, to_luastring(arg))
  const started = monotonicMs()
  const status = lua.lua_pcall(L, args.length, 1, 0)
  const ms = monotonicMs() - started
  if (status !== lua.LUA_OK) throw new Error(lua.lua_tojsstring(L, -1))
  return { ms, summary: lua.lua_tojsstring(L, -1) }
}

async function main(): Promise<void> {
  const [how, file, ...args] = process.argv.slice(2)
  if (!file) throw new Error('usage: lua-speed.js sandbox|plain <workload.lua> PAGES PER_PAGE')
  const code = readFileSync(file, 'utf8')
  const result = how === 'plain' ? plain(code, args) : await inSandbox(code, args)
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
