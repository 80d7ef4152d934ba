import { describe, expect, it } from 'vitest'
import { ApiError } from '../../../../shared/errors'
import { createFakeApi, deferred, DROPBOX, GOOGLE_DRIVE, summary } from '../../testing/fake-api'
import { createSkwirlStore } from '../store'
import { providersSelectors } from './selectors'

describe('providers slice', () => {
  it('goes from idle to loading to ready with the list', async () => {
    const api = createFakeApi()
    const answer = deferred<ReturnType<typeof summary>[]>()
    api.listProviders.mockReturnValueOnce(answer.promise)
    const store = createSkwirlStore(api)
    expect(providersSelectors.status(store.getState())).toBe('idle')

    const loading = store.getState().loadProviders()
    expect(providersSelectors.status(store.getState())).toBe('loading')

    answer.resolve([summary(GOOGLE_DRIVE), summary(DROPBOX)])
    await loading
    expect(providersSelectors.status(store.getState())).toBe('ready')
    expect(providersSelectors.list(store.getState()).map((p) => p.name)).toEqual([
      'Google Drive',
      'Dropbox',
    ])
  })

  it('records the message when loading fails, and a retry clears it', async () => {
    const api = createFakeApi()
    api.listProviders.mockRejectedValueOnce(new ApiError('internal', 'The database is locked.'))
    const store = createSkwirlStore(api)

    await store.getState().loadProviders()
    expect(providersSelectors.status(store.getState())).toBe('error')
    expect(providersSelectors.error(store.getState())).toBe('The database is locked.')

    const retry = store.getState().loadProviders()
    expect(providersSelectors.status(store.getState())).toBe('loading')
    expect(providersSelectors.error(store.getState())).toBeNull()
    await retry
    expect(providersSelectors.status(store.getState())).toBe('ready')
    expect(providersSelectors.list(store.getState())).toHaveLength(2)
  })

  it('opens a provider: loading with its name, then its code', async () => {
    const api = createFakeApi()
    const store = createSkwirlStore(api)
    await store.getState().loadProviders()

    const opening = store.getState().openProviderCode(GOOGLE_DRIVE.id)
    expect(providersSelectors.openProvider(store.getState())).toMatchObject({
      id: GOOGLE_DRIVE.id,
      name: 'Google Drive',
      status: 'loading',
    })
    await opening
    expect(api.getProvider).toHaveBeenCalledWith(GOOGLE_DRIVE.id)
    expect(providersSelectors.openProvider(store.getState())).toMatchObject({
      status: 'ready',
      code: GOOGLE_DRIVE.code,
    })

    store.getState().closeProviderCode()
    expect(providersSelectors.openProvider(store.getState())).toBeNull()
  })

  it('keeps its own error when the code cannot be loaded', async () => {
    const api = createFakeApi()
    api.getProvider.mockRejectedValueOnce(new ApiError('not-found', 'That provider is gone.'))
    const store = createSkwirlStore(api)
    await store.getState().loadProviders()

    await store.getState().openProviderCode(GOOGLE_DRIVE.id)
    expect(providersSelectors.openProvider(store.getState())).toMatchObject({
      status: 'error',
      error: 'That provider is gone.',
    })
    expect(providersSelectors.status(store.getState())).toBe('ready')
  })

  it('ignores an answer for a provider that is no longer open', async () => {
    const api = createFakeApi()
    const slow = deferred<typeof GOOGLE_DRIVE>()
    api.getProvider.mockReturnValueOnce(slow.promise)
    const store = createSkwirlStore(api)
    await store.getState().loadProviders()

    const first = store.getState().openProviderCode(GOOGLE_DRIVE.id)
    await store.getState().openProviderCode(DROPBOX.id)
    slow.resolve(GOOGLE_DRIVE)
    await first
    expect(providersSelectors.openProvider(store.getState())).toMatchObject({
      id: DROPBOX.id,
      code: DROPBOX.code,
    })
  })
})
