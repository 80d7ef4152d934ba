import { describe, expect, it, vi } from 'vitest'
import type { ProviderInput } from '../../../../shared/api'
import { ApiError } from '../../../../shared/errors'
import type { ProviderFiles } from '../../files/provider-files'
import { editorSelectors } from '../editor/selectors'
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

  it('refreshes quietly: the list changes without a loading state, and a failure keeps it', async () => {
    const api = createFakeApi()
    const store = createSkwirlStore(api)
    await store.getState().loadProviders()
    api.listProviders.mockResolvedValueOnce([summary(DROPBOX)])
    const refreshing = store.getState().refreshProviders()
    expect(providersSelectors.status(store.getState())).toBe('ready')
    await refreshing
    expect(providersSelectors.list(store.getState()).map((p) => p.name)).toEqual(['Dropbox'])

    api.listProviders.mockRejectedValueOnce(new ApiError('internal', 'Gone.'))
    await store.getState().refreshProviders()
    expect(providersSelectors.status(store.getState())).toBe('ready')
    expect(providersSelectors.list(store.getState())).toHaveLength(1)
  })

  it('reloads when main says the providers changed', async () => {
    const api = createFakeApi()
    const store = createSkwirlStore(api)
    store.getState().start()
    await vi.waitFor(() => expect(providersSelectors.list(store.getState())).toHaveLength(2))
    await api.createProvider({ name: 'Box', code: '' })
    api.emit('providers:changed', {})
    await vi.waitFor(() => expect(providersSelectors.list(store.getState())).toHaveLength(3))
  })

  it('duplicates a provider, lists the copy, and opens it with its name ready to change', async () => {
    const api = createFakeApi()
    const store = createSkwirlStore(api)
    await store.getState().loadProviders()
    await store.getState().duplicateProvider(DROPBOX.id)
    expect(api.duplicateProvider).toHaveBeenCalledWith(DROPBOX.id)
    expect(providersSelectors.list(store.getState()).map((p) => p.name)).toEqual([
      'Dropbox',
      'Dropbox copy',
      'Google Drive',
    ])
    expect(providersSelectors.notice(store.getState())?.text).toBe('Made a copy: “Dropbox copy”.')
    await vi.waitFor(() => expect(store.getState().editor?.status).toBe('ready'))
    expect(store.getState().editor).toMatchObject({
      name: 'Dropbox copy',
      focusRequest: { target: 'name' },
    })
  })

  it('deletes only once confirmed, and closes the editor that showed it', async () => {
    const api = createFakeApi()
    const store = createSkwirlStore(api)
    await store.getState().loadProviders()
    store.getState().openEditor(DROPBOX.id)
    await vi.waitFor(() => expect(store.getState().editor?.status).toBe('ready'))
    store.getState().setEditorCode('x = 1')

    store.getState().askToDelete(DROPBOX.id)
    expect(providersSelectors.pendingDelete(store.getState())).toEqual({
      id: DROPBOX.id,
      name: 'Dropbox',
    })
    store.getState().cancelDelete()
    expect(api.deleteProvider).not.toHaveBeenCalled()

    store.getState().askToDelete(DROPBOX.id)
    await store.getState().confirmDelete()
    expect(api.deleteProvider).toHaveBeenCalledWith(DROPBOX.id)
    expect(providersSelectors.list(store.getState()).map((p) => p.name)).toEqual(['Google Drive'])
    expect(store.getState().editor).toBeNull()
    expect(store.getState().leaveRequest).toBeNull()
    expect(providersSelectors.notice(store.getState())?.text).toBe('Deleted “Dropbox”.')
  })

  it('says so when a delete fails, and keeps the provider', async () => {
    const api = createFakeApi()
    api.deleteProvider.mockRejectedValueOnce(new ApiError('internal', 'The disk is full.'))
    const store = createSkwirlStore(api)
    await store.getState().loadProviders()
    store.getState().askToDelete(DROPBOX.id)
    await store.getState().confirmDelete()
    expect(providersSelectors.list(store.getState())).toHaveLength(2)
    expect(providersSelectors.notice(store.getState())).toMatchObject({
      tone: 'error',
      text: 'Couldn’t delete “Dropbox”: The disk is full.',
    })
  })

  it('imports a file as a new, unsaved provider in the editor', async () => {
    const files = fakeFiles({ open: { name: 'Box', code: 'function list_file_ids() end' } })
    const store = createSkwirlStore(createFakeApi(), undefined, { files, checkDelayMs: 0 })
    await store.getState().loadProviders()
    await store.getState().importProvider()
    expect(store.getState().editor).toMatchObject({
      providerId: null,
      name: 'Box',
      code: 'function list_file_ids() end',
      saved: { name: '', code: '' },
    })
    expect(editorSelectors.isDirty(store.getState())).toBe(true)
  })

  it('imports nothing when the file dialog is cancelled, and says why a file is refused', async () => {
    const files = fakeFiles({ open: null })
    const store = createSkwirlStore(createFakeApi(), undefined, { files })
    await store.getState().importProvider()
    expect(store.getState().editor).toBeNull()
    expect(store.getState().notice).toBeNull()
    files.open.mockRejectedValueOnce(new Error('photo.lua is not UTF-8 text.'))
    await store.getState().importProvider()
    expect(store.getState().notice).toMatchObject({
      tone: 'error',
      text: 'Couldn’t import: photo.lua is not UTF-8 text.',
    })
  })

  it('opens a .lua file opened with Skwirl in the editor: at start, and when main says so', async () => {
    const api = createFakeApi()
    api.takeOpenedProviderFiles.mockResolvedValueOnce([
      { fileName: 'Box.lua', provider: { name: 'Box', code: '-- box' }, error: null },
    ])
    const store = createSkwirlStore(api, undefined, { checkDelayMs: 0 })
    const stop = store.getState().start()
    await vi.waitFor(() =>
      expect(store.getState().editor).toMatchObject({
        providerId: null,
        name: 'Box',
        code: '-- box',
      }),
    )

    api.takeOpenedProviderFiles.mockResolvedValueOnce([
      {
        fileName: 'gone.lua',
        provider: null,
        error: 'Couldn’t read gone.lua: there is no such file or folder.',
      },
    ])
    api.emit('providers:files-opened', {})
    await vi.waitFor(() =>
      expect(store.getState().notice).toMatchObject({
        tone: 'error',
        text: 'Couldn’t read gone.lua: there is no such file or folder.',
      }),
    )
    expect(store.getState().editor).toMatchObject({ name: 'Box' })
    stop()
  })

  it('opens the newest of several opened files, asking first about unsaved changes', async () => {
    const api = createFakeApi()
    const store = createSkwirlStore(api, undefined, { checkDelayMs: 0 })
    store.getState().newProvider({ name: 'Draft', code: '-- unsaved' })
    api.takeOpenedProviderFiles.mockResolvedValueOnce([
      { fileName: 'a.lua', provider: { name: 'a', code: '-- a' }, error: null },
      { fileName: 'b.lua', provider: { name: 'b', code: '-- b' }, error: null },
    ])
    await store.getState().openWaitingFiles()
    expect(store.getState().leaveRequest).toMatchObject({ kind: 'new', name: 'b', code: '-- b' })
    expect(store.getState().editor).toMatchObject({ name: 'Draft' })
    expect(store.getState().notice?.text).toBe(
      'Opened “b.lua”. Skwirl opens one file at a time: open the other one again once this one is saved.',
    )
  })

  it('exports a provider and says where it went', async () => {
    const files = fakeFiles({ save: 'Exported “Dropbox” to /home/me/Dropbox.lua.' })
    const store = createSkwirlStore(createFakeApi(), undefined, { files })
    await store.getState().loadProviders()
    await store.getState().exportProvider(DROPBOX.id)
    expect(files.save).toHaveBeenCalledWith(expect.objectContaining({ id: DROPBOX.id }))
    expect(store.getState().notice?.text).toBe('Exported “Dropbox” to /home/me/Dropbox.lua.')
  })
})

function fakeFiles(answers: { open?: ProviderInput | null; save?: string | null }) {
  return {
    open: vi.fn<ProviderFiles['open']>(async () => answers.open ?? null),
    save: vi.fn<ProviderFiles['save']>(async () => answers.save ?? null),
  }
}
