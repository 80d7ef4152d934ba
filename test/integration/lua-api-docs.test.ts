// The editor's completion and hover know the whole API: what the sandbox really hands out (read
// by a provider's Test in a real runner) is every name src/shared/lua-api.ts describes, no more
// and no fewer, each with a signature and a line of help.
import { afterEach, describe, expect, it } from 'vitest'
import { LUA_API, LUA_MODULES } from '../../src/shared/lua-api'
import { startTestCore, type TestCore } from '../support/fixtures'

let core: TestCore | null = null
afterEach(async () => {
  await core?.dispose()
  core = null
})

const DUMP = `
local modules = { ${LUA_MODULES.map((m) => `"${m}"`).join(', ')} }
function list_file_ids()
  for _, name in ipairs(modules) do
    for key in pairs(require(name)) do
      print(name .. "." .. key)
    end
  end
  for key in pairs(skwirl.storage) do print("skwirl.storage." .. key) end
  for key in pairs(skwirl.cache) do print("skwirl.cache." .. key) end
end
function get_file_metadata() end
function download_file() end
`

describe('the Lua API the editor describes', () => {
  it('is what the sandbox offers', async () => {
    core = startTestCore()
    const report = await core.handlers.testProvider({ providerId: null, name: 'Dump', code: DUMP })
    expect(report.status).toBe('completed')
    const offered = report.entries.flatMap((e) => (e.kind === 'output' ? [e.text] : [])).sort()
    const described = LUA_API.map((entry) => entry.name)
      .filter((name) => name.includes('.'))
      .sort()
    expect(described).toEqual(offered)
    // Globals and modules too; and every entry says how it is called and what it does.
    const names = LUA_API.map((entry) => entry.name)
    for (const name of ['require', ...LUA_MODULES]) expect(names).toContain(name)
    for (const entry of LUA_API) {
      expect(entry.signature.length, entry.name).toBeGreaterThan(0)
      expect(entry.info, entry.name).toMatch(/^[A-Z`a-z].{10,}\.$/)
    }
  })
})
