import { afterEach, describe, expect, it, vi } from 'vitest'
import { createFakeApi, DROPBOX } from '../testing/fake-api'
import { browserProviderFiles, nativeProviderFiles } from './provider-files'

afterEach(() => {
  vi.restoreAllMocks()
  document.body.innerHTML = ''
})

/** Plays the person choosing a file in the picker the browser opened. */
function choose(file: File | null) {
  const input = document.querySelector<HTMLInputElement>('input[type="file"]')
  if (!input) throw new Error('no file picker was opened')
  expect(input.accept).toBe('.lua,text/x-lua,text/plain')
  if (file === null) {
    input.dispatchEvent(new Event('cancel'))
    return
  }
  Object.defineProperty(input, 'files', { value: [file] })
  input.dispatchEvent(new Event('change'))
}

describe('files in the browser', () => {
  it('uploads a .lua file as a name and code (UTF-8, byte-order mark dropped)', async () => {
    vi.spyOn(HTMLInputElement.prototype, 'click').mockImplementation(() => {})
    const files = browserProviderFiles(createFakeApi())
    const opening = files.open()
    const bytes = new TextEncoder().encode('\uFEFFfunction list_file_ids() end -- ☁️\n')
    choose(new File([bytes], 'My Cloud.lua'))
    expect(await opening).toEqual({
      name: 'My Cloud',
      code: 'function list_file_ids() end -- ☁️\n',
    })
    expect(document.querySelector('input[type="file"]')).toBeNull()
  })

  it('answers null when the picker is closed, and refuses a file that is not text', async () => {
    vi.spyOn(HTMLInputElement.prototype, 'click').mockImplementation(() => {})
    const files = browserProviderFiles(createFakeApi())
    const cancelled = files.open()
    choose(null)
    expect(await cancelled).toBeNull()

    const binary = files.open()
    choose(new File([new Uint8Array([0xff, 0xfe, 0x00, 0x81])], 'photo.lua'))
    await expect(binary).rejects.toThrow('photo.lua is not UTF-8 text, so it cannot be Lua code.')
  })

  it('downloads the saved code under the provider’s name', async () => {
    const created: Blob[] = []
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      created.push(blob as Blob)
      return 'blob:skwirl/1'
    })
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {})
    const clicked: HTMLAnchorElement[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicked.push(this)
    })
    const api = createFakeApi()
    const message = await browserProviderFiles(api).save({ id: DROPBOX.id, name: 'Dropbox' })
    expect(message).toBe('Downloaded “Dropbox.lua”.')
    expect(api.getProvider).toHaveBeenCalledWith(DROPBOX.id)
    expect(clicked[0]?.download).toBe('Dropbox.lua')
    expect(clicked[0]?.href).toBe('blob:skwirl/1')
    expect(await created[0]?.text()).toBe(DROPBOX.code)
    expect(document.querySelector('a')).toBeNull()
  })
})

describe('files in the desktop app', () => {
  it('asks main, which shows the system dialogs', async () => {
    const api = createFakeApi()
    api.importProviderFile.mockResolvedValueOnce({ name: 'Box', code: 'x = 1' })
    api.exportProviderFile.mockResolvedValueOnce({ path: '/home/me/Dropbox.lua' })
    const files = nativeProviderFiles(api)
    expect(await files.open()).toEqual({ name: 'Box', code: 'x = 1' })
    expect(await files.save({ id: DROPBOX.id, name: 'Dropbox' })).toBe(
      'Exported “Dropbox” to /home/me/Dropbox.lua.',
    )
    expect(await files.save({ id: DROPBOX.id, name: 'Dropbox' })).toBeNull()
  })
})
