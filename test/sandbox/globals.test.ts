// The host looks up a provider's three functions without running _G's metamethods: a strict-mode
// _G (an __index that raises, as strict.lua does, or one that loops) must not take the runner
// down with an error outside any protection ("PANIC: unprotected error in call to Lua API").
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestCore, type TestCore } from '../support/fixtures'
import { run, runError } from './harness'

let core: TestCore

beforeAll(() => {
  core = startTestCore({ cpuMs: 1000, watchdogMs: 10_000 })
})

afterAll(async () => {
  await core.dispose()
})

describe("_G's metamethods", () => {
  it('an __index that raises: a missing function is reported as missing', async () => {
    const outcome = await run(
      core,
      `function list_file_ids() skwirl.emit_file_id("a") end
function get_file_metadata(id) return nil end
setmetatable(_G, { __index = function(_, name) error("undefined global " .. name, 2) end })`,
    )
    expect(outcome.status).toBe('failed')
    expect(runError(outcome)).toBe(
      'load: the provider does not define download_file(); a provider defines list_file_ids, get_file_metadata and download_file as global functions',
    )
  })

  it('an __index that loops, and one that raises, leave a complete provider alone', async () => {
    for (const index of [
      'function() while true do end end',
      'function(_, name) error("undefined global " .. name, 2) end',
    ]) {
      const outcome = await run(
        core,
        `function list_file_ids() skwirl.emit_file_id("a") end
function get_file_metadata(id) return nil end
function download_file(id) end
setmetatable(_G, { __index = ${index}, __newindex = function() error("read-only") end })`,
      )
      expect(outcome).toMatchObject({ status: 'completed', listed: 1, failed: 1 })
    }
  })
})
