// The data directory as it is found in the wild, through the real CLI: several Skwirl processes
// starting at once on a fresh one, a damaged database, a path that is a file, and a disk that
// fills up during a run.
import { createServer, type Server } from 'node:http'
import { mkdirSync, statSync, writeFileSync, chmodSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { killStartedSkwirls, skwirl, startSkwirl } from '../support/cli'
import { makeDataDir } from '../support/fixtures'

const cleanups: Array<() => void> = []

afterEach(() => {
  killStartedSkwirls()
  while (cleanups.length > 0) cleanups.pop()?.()
})

function freshDir(): string {
  const data = makeDataDir()
  cleanups.push(data.remove)
  return data.dir
}

describe('a fresh data directory', () => {
  it('several Skwirl processes starting at once each migrate it or wait: all succeed', async () => {
    for (let round = 0; round < 3; round++) {
      const dir = freshDir()
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => skwirl(i % 2 ? ['runs'] : ['provider', 'list'], dir)),
      )
      for (const result of results) {
        expect(result.stderr).toBe('')
        expect(result.code).toBe(0)
      }
    }
  })
})

describe('a data directory Skwirl cannot use', () => {
  it('a damaged database: which file, and what to do', async () => {
    const dir = freshDir()
    writeFileSync(join(dir, 'skwirl.db'), 'this is not SQLite, just some text\n'.repeat(200))
    const out = await skwirl(['runs'], dir)
    expect(out.code).toBe(1)
    expect(out.stderr).toBe(
      `skwirl: ${join(dir, 'skwirl.db')} is not a Skwirl database, or it is damaged (file is not a database). Move it aside (Skwirl then starts with an empty one; its -wal and -shm files with it), restore it from a backup, or point SKWIRL_DATA_DIR at another directory.\n`,
    )
  })

  it('a database path that is a directory', async () => {
    const dir = freshDir()
    mkdirSync(join(dir, 'skwirl.db'))
    const out = await skwirl(['provider', 'list'], dir)
    expect(out.code).toBe(1)
    expect(out.stderr).toMatch(
      /^skwirl: \S+skwirl\.db cannot be opened \(it is a directory, not a file\)\. Check that \S+ is a directory you can write to, or point SKWIRL_DATA_DIR at another directory\.\n$/,
    )
  })

  it('a data directory that is a file, or lies under one', async () => {
    const dir = freshDir()
    const file = join(dir, 'not-a-dir')
    writeFileSync(file, 'x')
    for (const target of [file, join(file, 'skwirl')]) {
      const out = await skwirl(['runs'], target)
      expect(out.code).toBe(1)
      expect(out.stderr).toBe(
        `skwirl: Skwirl's data directory ${target} cannot be made: a file is in the way (${file} is a file). Move that file, or point SKWIRL_DATA_DIR at another directory.\n`,
      )
    }
  })

  // Root may write anywhere: only a user's permissions can be tested.
  it.runIf(process.getuid?.() !== 0)('a directory that is not writable', async () => {
    const dir = join(freshDir(), 'locked')
    mkdirSync(dir)
    chmodSync(dir, 0o555)
    cleanups.push(() => chmodSync(dir, 0o755))
    const out = await skwirl(['runs'], dir)
    expect(out.code).toBe(1)
    expect(out.stderr).toMatch(
      /cannot be opened \(it cannot be created; \S+ is not writable for you\)/,
    )
  })
})

describe('a disk that fills up during a run', () => {
  let server: Server
  let base = ''

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ids') {
        res.writeHead(200, { 'content-type': 'application/json' })
        return res.end(JSON.stringify(Array.from({ length: 200 }, (_, i) => `file-${i}`)))
      }
      res.writeHead(200, { 'content-length': '1' }).end('x')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  afterAll(async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  // RLIMIT_FSIZE (`ulimit -f`) holds every file the CLI writes to a size, as a full disk would:
  // the database's write-ahead log can no longer grow once the run is under way.
  it.runIf(process.platform === 'linux')(
    'says on stderr and in --json that the run could not be recorded, and exits 1',
    async () => {
      const dir = freshDir()
      expect((await skwirl(['runs'], dir)).code).toBe(0)
      const file = join(dir, 'many.lua')
      writeFileSync(
        file,
        `local BASE = "${base}"
function list_file_ids()
  for _, id in ipairs(http.get(BASE .. "/ids")) do skwirl.emit_file_id(id) end
end
function get_file_metadata(id)
  return { name = id .. " with a name long enough to fill pages", path = "/" .. id .. "/" .. string.rep("p", 2000),
    checksum = "", size = 1, modified_time = "2024-01-01T00:00:00Z" }
end
function download_file(id) skwirl.download_url(BASE .. "/f/" .. id) end
`,
      )
      const limitKb = Math.ceil(statSync(join(dir, 'skwirl.db')).size / 1024) + 64
      const run = startSkwirl(
        ['run', file, '--json'],
        dir,
        {},
        {
          command: 'sh',
          prefix: ['-c', `trap '' XFSZ; ulimit -f ${limitKb}; exec "$0" "$@"`, process.execPath],
        },
      )
      const out = await run.finished
      expect(out.stderr).toMatch(
        /skwirl: warning: many: this run could not be recorded \(.+\); the run history will not show it as it ended\. Check the disk and the data directory\./,
      )
      expect(out.code).toBe(1)
      const report = JSON.parse(out.stdout) as {
        status: string
        recorded: boolean
        downloaded: number
      }
      expect(report).toMatchObject({ status: 'completed', recorded: false, downloaded: 200 })
    },
  )
})
