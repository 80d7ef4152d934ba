// What the standard library suite shares: Lua that checks values against expected ones and
// says which case failed, run as a provider's list_file_ids through a real runner.
import { afterAll, beforeAll, expect } from 'vitest'
import { startTestCore, type TestCore } from '../support/fixtures'
import {
  luaLiteral,
  provider,
  run,
  runError,
  startLocalServer,
  type LocalServer,
} from '../sandbox/harness'

export { luaLiteral, provider, run, runError }

/**
 * Lua helpers every check uses: eq(label, got, want) compares with ==, and on a mismatch raises
 * an error that quotes both (strings with %q, so bytes and spaces show).
 */
export const CHECKS = `
local function show(v)
  if type(v) == "string" then return ("%q"):format(v) end
  return tostring(v) .. " (" .. (math.type(v) or type(v)) .. ")"
end
local function eq(label, got, want)
  if got ~= want then error(label .. ": got " .. show(got) .. ", want " .. show(want), 2) end
end
local function fails(label, pattern, f, ...)
  local ok, err = pcall(f, ...)
  if ok then error(label .. ": expected an error matching " .. pattern .. ", but it succeeded", 2) end
  if not tostring(err):find(pattern) then
    error(label .. ": expected an error matching " .. pattern .. ", got " .. tostring(err), 2)
  end
end
`

/** Runs the Lua (with CHECKS in scope) as list_file_ids and expects the run to complete. */
export async function expectLua(core: TestCore, lua: string, name?: string): Promise<void> {
  const outcome = await run(core, provider(`${CHECKS}\n${lua}`), name)
  expect(runError(outcome)).toBe('')
  expect(outcome.status).toBe('completed')
}

/** A Lua string literal for the text (any bytes). */
export function lit(value: string | Uint8Array): string {
  return luaLiteral(value)
}

/**
 * One core (real runners) and one local HTTP server for a test file, started before its tests
 * and closed after them.
 */
export function useStdlibFixtures(): { readonly core: TestCore; readonly server: LocalServer } {
  let core: TestCore | undefined
  let server: LocalServer | undefined
  beforeAll(async () => {
    core = startTestCore({ cpuMs: 5000, watchdogMs: 10_000 })
    server = await startLocalServer()
  })
  afterAll(async () => {
    await core?.dispose()
    await server?.close()
  })
  return {
    get core() {
      if (!core) throw new Error('the stdlib fixtures start in beforeAll')
      return core
    },
    get server() {
      if (!server) throw new Error('the stdlib fixtures start in beforeAll')
      return server
    },
  }
}
