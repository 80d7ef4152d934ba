// skwirl.emit_file_ids in a real Lua state: a page's ids in one call, read from the table without
// a Lua loop, each checked as emit_file_id checks it; and through the real workflow, ids listed a
// page at a time and then backed up, also with several transfers at once.
import { describe, expect, it } from 'vitest'
import type { FileResult, HostCall, HostReply } from '../../shared/runner-protocol'
import { TEXT_LIMITS } from '../../shared/text-limits'
import { LISTING_STOPPED, LuaSandbox, type CallResult } from './sandbox'
import { runWorkflow } from './workflow'

/** A JSON page of Drive-like files, as http.get answers it. */
function page(ids: string[]): HostReply {
  return {
    method: 'http.get',
    contentType: 'application/json',
    body: JSON.stringify({ files: ids.map((id) => ({ id, name: `${id}.txt` })) }),
  }
}

const idsFrom = (from: number, count: number, prefix = 'id'): string[] =>
  Array.from({ length: count }, (_, i) => `${prefix}${from + i}`)

interface Listed {
  result: CallResult<undefined>
  /** Every id handed to emitFileId, duplicates included, in order. */
  emitted: string[]
}

/**
 * Loads `code` and runs its list_file_ids. http.get answers page(answer(url)); emitFileId
 * keeps every id and says "enough" once it holds `limit` (a Test run's limit).
 */
async function list(
  code: string,
  answer: (url: string) => string[] = () => [],
  limit = Infinity,
): Promise<Listed> {
  const emitted: string[] = []
  const sandbox = new LuaSandbox({
    providerName: 'ids',
    cpuMs: 30_000,
    host: async (call: HostCall) => {
      if (call.method !== 'http.get') throw new Error(`unexpected ${call.method}`)
      return page(answer(call.url))
    },
    emitFileId: (id) => {
      emitted.push(id)
      return emitted.length >= limit
    },
    print: () => undefined,
    expectedDownload: () => null,
  })
  const loaded = await sandbox.load(code)
  if (!loaded.ok) throw new Error(loaded.message)
  const result = await sandbox.call(
    'list_file_ids',
    [],
    { stage: 'list', fileId: null },
    () => undefined,
  )
  return { result, emitted }
}

const listing = (body: string): string => `function list_file_ids()\n${body}\nend`

describe('skwirl.emit_file_ids', () => {
  it('takes a list of ids, in order', async () => {
    const { result, emitted } = await list(listing('skwirl.emit_file_ids({ "a", "b", "c" })'))

    expect(result.ok).toBe(true)
    expect(emitted).toEqual(['a', 'b', 'c'])
  })

  it('takes a JSON page of files (their "id" field), page after page', async () => {
    const pages = [idsFrom(0, 1000), idsFrom(1000, 1000), idsFrom(2000, 17)]
    const { result, emitted } = await list(
      listing(`
        for n = 1, 3 do
          local data = http.get("http://api.test/files?page=" .. n)
          skwirl.emit_file_ids(data.files)
        end`),
      (url) => pages[Number(new URL(url).searchParams.get('page')) - 1] ?? [],
    )

    expect(result.ok).toBe(true)
    expect(emitted).toEqual(pages.flat())
  })

  it('reads another field when told', async () => {
    const { result, emitted } = await list(
      listing(`skwirl.emit_file_ids({ { path = "/a", id = 1 }, { path = "/b", id = 2 } }, "path")`),
    )

    expect(result.ok).toBe(true)
    expect(emitted).toEqual(['/a', '/b'])
  })

  it('reads the list as ipairs does: up to the first nil', async () => {
    const { emitted } = await list(
      listing('local t = { "a", "b", nil, "d" } t[6] = "f" skwirl.emit_file_ids(t)'),
    )

    expect(emitted).toEqual(['a', 'b'])
  })

  it('runs __index metamethods, of the list and of its items, as a Lua loop would', async () => {
    const { result, emitted } = await list(
      listing(`
        local Item = { __index = function(item, key) return key .. "-" .. item.n end }
        local items = { setmetatable({ n = 1 }, Item), setmetatable({ n = 2 }, Item) }
        local proxy = setmetatable({}, { __index = items })
        skwirl.emit_file_ids(proxy)
        skwirl.emit_file_ids(items, "ref")`),
    )

    expect(result.ok).toBe(true)
    expect(emitted).toEqual(['id-1', 'id-2', 'ref-1', 'ref-2'])
  })

  it('an empty list emits nothing and is no error', async () => {
    const { result, emitted } = await list(
      listing('skwirl.emit_file_ids({}) skwirl.emit_file_ids(http.get("http://api.test/").files)'),
    )

    expect(result.ok).toBe(true)
    expect(emitted).toEqual([])
  })

  it('hands duplicates on as emit_file_id does (the run counts and drops them)', async () => {
    const { result, emitted } = await list(
      listing('skwirl.emit_file_id("a") skwirl.emit_file_ids({ "b", "a", "b" })'),
    )

    expect(result.ok).toBe(true)
    expect(emitted).toEqual(['a', 'b', 'a', 'b'])
  })

  it('takes a huge list (100,000 ids) in one call', async () => {
    const ids = idsFrom(0, 100_000, 'file-')
    const { result, emitted } = await list(
      listing('skwirl.emit_file_ids(http.get("http://api.test/").files)'),
      () => ids,
    )

    expect(result.ok).toBe(true)
    expect(emitted.length).toBe(100_000)
    expect(emitted[0]).toBe('file-0')
    expect(emitted[99_999]).toBe('file-99999')
  })

  it('works inside the provider’s own coroutines, between host calls', async () => {
    const { result, emitted } = await list(
      listing(`
        local producer = coroutine.wrap(function()
          for n = 1, 2 do coroutine.yield(http.get("http://api.test/" .. n).files) end
        end)
        skwirl.emit_file_ids(producer())
        coroutine.wrap(function() skwirl.emit_file_ids(producer()) end)()`),
      (url) => [url.slice(-1)],
    )

    expect(result.ok).toBe(true)
    expect(emitted).toEqual(['1', '2'])
  })

  it('stops the listing when the run has enough ids (a Test run), taking no more', async () => {
    const { result, emitted } = await list(
      listing('skwirl.emit_file_ids({ "a", "b", "c", "d" }) error("went on after the stop")'),
      () => [],
      2,
    )

    expect(result).toEqual({ ok: false, message: LISTING_STOPPED, budgetSpent: false })
    expect(emitted).toEqual(['a', 'b'])
  })

  const misuses: Array<{ name: string; lua: string; error: string }> = [
    {
      name: 'a number among the ids',
      lua: 'skwirl.emit_file_ids({ "a", 5 })',
      error: 'list[2] must be a non-empty string id, got number',
    },
    {
      name: 'an empty id',
      lua: 'skwirl.emit_file_ids({ "a", "" })',
      error: 'list[2] must be a non-empty string id, got an empty string',
    },
    {
      name: 'an item without the field',
      lua: 'skwirl.emit_file_ids({ { id = "a" }, { name = "b" } })',
      error: 'list[2].id must be a non-empty string id, got nil',
    },
    {
      name: 'a number in the field',
      lua: 'skwirl.emit_file_ids({ { key = 7 } }, "key")',
      error: 'list[1].key must be a non-empty string id, got number',
    },
    {
      name: 'an item of another type',
      lua: 'skwirl.emit_file_ids({ "a", true })',
      error: 'list[2] must be a non-empty string id, got boolean',
    },
    {
      name: 'an id that is too long',
      lua: `skwirl.emit_file_ids({ string.rep("x", ${TEXT_LIMITS.fileText + 1}) })`,
      error: `list[1] is ${(TEXT_LIMITS.fileText + 1).toLocaleString('en-US')} characters long; an id may be at most ${TEXT_LIMITS.fileText}`,
    },
    {
      name: 'an id that is not UTF-8',
      lua: 'skwirl.emit_file_ids({ "a\\255" })',
      error: 'list[1] is not UTF-8 text',
    },
    {
      name: 'no list',
      lua: 'skwirl.emit_file_ids(nil)',
      error:
        'the list (argument 1) must be a table (an array of ids, or of tables holding each id), got nil',
    },
    {
      name: 'a string for the list',
      lua: 'skwirl.emit_file_ids("a")',
      error:
        'the list (argument 1) must be a table (an array of ids, or of tables holding each id), got string',
    },
    {
      name: 'a field that is not a string',
      lua: 'skwirl.emit_file_ids({}, 1)',
      error:
        'the field (argument 2) must be the name of the items\' id field, such as "id", got number',
    },
  ]

  it.each(misuses)('$name: a clear error, naming the item', async ({ lua, error }) => {
    const { result, emitted } = await list(listing(lua))

    expect(result).toEqual({
      ok: false,
      message: `ids:2: in list_file_ids: skwirl.emit_file_ids: ${error}`,
      budgetSpent: false,
    })
    expect(emitted).toEqual([])
  })

  it('a list with a bad item emits none of its ids; a caught error lets the listing go on', async () => {
    const { result, emitted } = await list(
      listing(`
        local ok, err = pcall(skwirl.emit_file_ids, { "a", "b", 3 })
        assert(not ok and err:find("list[3] must be", 1, true), tostring(err))
        skwirl.emit_file_ids({ "c" })`),
    )

    expect(result.ok).toBe(true)
    expect(emitted).toEqual(['c'])
  })

  it('can only be called from list_file_ids', async () => {
    const emitted: string[] = []
    const sandbox = new LuaSandbox({
      providerName: 'ids',
      cpuMs: 30_000,
      host: async () => {
        throw new Error('no host calls expected')
      },
      emitFileId: (id) => void emitted.push(id),
      print: () => undefined,
      expectedDownload: () => null,
    })
    expect(
      (await sandbox.load('function get_file_metadata() skwirl.emit_file_ids({ "a" }) end')).ok,
    ).toBe(true)
    const result = await sandbox.call(
      'get_file_metadata',
      ['a'],
      { stage: 'metadata', fileId: 'a' },
      () => undefined,
    )

    expect(result).toEqual({
      ok: false,
      message:
        'ids:1: in get_file_metadata: skwirl.emit_file_ids: can only be called from list_file_ids',
      budgetSpent: false,
    })
    expect(emitted).toEqual([])
  })
})

describe('a run that lists a page at a time', () => {
  async function backUp(
    transfers: number,
  ): Promise<{ listed: number; results: FileResult[]; warnings: string[] }> {
    const pages = [idsFrom(0, 50), [...idsFrom(50, 49), 'id0']]
    const results: FileResult[] = []
    const warnings: string[] = []
    let listed = 0
    const host = async (call: HostCall): Promise<HostReply> => {
      if (call.method === 'http.get') {
        const n = Number(call.params.page)
        return {
          method: 'http.get',
          contentType: 'application/json',
          body: JSON.stringify({
            files: (pages[n] ?? []).map((id) => ({ id })),
            next: n + 1 < pages.length ? n + 1 : null,
          }),
        }
      }
      if (call.method === 'download_url')
        return { method: 'download_url', bytes: 3, verified: true }
      throw new Error(`unexpected ${call.method}`)
    }
    const code = `
      function list_file_ids()
        local n = 0
        repeat
          local data = http.get("http://api.test/files", { params = { page = n } })
          skwirl.emit_file_ids(data.files)
          n = data.next
        until not n
      end
      function get_file_metadata(id)
        return { name = id, path = "/" .. id, checksum = "", size = 3, modified_time = "2025-01-01T00:00:00Z" }
      end
      function download_file(id) skwirl.download_url("http://api.test/file/" .. id) end`
    await new Promise<void>((resolve, reject) => {
      runWorkflow({
        providerName: 'pages',
        code,
        cpuMs: 60_000,
        planDownloads: false,
        settings: {},
        transfers,
        host,
        send: (message) => {
          if (message.type === 'listed') listed = message.count
          if (message.type === 'log' && message.level === 'warn') warnings.push(message.message)
          if (message.type === 'file') results.push(message.result)
          if (message.type === 'done') {
            if (message.status === 'completed') resolve()
            else reject(new Error(JSON.stringify(message.error)))
          }
        },
      }).catch(reject)
    })
    return { listed, results, warnings }
  }

  it.each([1, 4])('lists, then backs up every file once (transfers = %i)', async (transfers) => {
    const { listed, results, warnings } = await backUp(transfers)

    expect(listed).toBe(99)
    expect(results.map((r) => r.fileId).sort()).toEqual(idsFrom(0, 99).sort())
    expect(results.every((r) => r.outcome === 'downloaded')).toBe(true)
    expect(warnings).toContain(
      'list_file_ids emitted 1 duplicate id(s); each file is backed up once',
    )
  })
})
