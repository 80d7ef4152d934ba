// A Lua state built ahead, while a spare runner waits for its run: once attached, the run's
// options are the ones used (its host, its output, its file table), and it serves that run only.
import { describe, expect, it } from 'vitest'
import type { FileResult, HostCall, HostReply, RunnerOutgoing } from '../../shared/runner-protocol'
import { AHEAD, LuaSandbox } from './sandbox'
import { runWorkflow } from './workflow'

const CODE = `
function list_file_ids()
  print("listing in " .. tostring(skwirl.cache.get("nothing")))
  skwirl.emit_file_ids(http.get("http://api.test/files").files)
end
function get_file_metadata(id)
  return { name = id, path = "/" .. id, checksum = "", size = 1, modified_time = "2025-01-01T00:00:00Z" }
end
function download_file(id) skwirl.download_url("http://api.test/file/" .. id) end`

async function run(ahead: LuaSandbox | null): Promise<RunnerOutgoing[]> {
  const sent: RunnerOutgoing[] = []
  const host = async (call: HostCall): Promise<HostReply> => {
    if (call.method === 'http.get') {
      return {
        method: 'http.get',
        contentType: 'application/json',
        body: JSON.stringify({ files: [{ id: 'a' }, { id: 'b' }] }),
      }
    }
    if (call.method === 'download_url') return { method: 'download_url', bytes: 1, verified: true }
    throw new Error(`unexpected ${call.method}`)
  }
  await new Promise<void>((resolve, reject) => {
    runWorkflow({
      providerName: 'Ahead',
      code: CODE,
      cpuMs: 60_000,
      planDownloads: false,
      settings: {},
      host,
      ahead,
      send: (message) => {
        sent.push(message)
        if (message.type === 'done') resolve()
      },
    }).catch(reject)
  })
  return sent
}

const summary = (sent: RunnerOutgoing[]): unknown =>
  sent.map((m) =>
    m.type === 'file'
      ? { file: (m.result as FileResult).fileId, outcome: m.result.outcome }
      : m.type === 'log'
        ? { log: m.message }
        : m.type === 'done'
          ? { done: m.status, error: m.error ?? null }
          : { type: m.type },
  )

describe('a Lua state built ahead', () => {
  it('runs its run as a fresh state does, with the run’s host, output and names', async () => {
    const fresh = await run(null)
    const ahead = await run(new LuaSandbox(AHEAD))

    expect(summary(ahead)).toEqual(summary(fresh))
    expect(summary(ahead)).toContainEqual({ log: 'print: listing in nil' })
    expect(summary(ahead)).toContainEqual({ done: 'completed', error: null })
  })

  it('serves one run: a second attach, or one after the provider was loaded, is refused', async () => {
    const once = new LuaSandbox(AHEAD)
    once.attach(AHEAD)
    expect(() => once.attach(AHEAD)).toThrow('a state built ahead serves one run')

    const loaded = new LuaSandbox(AHEAD)
    expect((await loaded.load('x = 1')).ok).toBe(true)
    expect(() => loaded.attach(AHEAD)).toThrow('a state built ahead serves one run')
  })

  it('names the run’s provider in its errors', async () => {
    const sandbox = new LuaSandbox(AHEAD)
    sandbox.attach({ ...AHEAD, providerName: 'Mine' })
    const loaded = await sandbox.load('error("boom")')
    expect(loaded).toEqual({
      ok: false,
      message: 'Mine:1: in the main chunk: boom',
      budgetSpent: false,
    })
  })
})
