// Each run's log in the database (issue 14): what a real run writes there, how the screen reads
// it (levels, search, one file, pages), the cap per run, the pruning with the file lists, and the
// category a failed run's card shows.
import { afterEach, describe, expect, it } from 'vitest'
import type { RunLogQuery, RunState } from '../../src/shared/api'
import { openDatabase } from '../../src/main/core/database'
import { currentOwner } from '../../src/main/core/process-owner'
import { RunStore } from '../../src/main/core/run-store'
import {
  DEFAULT_TOKEN,
  makeFiles,
  startDriveDouble,
  type DriveDouble,
} from '../drive-double/server'
import { googleDriveCodeFor, makeDataDir, startTestCore, type TestCore } from '../support/fixtures'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function setUp(
  files = makeFiles(12, { docsEvery: 4 }),
): Promise<{ core: TestCore; drive: DriveDouble }> {
  const drive = await startDriveDouble({ files })
  cleanups.push(() => drive.close())
  const core = startTestCore()
  cleanups.push(() => core.dispose())
  return { core, drive }
}

const ALL: RunLogQuery['levels'] = ['error', 'warn', 'info', 'debug']

function query(runId: string, fields: Partial<RunLogQuery> = {}): RunLogQuery {
  return { runId, levels: ALL, search: '', fileId: null, offset: 0, limit: 500, ...fields }
}

describe('a run’s log', () => {
  it('holds what the run wrote, with stage, file and the provider’s line, and is read a page at a time', async () => {
    const { core, drive } = await setUp()
    const provider = core.providers.create({ name: 'Drive', code: googleDriveCodeFor(drive.url) })
    const { runId, done } = core.runs.start(provider)
    const outcome = await done
    expect(outcome).toMatchObject({ status: 'completed', downloaded: 9, failed: 3, failure: null })

    const page = await core.handlers.listRunLog(query(runId))
    const messages = page.lines.map((line) => line.message)
    expect(messages[0]).toBe('run started (check only: files are verified, not kept)')
    expect(messages).toContain('listed 12 file(s)')
    expect(messages.at(-1)).toBe(
      `run completed: 12 listed, 9 downloaded, 0 unchanged, 0 skipped, 3 failed, ${outcome.bytes} bytes, 0 retries`,
    )
    expect(page.lines.map((line) => line.seq)).toEqual(page.lines.map((_, i) => i))
    const errors = page.lines.filter((line) => line.level === 'error')
    expect(errors).toHaveLength(3)
    for (const error of errors) {
      expect(error).toMatchObject({ stage: 'metadata', line: 50 })
      expect(error.fileId).toMatch(/^f0000\d\d$/)
      expect(error.message).toMatch(
        /^Drive:50: in get_file_metadata: No checksum available for file: /,
      )
    }
    expect(page.counts.error).toBe(3)
    expect(page).toMatchObject({ total: page.lines.length, kept: true, dropped: 0 })
    // Secrets never reach it: the provider's bearer token is masked everywhere.
    expect(JSON.stringify(page)).not.toContain(DEFAULT_TOKEN)

    // Filtered by level, by text (any case), by file; and paged.
    expect((await core.handlers.listRunLog(query(runId, { levels: ['error'] }))).total).toBe(3)
    expect((await core.handlers.listRunLog(query(runId, { levels: [] }))).total).toBe(0)
    const searched = await core.handlers.listRunLog(query(runId, { search: 'NO CHECKSUM' }))
    expect(searched.total).toBe(3)
    const fileId = errors[1]?.fileId as string
    const oneFile = await core.handlers.listRunLog(query(runId, { fileId }))
    expect(oneFile.lines.map((line) => line.fileId)).toEqual([fileId])
    const second = await core.handlers.listRunLog(query(runId, { offset: 2, limit: 2 }))
    expect(second.lines.map((line) => line.message)).toEqual(messages.slice(2, 4))
    expect(second.total).toBe(page.total)
    await expect(core.handlers.listRunLog(query('no-such-run'))).rejects.toThrow(
      'That run is not in the history.',
    )
  })

  it('says why a failed run failed, as a category kept with its record', async () => {
    const { core, drive } = await setUp()
    drive.faults.metadataStatus = { list: 404 }
    const provider = core.providers.create({ name: 'Drive', code: googleDriveCodeFor(drive.url) })
    const { runId, done } = core.runs.start(provider)
    const outcome = await done
    expect(outcome.failure).toEqual({
      stage: 'list',
      kind: 'http',
      summary: 'HTTP 404 at line 6',
      line: 6,
      status: 404,
    })
    expect(core.runRecords.get(runId)?.failure).toEqual(outcome.failure)
    const [latest] = await core.handlers.listRuns()
    expect(latest?.failure?.summary).toBe('HTTP 404 at line 6')
    const errors = await core.handlers.listRunLog(query(runId, { levels: ['error'] }))
    expect(errors.lines.at(-1)).toMatchObject({ stage: 'list', line: 6 })
    expect(errors.lines.at(-1)?.message).toMatch(/^run failed: Drive:6: in list_file_ids: HTTP 404/)
  })
})

describe('the run log in the store', () => {
  function storeWith(options: ConstructorParameters<typeof RunStore>[1]) {
    const data = makeDataDir()
    const db = openDatabase(data.dir)
    cleanups.push(() => data.remove())
    cleanups.push(() => void db.close())
    return new RunStore(db, options)
  }

  function runState(n: number): RunState {
    return {
      runId: `run-${n}`,
      providerId: 'p1',
      providerName: 'P',
      status: 'running',
      phase: 'starting',
      reason: null,
      failure: null,
      startedAt: new Date(Date.UTC(2025, 0, 1, 0, n)).toISOString(),
      finishedAt: null,
      listed: 0,
      downloaded: 0,
      unchanged: 0,
      skipped: 0,
      failed: 0,
      bytes: 0,
      unchangedBytes: 0,
      retries: 0,
      destination: null,
      problem: null,
      live: null,
    }
  }

  it('keeps a run’s first lines up to the cap and counts the rest', () => {
    const store = storeWith({ logLinesKept: 5 })
    const state = runState(0)
    const recorder = store.begin(
      state,
      currentOwner(),
      () => state,
      (error) => {
        throw error
      },
    )
    for (let n = 0; n < 8; n++) {
      recorder.log({
        at: state.startedAt,
        level: 'info',
        stage: 'list',
        fileId: null,
        message: `line ${n}`,
      })
      if (n === 2) recorder.flush()
    }
    state.status = 'completed'
    recorder.finish()
    const page = store.log(query('run-0'))
    expect(page?.lines.map((line) => line.message)).toEqual([
      'line 0',
      'line 1',
      'line 2',
      'line 3',
      'line 4',
    ])
    expect(page).toMatchObject({ total: 5, dropped: 3, kept: true })
  })

  it('lets a run’s log go with its file list', () => {
    const store = storeWith({ fileListsKept: 2 })
    for (let n = 0; n < 3; n++) {
      const state = runState(n)
      const recorder = store.begin(
        state,
        currentOwner(),
        () => state,
        (error) => {
          throw error
        },
      )
      recorder.log({
        at: state.startedAt,
        level: 'warn',
        stage: null,
        fileId: null,
        message: `run ${n}`,
      })
      state.status = 'completed'
      recorder.finish()
    }
    expect(store.log(query('run-0'))).toMatchObject({ kept: false, total: 0, lines: [] })
    expect(store.log(query('run-2'))?.lines.map((line) => line.message)).toEqual(['run 2'])
  })
})
