import { forEachDiagnostic } from '@codemirror/lint'
import { EditorView } from '@codemirror/view'
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { Provider } from '../../../shared/api'
import { NEW_PROVIDER_CODE } from '../store/editor/template'
import { createFakeApi, deferred, DROPBOX } from '../testing/fake-api'
import { renderApp } from '../testing/render-app'

afterEach(cleanup)

const VALID =
  'function list_file_ids() end\nfunction get_file_metadata() end\nfunction download_file() end\n'

async function openEditorOn(name: string) {
  const card = await screen.findByRole('article', { name })
  await act(async () => fireEvent.click(within(card).getByRole('button', { name })))
  const editor = await screen.findByRole('region', { name: `Editor: ${name}` })
  await waitFor(() => expect(codeView()).not.toBeNull())
  // The first check answers right after the code loads.
  await waitFor(() => expect(statusBar(editor).textContent).not.toContain('Checking…'))
  return editor
}

/** The CodeMirror view inside the editor's shadow root. */
function codeView(): EditorView | null {
  const host = document.querySelector('[data-testid="lua-code-editor"]')
  const dom = host?.shadowRoot?.querySelector<HTMLElement>('.cm-editor')
  return dom ? EditorView.findFromDOM(dom) : null
}

function view(): EditorView {
  const found = codeView()
  if (!found) throw new Error('the code editor is not there')
  return found
}

/** Types by replacing the text, as CodeMirror itself does for input. */
async function typeCode(code: string) {
  await act(async () => {
    view().dispatch({
      changes: { from: 0, to: view().state.doc.length, insert: code },
      userEvent: 'input.type',
    })
  })
}

function statusBar(editor: HTMLElement): HTMLElement {
  return editor.querySelector('.editor__status') as HTMLElement
}

function saveButton(editor: HTMLElement): HTMLButtonElement {
  return within(editor).getByRole('button', { name: /^Save/ }) as HTMLButtonElement
}

function saveState(editor: HTMLElement): string {
  return editor.querySelector('.save-state')?.textContent ?? ''
}

function nameField(editor: HTMLElement): HTMLInputElement {
  return within(editor).getByRole('textbox', { name: 'Provider name' }) as HTMLInputElement
}

describe('the provider editor', () => {
  it('clean: the saved name and code, “Saved”, nothing to save, and the check’s warnings', async () => {
    renderApp()
    const editor = await openEditorOn('Dropbox')
    expect(nameField(editor).value).toBe('Dropbox')
    expect(view().state.doc.toString()).toBe(DROPBOX.code)
    expect(saveState(editor)).toBe('Saved')
    expect(saveButton(editor).disabled).toBe(true)
    expect(within(editor).queryByRole('button', { name: 'Revert' })).toBeNull()
    expect(statusBar(editor).textContent).toContain('Not defined: get_file_metadata, download_file')
    // The card it belongs to is marked as the open one.
    const card = screen.getByRole('article', { name: 'Dropbox' })
    expect(card.getAttribute('aria-current')).toBe('true')
    expect(within(card).queryByText(/Unsaved changes/)).toBeNull()
  })

  it('dirty: “Unsaved changes”, Save and Revert, and the card says Execute runs the saved code', async () => {
    renderApp()
    const editor = await openEditorOn('Dropbox')
    await typeCode(VALID)
    expect(saveState(editor)).toBe('Unsaved changes')
    expect(saveButton(editor).disabled).toBe(false)
    await waitFor(() =>
      expect(statusBar(editor).textContent).toContain(
        'Compiles; all three provider functions are defined',
      ),
    )
    const card = screen.getByRole('article', { name: 'Dropbox' })
    expect(within(card).getByText(/Unsaved changes · Execute runs the saved code/)).toBeTruthy()
    expect(within(card).getByRole('button', { name: 'Execute Dropbox' }).title).toBe(
      'Runs the saved code, without the unsaved changes',
    )

    // Revert goes back to the saved code as one change that Undo takes back.
    fireEvent.click(within(editor).getByRole('button', { name: 'Revert' }))
    expect(view().state.doc.toString()).toBe(DROPBOX.code)
    expect(saveState(editor)).toBe('Saved')
  })

  it('invalid: the error is marked at its line, named in the status bar, and Save is off', async () => {
    renderApp()
    const editor = await openEditorOn('Dropbox')
    await typeCode('local a = 1\nlocal b = = 2\nlocal c = 3')
    // (The e2e suite clicks it to go to the line: happy-dom's selection events trip CodeMirror.)
    await within(statusBar(editor)).findByRole('button', {
      name: "Line 2: unexpected symbol near '='",
    })
    expect(saveButton(editor).disabled).toBe(true)
    const marked: number[] = []
    forEachDiagnostic(view().state, (diagnostic, from) => {
      expect(diagnostic).toMatchObject({ severity: 'error', message: "unexpected symbol near '='" })
      marked.push(view().state.doc.lineAt(from).number)
    })
    expect(marked).toEqual([2])
    const range = view().dom.querySelector('.cm-lintRange-error')
    expect(range?.textContent).toBe('local b = = 2')

    // Fixed: the mark goes, Save comes back.
    await typeCode('local a = 1\nlocal b = 2\nlocal c = 3')
    await waitFor(() => expect(saveButton(editor).disabled).toBe(false))
    let left = 0
    forEachDiagnostic(view().state, () => left++)
    expect(left).toBe(0)
  })

  it('saving: “Saving…” with Save off, then “Saved”', async () => {
    const api = createFakeApi()
    renderApp(api)
    const editor = await openEditorOn('Dropbox')
    await typeCode(VALID)
    await waitFor(() => expect(statusBar(editor).textContent).toContain('Compiles'))
    const answer = deferred<Provider>()
    api.updateProvider.mockReturnValueOnce(answer.promise)
    await act(async () => fireEvent.click(saveButton(editor)))
    expect(saveState(editor)).toBe('Saving…')
    expect(saveButton(editor).disabled).toBe(true)
    await act(async () =>
      answer.resolve({ ...DROPBOX, code: VALID, updatedAt: '2025-09-01T00:00:00.000Z' }),
    )
    expect(saveState(editor)).toBe('Saved')
    expect(saveButton(editor).disabled).toBe(true)
    expect(api.updateProvider).toHaveBeenCalledWith(DROPBOX.id, {
      name: 'Dropbox',
      code: VALID,
      expectedUpdatedAt: DROPBOX.updatedAt,
    })
  })

  it('saves with Ctrl-S from the name field, and shows a clash next to the field', async () => {
    const api = createFakeApi()
    renderApp(api)
    const editor = await openEditorOn('Dropbox')
    const field = nameField(editor)
    fireEvent.change(field, { target: { value: 'google DRIVE' } })
    const problem = within(editor).getByRole('alert')
    expect(problem.textContent).toBe(
      'A provider named “google DRIVE” already exists. Choose another name.',
    )
    expect(field.getAttribute('aria-invalid')).toBe('true')
    expect(field.getAttribute('aria-describedby')).toBe(problem.id)
    // Save waits until the name is free, and says why when asked.
    expect(saveButton(editor).disabled).toBe(true)
    expect(saveButton(editor).title).toBe(
      'Not yet: A provider named “google DRIVE” already exists. Choose another name.',
    )

    fireEvent.change(field, { target: { value: '' } })
    expect(within(editor).getByRole('alert').textContent).toBe('A provider needs a name.')

    fireEvent.change(field, { target: { value: 'Box' } })
    expect(within(editor).queryByRole('alert')).toBeNull()
    await act(async () => fireEvent.keyDown(field, { key: 's', ctrlKey: true }))
    expect(api.updateProvider).toHaveBeenCalledWith(
      DROPBOX.id,
      expect.objectContaining({ name: 'Box' }),
    )
    expect(await screen.findByRole('article', { name: 'Box' })).toBeTruthy()
  })

  it('asks before closing with unsaved changes; Don’t save closes, Cancel stays', async () => {
    renderApp()
    const editor = await openEditorOn('Dropbox')
    await typeCode(VALID)
    fireEvent.click(within(editor).getByRole('button', { name: 'Close the editor' }))
    const dialog = screen.getByRole('dialog', { name: 'Save the changes to “Dropbox”?' })
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }))
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(screen.getByRole('region', { name: 'Editor: Dropbox' })).toBeTruthy()

    fireEvent.click(within(editor).getByRole('button', { name: 'Close the editor' }))
    await act(async () =>
      fireEvent.click(
        within(screen.getByRole('dialog')).getByRole('button', { name: 'Don’t save' }),
      ),
    )
    expect(screen.queryByRole('region', { name: /^Editor:/ })).toBeNull()
  })

  it('holds the page when it is closed with unsaved changes (beforeunload)', async () => {
    renderApp()
    await openEditorOn('Dropbox')
    const clean = new Event('beforeunload', { cancelable: true })
    window.dispatchEvent(clean)
    expect(clean.defaultPrevented).toBe(false)
    await typeCode(VALID)
    const dirty = new Event('beforeunload', { cancelable: true })
    window.dispatchEvent(dirty)
    expect(dirty.defaultPrevented).toBe(true)
  })

  it('starts a new provider from the blank template with the name field focused', async () => {
    renderApp()
    await screen.findByRole('article', { name: 'Dropbox' })
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'New provider' })))
    const gallery = await screen.findByRole('dialog', { name: 'New provider' })
    await act(async () => fireEvent.click(within(gallery).getByRole('button', { name: /^Blank/ })))
    const editor = await screen.findByRole('region', { name: 'Editor: New provider' })
    await waitFor(() => expect(codeView()).not.toBeNull())
    expect(view().state.doc.toString()).toBe(NEW_PROVIDER_CODE)
    expect(document.activeElement).toBe(nameField(editor))
    expect(saveState(editor)).toBe('Not saved yet')
  })

  it('makes a provider from a shipped one under a free name, and opens it', async () => {
    const api = createFakeApi()
    renderApp(api)
    await screen.findByRole('article', { name: 'Dropbox' })
    const pick = async (name: RegExp): Promise<void> => {
      await act(async () => fireEvent.click(screen.getByRole('button', { name: 'New provider' })))
      const gallery = await screen.findByRole('dialog', { name: 'New provider' })
      const item = await within(gallery).findByRole('button', { name })
      await act(async () => fireEvent.click(item))
    }
    await pick(/^WebDAV \/ Nextcloud/)
    const editor = await screen.findByRole('region', { name: 'Editor: WebDAV / Nextcloud' })
    expect(
      within(editor).getByRole('tab', { name: 'Settings & sign-in' }).getAttribute('aria-selected'),
    ).toBe('true')
    expect(api.createProvider).toHaveBeenLastCalledWith({
      name: 'WebDAV / Nextcloud',
      code: expect.stringContaining('function list_file_ids()'),
    })
    await screen.findByRole('article', { name: 'WebDAV / Nextcloud' })
    await pick(/^WebDAV \/ Nextcloud/)
    await screen.findByRole('region', { name: 'Editor: WebDAV / Nextcloud 2' })
    expect(screen.queryByRole('dialog', { name: 'New provider' })).toBeNull()
  })

  it('says when a shipped provider could not be made, and stays open', async () => {
    const api = createFakeApi()
    api.createProvider.mockRejectedValueOnce(new Error('the disk is full'))
    renderApp(api)
    await screen.findByRole('article', { name: 'Dropbox' })
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'New provider' })))
    const gallery = await screen.findByRole('dialog', { name: 'New provider' })
    const s3 = await within(gallery).findByRole('button', { name: /^S3-compatible storage/ })
    await act(async () => fireEvent.click(s3))
    expect((await within(gallery).findByRole('alert')).textContent).toBe(
      'Couldn’t create the provider. the disk is full',
    )
  })

  it('deletes from the card’s menu after asking', async () => {
    const api = createFakeApi()
    renderApp(api)
    const card = await screen.findByRole('article', { name: 'Dropbox' })
    fireEvent.click(within(card).getByRole('button', { name: 'More actions for Dropbox' }))
    fireEvent.click(within(card).getByRole('menuitem', { name: 'Delete…' }))
    const dialog = screen.getByRole('dialog', { name: 'Delete “Dropbox”?' })
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }))
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Delete' })))
    expect(api.deleteProvider).toHaveBeenCalledWith(DROPBOX.id)
    expect(screen.queryByRole('article', { name: 'Dropbox' })).toBeNull()
    expect(screen.getByText('Deleted “Dropbox”.')).toBeTruthy()
  })
})

describe('the editor and the keyboard', () => {
  it('closes with Escape and gives focus back to the card that opened it', async () => {
    renderApp()
    const card = await screen.findByRole('article', { name: 'Dropbox' })
    const opener = within(card).getByRole('button', { name: 'Dropbox' })
    opener.focus()
    await act(async () => fireEvent.click(opener))
    const editor = await screen.findByRole('region', { name: 'Editor: Dropbox' })
    await waitFor(() => expect(codeView()).not.toBeNull())

    await act(async () => fireEvent.keyDown(nameField(editor), { key: 'Escape' }))
    expect(screen.queryByRole('region', { name: /^Editor/ })).toBeNull()
    await waitFor(() => expect(document.activeElement).toBe(opener))
  })

  it('leaves Escape to what uses it first (a menu), then asks before losing changes', async () => {
    renderApp()
    const editor = await openEditorOn('Dropbox')
    await typeCode(VALID)
    const menuButton = within(editor).getByRole('button', { name: 'More actions for Dropbox' })
    await act(async () => fireEvent.click(menuButton))
    const menu = screen.getByRole('menu', { name: 'More actions for Dropbox' })
    await act(async () => fireEvent.keyDown(menu, { key: 'Escape' }))
    expect(screen.queryByRole('menu')).toBeNull()
    expect(screen.getByRole('region', { name: 'Editor: Dropbox' })).toBeTruthy()

    await act(async () => fireEvent.keyDown(nameField(editor), { key: 'Escape' }))
    expect(screen.getByRole('dialog', { name: 'Save the changes to “Dropbox”?' })).toBeTruthy()
  })
})
