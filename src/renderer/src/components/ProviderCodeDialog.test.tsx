import { act, cleanup, fireEvent, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { Provider } from '../../../shared/api'
import { ApiError } from '../../../shared/errors'
import { createFakeApi, deferred, GOOGLE_DRIVE } from '../testing/fake-api'
import { renderApp } from '../testing/render-app'

afterEach(cleanup)

async function openDriveCode() {
  const card = await screen.findByRole('article', { name: 'Google Drive' })
  const name = within(card).getByRole('button', { name: 'Google Drive' })
  // A click focuses the button in a browser; happy-dom's synthetic click does not.
  name.focus()
  await act(async () => fireEvent.click(name))
  return name
}

describe('the code dialog', () => {
  it('shows the provider code with line numbers when its name is clicked', async () => {
    const { api } = renderApp()
    expect(screen.queryByRole('dialog')).toBeNull()
    await openDriveCode()

    const dialog = screen.getByRole('dialog', { name: 'Google Drive' })
    expect(api.getProvider).toHaveBeenCalledWith(GOOGLE_DRIVE.id)
    const code = within(dialog).getByRole('region', { name: 'Lua code of Google Drive' })
    expect(code.querySelector('code')?.textContent).toBe(GOOGLE_DRIVE.code)
    expect(code.textContent).toContain('function list_file_ids()')
    // Three lines of code, three line numbers.
    expect(code.querySelector('.code-view__gutter')?.textContent).toBe('123')
  })

  it('closes on Escape and gives focus back to the name', async () => {
    renderApp()
    const name = await openDriveCode()
    const dialog = screen.getByRole('dialog', { name: 'Google Drive' })

    act(() => {
      fireEvent.keyDown(dialog, { key: 'Escape' })
    })
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(screen.queryByText(/function list_file_ids/)).toBeNull()
    expect(document.activeElement).toBe(name)
  })

  it('closes with its Close button', async () => {
    renderApp()
    await openDriveCode()
    const dialog = screen.getByRole('dialog', { name: 'Google Drive' })
    act(() => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }))
    })
    expect(screen.queryByRole('dialog')).toBeNull()
  })

  it('says the code is loading, then shows it', async () => {
    const api = createFakeApi()
    const answer = deferred<Provider>()
    api.getProvider.mockReturnValueOnce(answer.promise)
    renderApp(api)
    await openDriveCode()

    const dialog = screen.getByRole('dialog', { name: 'Google Drive' })
    expect(within(dialog).getByText('Loading code…')).toBeTruthy()
    await act(async () => answer.resolve(GOOGLE_DRIVE))
    expect(within(dialog).queryByText('Loading code…')).toBeNull()
    expect(within(dialog).getByRole('region').textContent).toContain('function list_file_ids()')
  })

  it('says when the code cannot be loaded', async () => {
    const api = createFakeApi()
    api.getProvider.mockRejectedValueOnce(new ApiError('not-found', 'That provider is gone.'))
    renderApp(api)
    await openDriveCode()

    const dialog = screen.getByRole('dialog', { name: 'Google Drive' })
    expect(within(dialog).getByRole('alert').textContent).toBe(
      'Couldn’t load the code. That provider is gone.',
    )
  })
})
