// skwirl.storage through real runners and the real database: values of every JSON kind, kept
// across runs, kept apart between providers, and limits that fail with clear errors.
import { describe, expect, it } from 'vitest'
import type { RunOutcome } from '../../src/main/core/run-manager'
import { CHECKS, provider, runError, useStdlibFixtures } from './harness'

const fixtures = useStdlibFixtures()

/** Runs `lua` (with the checks in scope) as the list_file_ids of the provider with this id. */
async function runAs(id: string, lua: string): Promise<RunOutcome> {
  const { done } = fixtures.core.runs.start({
    id,
    name: `provider ${id}`,
    code: provider(`${CHECKS}\n${lua}`),
  })
  return done
}

async function expectRunAs(id: string, lua: string): Promise<void> {
  const outcome = await runAs(id, lua)
  expect(runError(outcome)).toBe('')
  expect(outcome.status).toBe('completed')
}

describe('skwirl.storage', () => {
  it('keeps values of every kind json can encode, exactly', async () => {
    await expectRunAs(
      'kinds',
      `local storage, json = skwirl.storage, require "json"
      storage.set("string", "ünï ✓")
      storage.set("integer", 42)
      storage.set("big", 12345678901)
      storage.set("float", 0.1)
      storage.set("true", true)
      storage.set("false", false)
      storage.set("null", json.null)
      storage.set("table", { cursor = "c1", pages = { 1, 2, 3 }, empty = json.array(), none = json.object() })
      eq("string", storage.get("string"), "ünï ✓")
      eq("integer", storage.get("integer"), 42)
      eq("integer type", math.type(storage.get("integer")), "integer")
      eq("big", storage.get("big"), 12345678901)
      eq("float", storage.get("float"), 0.1)
      eq("true", storage.get("true"), true)
      eq("false", storage.get("false"), false)
      eq("null", storage.get("null"), json.null)
      local t = storage.get("table")
      eq("table", json.encode(t, { sort_keys = true }), '{"cursor":"c1","empty":[],"none":{},"pages":[1,2,3]}')
      eq("missing", storage.get("missing"), nil)`,
    )
    expect(fixtures.core.storage.get('kinds', 'big')).toBe('12345678901')
    expect(fixtures.core.storage.get('kinds', 'string')).toBe('"ünï ✓"')
  })

  it('set(key, nil) and delete(key) remove a key; removing a missing key is fine', async () => {
    await expectRunAs(
      'removal',
      `local storage = skwirl.storage
      storage.set("a", 1)
      storage.set("b", 2)
      storage.set("a", nil)
      storage.delete("b")
      storage.delete("never there")
      eq("a", storage.get("a"), nil)
      eq("b", storage.get("b"), nil)
      storage.set("c", "first")
      storage.set("c", "second")
      eq("overwritten", storage.get("c"), "second")`,
    )
    expect(fixtures.core.storage.get('removal', 'a')).toBeNull()
  })

  it('persists across runs, and each provider sees only its own keys', async () => {
    await expectRunAs('dropbox', `skwirl.storage.set("cursor", { token = "from run 1" })`)
    await expectRunAs(
      'dropbox',
      `eq("second run", skwirl.storage.get("cursor").token, "from run 1")
      skwirl.storage.set("cursor", { token = "from run 2" })`,
    )
    await expectRunAs(
      'gdrive',
      `eq("other provider", skwirl.storage.get("cursor"), nil)
      skwirl.storage.set("cursor", "gdrive's own")`,
    )
    await expectRunAs(
      'dropbox',
      `eq("third run", skwirl.storage.get("cursor").token, "from run 2")`,
    )
    expect(fixtures.core.storage.get('gdrive', 'cursor')).toBe('"gdrive\'s own"')
  })

  it('works in every stage: the main chunk, listing, metadata and download', async () => {
    const { done } = fixtures.core.runs.start({
      id: 'stages',
      name: 'stages',
      code: `
        skwirl.storage.set("loaded", true)
        function list_file_ids()
          assert(skwirl.storage.get("loaded") == true)
          skwirl.storage.set("listed", 1)
          skwirl.emit_file_id("f")
        end
        function get_file_metadata(id)
          skwirl.storage.set("metadata", skwirl.storage.get("listed") + 1)
          error("stop here: " .. skwirl.storage.get("metadata"))
        end
        function download_file(id) end`,
    })
    const outcome = await done
    expect(outcome.errors.map((e) => e.message)).toEqual([
      'stages:10: in get_file_metadata: stop here: 2',
    ])
  })

  it('limits: keys, values (64 KiB as JSON) and each provider’s total (1 MiB) fail clearly', async () => {
    await expectRunAs(
      'limits',
      `local storage = skwirl.storage
      fails("no key", "skwirl.storage.get: the key %(argument 1%) must be a string, got no value", storage.get)
      fails("number key", "skwirl.storage.set: the key %(argument 1%) must be a string, got number", storage.set, 1, 2)
      fails("empty key", "skwirl.storage.delete: the key must not be empty", storage.delete, "")
      fails("long key", "the key is 257 bytes; a key may be at most 256 bytes", storage.set, ("k"):rep(257), 1)
      storage.set(("k"):rep(256), "a key of 256 bytes is fine")
      fails("binary key", "the key must be UTF%-8 text", storage.set, "\\255", 1)
      fails("function", "skwirl.storage.set: cannot encode a function value %(at %$%.f%)", storage.set, "x", { f = print })
      fails("binary value", "is not valid UTF%-8", storage.set, "x", "\\255")
      -- 65536 bytes of JSON: the quotes count too.
      storage.set("max", ("v"):rep(65534))
      fails("too big", "the value is 65537 bytes as JSON; a value may be at most 64 KiB", storage.set, "x", ("v"):rep(65535))
      storage.delete("max")
      storage.delete(("k"):rep(256))
      -- Fill up to the provider's 1 MiB: 16 values of 64,000 bytes fit, a 17th does not.
      for i = 1, 16 do storage.set("chunk" .. i, ("c"):rep(64000)) end
      fails("over the total", "this provider's storage would hold %d+ bytes; it may hold at most 1 MiB",
        storage.set, "chunk17", ("c"):rep(64000))
      storage.set("chunk1", "smaller now")
      storage.set("chunk17", ("c"):rep(64000))`,
    )
    expect(fixtures.core.storage.usage('limits')).toBeLessThanOrEqual(1024 * 1024)
    expect(fixtures.core.storage.usage('limits')).toBeGreaterThan(1_000_000)
  })

  it('cannot wait for the host inside a builtin’s callback', async () => {
    await expectRunAs(
      'callbacks',
      `local ok, err = pcall(table.sort, { 2, 1 }, function(a, b) skwirl.storage.get("x") return a < b end)
      eq("refused", ok, false)
      assert(err:find("skwirl.storage.get cannot wait for the host here", 1, true), err)`,
    )
  })
})
