import { describe, expect, it, vi } from 'vitest'
import { ApiError } from '../../../../shared/errors'
import {
  createFakeApi,
  deferred,
  DROPBOX,
  GOOGLE_DRIVE,
  LOG_PATH,
  pagedRunFiles,
  run,
  runFiles,
} from '../../testing/fake-api'
import { createSkwirlStore } from '../store'
import { RUN_FILES_PAGE } from './action'
import { historySelectors } from './selectors'

describe('history slice', () => {
  it('opens on the newest run, with what the card knows newer than the answer', async () => {
    const api = createFakeApi()
    const store = createSkwirlStore(api)
    store.getState().receiveRun(run({ runId: 'r2', listed: 9, downloaded: 7 }))
    api.listProviderRuns.mockResolvedValue([
      run({ runId: 'r2', listed: 9, downloaded: 3 }),
      run({ runId: 'r1', status: 'completed', startedAt: '2025-06-14T10:00:00.000Z' }),
    ])
    await store.getState().openHistory(GOOGLE_DRIVE.id)
    const state = store.getState()
    expect(historySelectors.selectedRun(state)).toMatchObject({ runId: 'r2', downloaded: 7 })
    expect(api.listRunFiles).toHaveBeenCalledWith({
      runId: 'r2',
      filter: 'all',
      offset: 0,
      limit: RUN_FILES_PAGE,
    })
  })

  it('takes events for its provider only', async () => {
    const api = createFakeApi()
    const store = createSkwirlStore(api)
    await store.getState().openHistory(GOOGLE_DRIVE.id)
    store.getState().receiveRun(run({ runId: 'd1', providerId: DROPBOX.id }))
    expect(store.getState().historyRuns).toEqual([])
    store.getState().receiveRun(run({ runId: 'g1' }))
    expect(store.getState().historyRuns.map((r) => r.runId)).toEqual(['g1'])
    expect(store.getState().selectedRunId).toBe('g1')
  })

  it('fetches each page once, and drops answers for a run no longer shown', async () => {
    const api = createFakeApi()
    api.listProviderRuns.mockResolvedValue([
      run({ runId: 'big', status: 'completed', downloaded: 1_000 }),
      run({ runId: 'small', status: 'completed', startedAt: '2025-06-01T00:00:00.000Z' }),
    ])
    const slow = deferred<Awaited<ReturnType<typeof api.listRunFiles>>>()
    api.listRunFiles.mockImplementationOnce(() => slow.promise)
    const store = createSkwirlStore(api)
    await store.getState().openHistory(GOOGLE_DRIVE.id)
    store.getState().needRunFiles(0, 10)
    expect(api.listRunFiles).toHaveBeenCalledTimes(1)

    store.getState().selectRun('small')
    slow.resolve(
      await pagedRunFiles(runFiles(1_000))({ runId: 'big', filter: 'all', offset: 0, limit: 200 }),
    )
    await vi.waitFor(() => expect(store.getState().runFiles?.total).toBe(0))
    expect(store.getState().runFiles?.runId).toBe('small')

    api.listRunFiles.mockImplementation(pagedRunFiles(runFiles(1_000)))
    store.getState().selectRun('big')
    await vi.waitFor(() => expect(store.getState().runFiles?.total).toBe(1_000))
    store.getState().needRunFiles(150, 450)
    await vi.waitFor(() =>
      expect(Object.keys(store.getState().runFiles?.pages ?? {})).toEqual(['0', '1', '2']),
    )
    const calls = api.listRunFiles.mock.calls.length
    store.getState().needRunFiles(0, 599)
    expect(api.listRunFiles.mock.calls.length).toBe(calls)
  })

  it('keeps the log path for browser mode, and says when the desktop could not open it', async () => {
    const api = createFakeApi()
    const store = createSkwirlStore(api, undefined, { logFile: 'open' })
    await store.getState().showLogFile()
    expect(store.getState().logFile).toEqual({ path: LOG_PATH, opened: false })
    expect(store.getState().notice?.text).toBe(`Couldn’t open the log. It is at ${LOG_PATH}`)

    api.openLogFile.mockRejectedValueOnce(new ApiError('internal', 'Something broke.'))
    await store.getState().showLogFile()
    expect(store.getState().notice).toMatchObject({
      tone: 'error',
      text: 'Couldn’t find the log: Something broke.',
    })
  })
})
