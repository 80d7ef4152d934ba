import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '../../../../shared/errors'
import { createFakeApi, DROPBOX, GOOGLE_DRIVE, run } from '../../testing/fake-api'
import { createSkwirlStore } from '../store'
import { EXECUTE_ERROR_MS, FOREIGN_RUN_REFRESH_MS, newerRun } from './action'
import { runsSelectors } from './selectors'

afterEach(() => {
  vi.useRealTimers()
})

describe('runs slice', () => {
  it('keeps the newest run of each provider from listRuns', async () => {
    const api = createFakeApi()
    api.listRuns.mockResolvedValueOnce([
      run({ runId: 'r3', status: 'running', startedAt: '2025-06-15T11:00:00Z' }),
      run({ runId: 'r2', status: 'completed', startedAt: '2025-06-15T10:00:00Z' }),
      run({ runId: 'r1', providerId: DROPBOX.id, status: 'failed' }),
    ])
    const store = createSkwirlStore(api)
    await store.getState().loadRuns()

    expect(runsSelectors.latestRun(GOOGLE_DRIVE.id)(store.getState())?.runId).toBe('r3')
    expect(runsSelectors.latestRun(DROPBOX.id)(store.getState())?.status).toBe('failed')
    expect(runsSelectors.latestRun('nobody')(store.getState())).toBeNull()
  })

  it('follows run:update events once started', async () => {
    const api = createFakeApi()
    const store = createSkwirlStore(api)
    const stop = store.getState().start()
    await vi.waitFor(() => expect(store.getState().providersStatus).toBe('ready'))

    api.emit('run:update', run({ runId: 'r1', listed: 10 }))
    expect(runsSelectors.latestRun(GOOGLE_DRIVE.id)(store.getState())).toMatchObject({
      status: 'running',
      listed: 10,
    })
    api.emit('run:update', run({ runId: 'r1', status: 'completed', listed: 10, downloaded: 10 }))
    expect(runsSelectors.latestRun(GOOGLE_DRIVE.id)(store.getState())?.status).toBe('completed')

    stop()
    api.emit('run:update', run({ runId: 'r2', startedAt: '2025-06-15T12:30:00Z' }))
    expect(runsSelectors.latestRun(GOOGLE_DRIVE.id)(store.getState())?.runId).toBe('r1')
  })

  it('calls execute for the provider; several clicks start several runs', async () => {
    const api = createFakeApi()
    const store = createSkwirlStore(api)
    await store.getState().execute(GOOGLE_DRIVE.id)
    await store.getState().execute(GOOGLE_DRIVE.id)
    expect(api.execute).toHaveBeenCalledTimes(2)
    expect(api.execute).toHaveBeenCalledWith(GOOGLE_DRIVE.id)
    expect(runsSelectors.executeError(GOOGLE_DRIVE.id)(store.getState())).toBeNull()
  })

  it('records an execute error for that card and clears it after a while', async () => {
    vi.useFakeTimers()
    const api = createFakeApi()
    api.execute.mockRejectedValueOnce(new ApiError('not-found', 'That provider is gone.'))
    const store = createSkwirlStore(api)

    await store.getState().execute(GOOGLE_DRIVE.id)
    expect(runsSelectors.executeError(GOOGLE_DRIVE.id)(store.getState())).toBe(
      'That provider is gone.',
    )
    expect(runsSelectors.executeError(DROPBOX.id)(store.getState())).toBeNull()

    vi.advanceTimersByTime(EXECUTE_ERROR_MS)
    expect(runsSelectors.executeError(GOOGLE_DRIVE.id)(store.getState())).toBeNull()
  })
})

describe('a run another Skwirl process is running', () => {
  it('is asked about again every few seconds until it has ended', async () => {
    vi.useFakeTimers()
    const api = createFakeApi()
    api.listRuns
      .mockResolvedValueOnce([run({ runId: 'cli', listed: 10, downloaded: 2, live: null })])
      .mockResolvedValueOnce([run({ runId: 'cli', listed: 10, downloaded: 6, live: null })])
      .mockResolvedValueOnce([
        run({ runId: 'cli', status: 'completed', listed: 10, downloaded: 10 }),
      ])
    const store = createSkwirlStore(api)
    await store.getState().loadRuns()
    expect(runsSelectors.latestRun(GOOGLE_DRIVE.id)(store.getState())?.downloaded).toBe(2)

    await vi.advanceTimersByTimeAsync(FOREIGN_RUN_REFRESH_MS)
    expect(runsSelectors.latestRun(GOOGLE_DRIVE.id)(store.getState())?.downloaded).toBe(6)
    await vi.advanceTimersByTimeAsync(FOREIGN_RUN_REFRESH_MS)
    expect(runsSelectors.latestRun(GOOGLE_DRIVE.id)(store.getState())?.status).toBe('completed')
    await vi.advanceTimersByTimeAsync(FOREIGN_RUN_REFRESH_MS * 3)
    expect(api.listRuns).toHaveBeenCalledTimes(3)
  })
})

describe('stopping a run', () => {
  it('asks main once, and forgets it was stopping once main says the run ended', async () => {
    const api = createFakeApi()
    const store = createSkwirlStore(api)
    store.getState().receiveRun(run({ runId: 'r1' }))
    const stopping = store.getState().stopRun('r1')
    void store.getState().stopRun('r1')
    await stopping
    expect(api.cancelRun).toHaveBeenCalledTimes(1)
    expect(runsSelectors.isStopping('r1')(store.getState())).toBe(true)
    store.getState().receiveRun(run({ runId: 'r1', status: 'cancelled', reason: 'stopped' }))
    expect(runsSelectors.isStopping('r1')(store.getState())).toBe(false)
  })

  it('says so when main could not stop it', async () => {
    const api = createFakeApi()
    api.cancelRun.mockRejectedValueOnce(new ApiError('unsupported', 'Stop it there.'))
    const store = createSkwirlStore(api)
    await store.getState().stopRun('r1')
    expect(runsSelectors.isStopping('r1')(store.getState())).toBe(false)
    expect(store.getState().notice).toMatchObject({
      tone: 'error',
      text: 'Couldn’t stop the run: Stop it there.',
    })
  })
})

describe('newerRun', () => {
  it('prefers the run that started later', () => {
    const older = run({ runId: 'a', startedAt: '2025-06-15T10:00:00Z', status: 'running' })
    const newer = run({ runId: 'b', startedAt: '2025-06-15T11:00:00Z', status: 'completed' })
    expect(newerRun(older, newer)).toBe(newer)
    expect(newerRun(newer, older)).toBe(newer)
  })

  it('never moves a run backwards when answers arrive out of order', () => {
    const finished = run({ runId: 'a', status: 'completed', listed: 5, downloaded: 5 })
    const stale = run({ runId: 'a', status: 'running', listed: 5, downloaded: 2 })
    expect(newerRun(finished, stale)).toBe(finished)
    expect(newerRun(stale, finished)).toBe(finished)
    const further = run({ runId: 'a', status: 'running', listed: 5, downloaded: 3 })
    expect(newerRun(further, stale)).toBe(further)
  })
})
