// skwirl.cache in a real Lua state with the real workflow, its host calls answered in this
// process: what a provider caches while it lists is there for get_file_metadata, outside the
// Lua heap, and a run's memory per file stays small.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import type { FileResult, HostCall, HostReply } from '../../shared/runner-protocol'
import { runWorkflow } from './workflow'

interface Ran {
  status: 'completed' | 'failed'
  error: string | null
  results: FileResult[]
  listed: number
}

/** Runs the provider; http.get answers a page of `count` ids with their sizes and names. */
async function runProvider(
  code: string,
  pages: { count: number; perPage: number },
  atListed?: () => void,
): Promise<Ran> {
  const results: FileResult[] = []
  let listed = 0
  const host = async (call: HostCall): Promise<HostReply> => {
    if (call.method === 'http.get') {
      const from = Number(call.params.from ?? 0)
      const to = Math.min(from + pages.perPage, pages.count)
      const files = []
      for (let i = from; i < to; i++) {
        files.push({
          id: `id${String(i).padStart(9, '0')}`,
          name: `file ${i}.txt`,
          size: i,
          md5: 'd41d8cd98f00b204e9800998ecf8427e',
          modified: '2025-01-02T03:04:05Z',
        })
      }
      return {
        method: 'http.get',
        contentType: 'application/json',
        body: JSON.stringify({ files, next: to < pages.count ? to : null }),
      }
    }
    if (call.method === 'download_url') return { method: 'download_url', bytes: 1, verified: true }
    throw new Error(`unexpected ${call.method}`)
  }
  return new Promise((resolve, reject) => {
    runWorkflow({
      providerName: 'cached',
      code,
      cpuMs: 60_000,
      planDownloads: false,
      settings: {},
      host,
      send: (message) => {
        if (message.type === 'listed') {
          listed = message.count
          atListed?.()
        }
        if (message.type === 'file') results.push(message.result)
        if (message.type === 'done') {
          resolve({
            status: message.status,
            error: message.error?.message ?? null,
            results,
            listed,
          })
        }
      },
    }).catch(reject)
  })
}

const LISTING = `
function list_file_ids()
  local from = 0
  repeat
    local page = http.get("http://api.test/files", { params = { from = from } })
    for _, f in ipairs(page.files) do
      skwirl.cache.set(f.id, { name = f.name, size = f.size, md5 = f.md5, modified = f.modified })
      skwirl.emit_file_id(f.id)
    end
    from = page.next
  until not from
end
function get_file_metadata(id)
  local f = skwirl.cache.get(id)
  if not f then error("not cached: " .. id) end
  return { name = f.name, path = f.name, checksum = f.md5, size = f.size, modified_time = f.modified }
end
function download_file(id) skwirl.download_url("http://api.test/files/" .. id) end
`

describe('skwirl.cache', () => {
  it('hands get_file_metadata what the listing cached, for every file', async () => {
    const ran = await runProvider(LISTING, { count: 2500, perPage: 1000 })
    expect(ran.error).toBeNull()
    expect(ran.results).toHaveLength(2500)
    expect(ran.results.every((r) => r.outcome === 'downloaded')).toBe(true)
    expect(ran.results[1234]?.metadata).toEqual({
      name: 'file 1234.txt',
      path: 'file 1234.txt',
      checksum: 'd41d8cd98f00b204e9800998ecf8427e',
      size: 1234,
      modifiedTime: '2025-01-02T03:04:05Z',
    })
  })

  it('gives back nil for a key it does not hold, forgets on set(key, nil) and delete, keeps JSON types', async () => {
    const ran = await runProvider(
      `
      function list_file_ids()
        local c = skwirl.cache
        assert(c.get("nothing") == nil)
        c.set("k", { list = { 1, 2.5, "x", true }, empty = {}, nested = { a = { b = "c" } } })
        local v = c.get("k")
        assert(v.list[2] == 2.5 and v.list[3] == "x" and v.list[4] == true and v.nested.a.b == "c")
        assert(next(v.empty) == nil)
        c.set("s", "plain")
        assert(c.get("s") == "plain")
        c.set("s", nil)
        assert(c.get("s") == nil)
        c.set("n", 42)
        c.delete("n")
        assert(c.get("n") == nil)
        -- A value is a copy: changing the table afterwards changes nothing cached.
        local t = { x = 1 }
        c.set("t", t)
        t.x = 2
        assert(c.get("t").x == 1)
        skwirl.emit_file_id("t")
      end
      function get_file_metadata(id) return { name = "t", path = "t", checksum = "", size = c, modified_time = "" } end
      function download_file(id) end
      `,
      { count: 0, perPage: 1 },
    )
    // get_file_metadata's size is nil: the file fails there, after the listing's asserts passed.
    expect(ran.listed).toBe(1)
    expect(ran.results[0]?.error?.stage).toBe('metadata')
  })

  it('says what is wrong with a key or a value', async () => {
    const cases: Array<[string, RegExp]> = [
      [
        'skwirl.cache.set(1, "x")',
        /skwirl\.cache\.set: the key \(argument 1\) must be a string, got number/,
      ],
      ['skwirl.cache.get("")', /skwirl\.cache\.get: the key must not be empty/],
      ['skwirl.cache.set("k", function() end)', /skwirl\.cache\.set: .*function/],
      ['skwirl.cache.set("k", string.rep("x", 70000))', /at most 64 KiB/],
      ['skwirl.cache.set(string.rep("k", 9000), 1)', /a key may be at most/],
    ]
    for (const [line, message] of cases) {
      const ran = await runProvider(
        `function list_file_ids() ${line} end
         function get_file_metadata() end
         function download_file() end`,
        { count: 0, perPage: 1 },
      )
      expect(ran.status).toBe('failed')
      expect(ran.error).toMatch(message)
    }
  })

  it('keeps a listing of 100,000 files with their metadata in little memory per file', async () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const held = (): number => {
      gc()
      gc()
      const m = process.memoryUsage()
      return m.heapUsed + m.arrayBuffers
    }
    const before = held()
    let atListed = 0
    const n = 100_000
    const ran = await runProvider(LISTING, { count: n, perPage: 2000 }, () => {
      atListed = held()
    })
    expect(ran.results).toHaveLength(n)
    const perFile = (atListed - before) / n
    // Each id (11 characters) once as bytes, with its slot in the hash table, its cached
    // metadata (~110 bytes of JSON, kept compressed: here ~40) and the table's per-slot numbers:
    // about 80 bytes (250 with ids as strings and values uncompressed); a Lua table per file
    // would be ~15 KB.
    expect(perFile).toBeLessThan(160)
    expect(perFile).toBeGreaterThan(20)
  }, 120_000)
})
