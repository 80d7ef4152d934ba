import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '../../../../shared/errors'
import { createFakeApi, DROPBOX, GOOGLE_DRIVE, run } from '../../testing/fake-api'
import { createSkwirlStore } from '../store'
import { EXECUTE_ERROR_MS, newerRun } from './action'
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
