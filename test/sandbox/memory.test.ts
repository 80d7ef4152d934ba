// A memory bomb ends its run, not the app: the runner is killed at its memory cap and the core
// goes on running providers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestCore, type TestCore } from '../support/fixtures'
import { provider, run, runError } from './harness'

const MEMORY_MB = 200
/** Far above what a bomb needs to reach the cap, so that the cap is what ends it. */
const CPU_MS = 8000
const WATCHDOG_MS = 15_000
const MEMORY_MESSAGE = /the runner was killed: it went over its memory limit of 200 MB/

let core: TestCore

beforeAll(() => {
  core = startTestCore({ memoryMb: MEMORY_MB, cpuMs: CPU_MS, watchdogMs: WATCHDOG_MS })
})

afterAll(async () => {
  await core.dispose()
})

const bombs: Array<{ name: string; lua: string }> = [
  {
    name: 'strings of a megabyte each',
    lua: 'local t = {} while true do t[#t + 1] = string.rep("x", 1e6) .. #t end',
  },
  {
    name: 'small tables',
    lua: 'local t = {} while true do t[#t + 1] = { #t, { "x" .. #t } } end',
  },
  {
    name: 'one string doubled until it is huge',
    lua: 'local s = "x" while true do s = s .. s end',
  },
  {
    name: 'string.rep of a gigabyte',
    lua: 'local s = string.rep("x", 1e9) error("allocated " .. #s)',
  },
]

describe('a memory bomb ends its run', () => {
  it.each(bombs)('$name', async ({ lua }) => {
    const outcome = await run(core, provider(lua))

    expect(outcome.status).toBe('failed')
    // The memory cap ended it, not the CPU budget (its message would say so).
    expect(runError(outcome)).toMatch(MEMORY_MESSAGE)

    const after = await run(
      core,
      provider('skwirl.emit_file_id("x")', 'function get_file_metadata() return nil end'),
    )
    expect(after.status).toBe('completed')
    expect(after.listed).toBe(1)
  })
})

describe('garbage is not a memory bomb', () => {
  it('a run that churns through far more than its cap, keeping little, completes', async () => {
    // Some 30 MB alive at any time (a rolling window of tables), gigabytes allocated in all:
    // V8 lets the dead ones pile up towards its heap limit before it collects them.
    const outcome = await run(
      core,
      provider(
        `
        local window, size = {}, 2000
        for i = 1, 400000 do
          window[i % size] = { i, "entry " .. i, { i * 2 } }
        end
        skwirl.emit_file_id("done")`,
        'function get_file_metadata() return nil end',
      ),
    )

    expect(runError(outcome), runError(outcome)).not.toMatch(/memory limit/)
    expect(outcome.listed).toBe(1)
  })
})
