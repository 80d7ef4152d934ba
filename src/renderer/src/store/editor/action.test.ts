import { afterEach, describe, expect, it, vi } from 'vitest'
import type { CodeCheck, Provider } from '../../../../shared/api'
import { ApiError } from '../../../../shared/errors'
import {
  createFakeApi,
  deferred,
  DROPBOX,
  GOOGLE_DRIVE,
  type FakeApi,
} from '../../testing/fake-api'
import { createSkwirlStore, type SkwirlStoreApi } from '../store'
import { editorSelectors } from './selectors'
import { NEW_PROVIDER_CODE } from './template'

const VALID =
  'function list_file_ids() end\nfunction get_file_metadata() end\nfunction download_file() end\n'

afterEach(() => {
  vi.useRealTimers()
})

async function storeWith(api: FakeApi = createFakeApi(), checkDelayMs = 0) {
  const store = createSkwirlStore(api, undefined, { checkDelayMs })
  await store.getState().loadProviders()
  return { api, store }
}

async function openReady(store: SkwirlStoreApi, id: string) {
  store.getState().openEditor(id)
  await vi.waitFor(() => {
    expect(store.getState().editor?.status).toBe('ready')
    expect(store.getState().editor?.check).not.toBeNull()
  })
}

const state = (store: SkwirlStoreApi) => store.getState()

describe('the editor: opening and checking', () => {
  it('opens a provider: loading with its name, then its code, checked at once', async () => {
    const { api, store } = await storeWith()
    const answer = deferred<Provider>()
    api.getProvider.mockReturnValueOnce(answer.promise)
    store.getState().openEditor(GOOGLE_DRIVE.id)
    expect(state(store).editor).toMatchObject({
      providerId: GOOGLE_DRIVE.id,
      status: 'loading',
      name: 'Google Drive',
    })
    answer.resolve(GOOGLE_DRIVE)
    await vi.waitFor(() => expect(state(store).editor?.check).not.toBeNull())
    expect(state(store).editor).toMatchObject({ status: 'ready', code: GOOGLE_DRIVE.code })
    expect(editorSelectors.isDirty(state(store))).toBe(false)
    expect(editorSelectors.currentCheck(state(store))).toEqual({
      syntaxError: null,
      missingFunctions: ['get_file_metadata', 'download_file'],
    })
  })

  it('says when the code cannot be loaded', async () => {
    const api = createFakeApi()
    api.getProvider.mockRejectedValueOnce(new ApiError('not-found', 'That provider is gone.'))
    const { store } = await storeWith(api)
    store.getState().openEditor(GOOGLE_DRIVE.id)
    await vi.waitFor(() => expect(state(store).editor?.status).toBe('error'))
    expect(state(store).editor?.loadError).toBe('That provider is gone.')
  })

  it('checks after typing pauses: one check for a burst of keys, for the latest text', async () => {
    vi.useFakeTimers()
    const { api, store } = await storeWith(createFakeApi(), 300)
    store.getState().openEditor(DROPBOX.id)
    await vi.advanceTimersByTimeAsync(0)
    api.checkProviderCode.mockClear()

    for (const code of ['x', 'x =', 'x = = 1']) {
      store.getState().setEditorCode(code)
      await vi.advanceTimersByTimeAsync(100)
    }
    expect(api.checkProviderCode).not.toHaveBeenCalled()
    expect(editorSelectors.currentCheck(state(store))).toBeNull()
    await vi.advanceTimersByTimeAsync(300)
    expect(api.checkProviderCode).toHaveBeenCalledTimes(1)
    expect(api.checkProviderCode).toHaveBeenCalledWith({ name: 'Dropbox', code: 'x = = 1' })
    expect(editorSelectors.syntaxError(state(store))).toEqual({
      line: 1,
      message: "unexpected symbol near '='",
    })
    expect(editorSelectors.canSave(state(store))).toBe(false)
  })

  it('ignores an answer that comes after a newer one', async () => {
    const { api, store } = await storeWith()
    await openReady(store, DROPBOX.id)
    const slow = deferred<CodeCheck>()
    api.checkProviderCode.mockReturnValueOnce(slow.promise)
    store.getState().setEditorCode('x = = 1')
    const first = store.getState().checkEditorCode()
    store.getState().setEditorCode(VALID)
    await store.getState().checkEditorCode()
    slow.resolve({ syntaxError: { line: 1, message: 'late' }, missingFunctions: [] })
    await first
    expect(state(store).editor?.check?.code).toBe(VALID)
    expect(editorSelectors.syntaxError(state(store))).toBeNull()
  })
})

describe('the editor: saving', () => {
  it('saves name and code with the version it opened, and is clean again', async () => {
    const { api, store } = await storeWith()
    await openReady(store, DROPBOX.id)
    store.getState().setEditorName('  My Box ')
    store.getState().setEditorCode(VALID)
    expect(editorSelectors.isDirty(state(store))).toBe(true)
    expect(editorSelectors.hasUnsavedEdits(DROPBOX.id)(state(store))).toBe(true)

    expect(await store.getState().saveEditor()).toBe(true)
    expect(api.updateProvider).toHaveBeenCalledWith(DROPBOX.id, {
      name: 'My Box',
      code: VALID,
      expectedUpdatedAt: DROPBOX.updatedAt,
    })
    expect(state(store).editor).toMatchObject({ name: 'My Box', code: VALID, saving: false })
    expect(editorSelectors.isDirty(state(store))).toBe(false)
    expect(state(store).providers.map((p) => p.name)).toEqual(['Google Drive', 'My Box'])
  })

  it('is saving while main answers, and keeps what is typed meanwhile as unsaved', async () => {
    const { api, store } = await storeWith()
    await openReady(store, DROPBOX.id)
    store.getState().setEditorCode(VALID)
    await store.getState().checkEditorCode()
    const answer = deferred<Provider>()
    api.updateProvider.mockReturnValueOnce(answer.promise)
    const saving = store.getState().saveEditor()
    expect(state(store).editor?.saving).toBe(true)
    expect(editorSelectors.canSave(state(store))).toBe(false)
    store.getState().setEditorCode(`${VALID}-- more`)
    answer.resolve({ ...DROPBOX, code: VALID, updatedAt: '2025-08-01T00:00:00.000Z' })
    expect(await saving).toBe(true)
    expect(state(store).editor?.saved.code).toBe(VALID)
    expect(editorSelectors.isDirty(state(store))).toBe(true)
  })

  it('does not send a blank name or a name another provider has (in any case)', async () => {
    const { api, store } = await storeWith()
    await openReady(store, DROPBOX.id)
    expect(editorSelectors.nameProblem(state(store))).toBeNull()
    store.getState().setEditorName('   ')
    expect(editorSelectors.nameProblem(state(store))).toBe('A provider needs a name.')
    expect(await store.getState().saveEditor()).toBe(false)
    store.getState().setEditorName('GOOGLE drive')
    expect(editorSelectors.nameProblem(state(store))).toBe(
      'A provider named “GOOGLE drive” already exists. Choose another name.',
    )
    expect(await store.getState().saveEditor()).toBe(false)
    expect(state(store).editor?.focusRequest.target).toBe('name')
    // Its own name in another case is fine.
    store.getState().setEditorName('DROPBOX')
    expect(editorSelectors.nameProblem(state(store))).toBeNull()
    expect(api.updateProvider).not.toHaveBeenCalled()
  })

  it('does not send code with a syntax error, and says why', async () => {
    const { api, store } = await storeWith()
    await openReady(store, DROPBOX.id)
    store.getState().setEditorCode('local a = 1\nlocal b = = 2')
    expect(await store.getState().saveEditor()).toBe(false)
    expect(api.updateProvider).not.toHaveBeenCalled()
    expect(state(store).editor?.saveError).toBe(
      'Not saved: the code has an error on line 2. Fix it, then save.',
    )
    // Editing clears the message.
    store.getState().setEditorCode('local a = 1\nlocal b = 2')
    expect(state(store).editor?.saveError).toBeNull()
  })

  it('puts a clash main reports next to the name', async () => {
    const api = createFakeApi()
    api.updateProvider.mockRejectedValueOnce(
      new ApiError('conflict', 'A provider named “Box” already exists. Choose another name.'),
    )
    const { store } = await storeWith(api)
    await openReady(store, DROPBOX.id)
    store.getState().setEditorName('Box')
    expect(await store.getState().saveEditor()).toBe(false)
    expect(editorSelectors.nameProblem(state(store))).toBe(
      'A provider named “Box” already exists. Choose another name.',
    )
  })

  it('understands the preload’s errors (a plain Error named ApiError:<code>)', async () => {
    const api = createFakeApi()
    const preloadError = new Error('Changed elsewhere.')
    preloadError.name = 'ApiError:outdated'
    api.updateProvider.mockRejectedValueOnce(preloadError)
    const { store } = await storeWith(api)
    await openReady(store, DROPBOX.id)
    store.getState().setEditorCode(VALID)
    expect(await store.getState().saveEditor()).toBe(false)
    expect(state(store).editor?.conflict).toBe('outdated')
  })

  it('after a change elsewhere, saves over it only when asked, or loads the other version', async () => {
    const { api, store } = await storeWith()
    await openReady(store, DROPBOX.id)
    await api.updateProvider(DROPBOX.id, {
      name: 'Dropbox',
      code: 'x = "cli"',
      expectedUpdatedAt: null,
    })
    store.getState().setEditorCode('x = "mine"')
    expect(await store.getState().saveEditor()).toBe(false)
    expect(state(store).editor?.conflict).toBe('outdated')

    expect(await store.getState().saveEditor({ overwrite: true })).toBe(true)
    expect(api.updateProvider).toHaveBeenLastCalledWith(DROPBOX.id, {
      name: 'Dropbox',
      code: 'x = "mine"',
      expectedUpdatedAt: null,
    })
    expect(state(store).editor?.conflict).toBeNull()

    await api.updateProvider(DROPBOX.id, {
      name: 'Dropbox',
      code: 'x = 2',
      expectedUpdatedAt: null,
    })
    store.getState().setEditorCode('x = "again"')
    const session = state(store).editor?.session
    await store.getState().reloadEditor()
    expect(state(store).editor).toMatchObject({ code: 'x = 2', conflict: null })
    expect(state(store).editor?.session).not.toBe(session)
    expect(editorSelectors.isDirty(state(store))).toBe(false)
  })
})

describe('the editor: line breaks', () => {
  it('shows a provider saved with \\r\\n line breaks clean, and saves \\n ones', async () => {
    const windows: Provider = {
      ...DROPBOX,
      id: 'windows',
      name: 'Windows',
      code: 'x = 1\r\ny = 2\r\n',
    }
    const { api, store } = await storeWith(createFakeApi([windows]))
    await openReady(store, 'windows')
    expect(state(store).editor?.code).toBe('x = 1\ny = 2\n')
    expect(editorSelectors.isDirty(state(store))).toBe(false)
    expect(editorSelectors.currentCheck(state(store))).not.toBeNull()
    store.getState().setEditorCode('x = 1\ny = 3\n')
    expect(await store.getState().saveEditor()).toBe(true)
    expect(api.updateProvider).toHaveBeenCalledWith(
      'windows',
      expect.objectContaining({ code: 'x = 1\ny = 3\n' }),
    )
  })
})

describe('the editor: new providers', () => {
  it('starts from the template, which can be left without asking', async () => {
    const { store } = await storeWith()
    store.getState().newProvider()
    expect(state(store).editor).toMatchObject({
      providerId: null,
      name: '',
      code: NEW_PROVIDER_CODE,
      focusRequest: { target: 'name' },
    })
    expect(editorSelectors.isDirty(state(store))).toBe(false)
    // Not saved yet, but nameless: Save waits for a name, then is offered unchanged.
    expect(editorSelectors.canSave(state(store))).toBe(false)
    store.getState().setEditorName('Box')
    expect(editorSelectors.canSave(state(store))).toBe(true)
    store.getState().setEditorName('')
    store.getState().closeEditor()
    expect(state(store).editor).toBeNull()
    expect(state(store).leaveRequest).toBeNull()
  })

  it('is created on its first save and then saved like any other', async () => {
    const { api, store } = await storeWith()
    store.getState().newProvider()
    await vi.waitFor(() => expect(state(store).editor?.check).not.toBeNull())
    expect(await store.getState().saveEditor()).toBe(false)
    expect(editorSelectors.nameProblem(state(store))).toBe('A provider needs a name.')

    store.getState().setEditorName('Example')
    expect(await store.getState().saveEditor()).toBe(true)
    expect(api.createProvider).toHaveBeenCalledWith({ name: 'Example', code: NEW_PROVIDER_CODE })
    const id = state(store).editor?.providerId
    expect(id).toMatch(/^new-/)
    expect(state(store).providers.map((p) => p.name)).toContain('Example')

    store.getState().setEditorCode(VALID)
    expect(await store.getState().saveEditor()).toBe(true)
    expect(api.updateProvider).toHaveBeenCalledWith(id, expect.objectContaining({ code: VALID }))
  })
})

describe('the editor: leaving with unsaved changes', () => {
  async function dirtyDropbox() {
    const env = await storeWith()
    await openReady(env.store, DROPBOX.id)
    env.store.getState().setEditorCode(VALID)
    return env
  }

  it('asks before closing; Cancel stays, Don’t save closes', async () => {
    const { store } = await dirtyDropbox()
    store.getState().closeEditor()
    expect(state(store).leaveRequest).toEqual({ kind: 'close' })
    expect(state(store).editor).not.toBeNull()
    await store.getState().resolveLeave('cancel')
    expect(state(store).leaveRequest).toBeNull()
    expect(state(store).editor?.code).toBe(VALID)

    store.getState().closeEditor()
    await store.getState().resolveLeave('discard')
    expect(state(store).editor).toBeNull()
    expect(state(store).leaveRequest).toBeNull()
  })

  it('asks before opening another provider; Save saves and then opens it', async () => {
    const { api, store } = await dirtyDropbox()
    store.getState().openEditor(GOOGLE_DRIVE.id)
    expect(state(store).leaveRequest).toMatchObject({ kind: 'open', id: GOOGLE_DRIVE.id })
    await store.getState().resolveLeave('save')
    expect(api.updateProvider).toHaveBeenCalledWith(
      DROPBOX.id,
      expect.objectContaining({ code: VALID }),
    )
    await vi.waitFor(() => expect(state(store).editor?.status).toBe('ready'))
    expect(state(store).editor?.providerId).toBe(GOOGLE_DRIVE.id)
  })

  it('stays when Save fails', async () => {
    const { store } = await dirtyDropbox()
    store.getState().setEditorName('Google Drive')
    store.getState().closeEditor()
    await store.getState().resolveLeave('save')
    expect(state(store).editor?.providerId).toBe(DROPBOX.id)
    expect(editorSelectors.nameProblem(state(store))).toMatch(/already exists/)
  })

  it('does not ask to open what is already open; it goes to the name when asked', async () => {
    const { store } = await dirtyDropbox()
    const seq = state(store).editor?.focusRequest.seq ?? 0
    store.getState().openEditor(DROPBOX.id, { focus: 'name' })
    expect(state(store).leaveRequest).toBeNull()
    expect(state(store).editor?.focusRequest).toEqual({ target: 'name', seq: seq + 1 })
    expect(state(store).editor?.code).toBe(VALID)
  })
})

describe('the editor: changes made elsewhere', () => {
  it('shows the new version of an unchanged provider, and warns about one with edits', async () => {
    const { api, store } = await storeWith()
    await openReady(store, DROPBOX.id)
    await api.updateProvider(DROPBOX.id, {
      name: 'Dropbox',
      code: 'x = 9',
      expectedUpdatedAt: null,
    })
    await store.getState().refreshProviders()
    await vi.waitFor(() => expect(state(store).editor?.code).toBe('x = 9'))

    store.getState().setEditorCode('x = 10')
    await api.updateProvider(DROPBOX.id, {
      name: 'Dropbox',
      code: 'x = 11',
      expectedUpdatedAt: null,
    })
    await store.getState().refreshProviders()
    expect(state(store).editor).toMatchObject({ code: 'x = 10', conflict: 'outdated' })
  })

  it('closes an unchanged provider deleted elsewhere; keeps edits to one as a new provider', async () => {
    const { api, store } = await storeWith()
    await openReady(store, DROPBOX.id)
    await api.deleteProvider(DROPBOX.id)
    await store.getState().refreshProviders()
    expect(state(store).editor).toBeNull()
    expect(state(store).notice?.text).toBe('“Dropbox” was deleted somewhere else.')

    await openReady(store, GOOGLE_DRIVE.id)
    store.getState().setEditorCode(VALID)
    await api.deleteProvider(GOOGLE_DRIVE.id)
    await store.getState().refreshProviders()
    expect(state(store).editor?.conflict).toBe('deleted')
    store.getState().keepAsNewProvider()
    expect(await store.getState().saveEditor()).toBe(true)
    expect(api.createProvider).toHaveBeenCalledWith({ name: 'Google Drive', code: VALID })
  })
})
