import { cleanup, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { ProviderListItem } from '../../../shared/api'
import { ApiError } from '../../../shared/errors'
import { createFakeApi, deferred } from '../testing/fake-api'
import { renderApp } from '../testing/render-app'

afterEach(cleanup)

describe('the provider list', () => {
  it('shows the header and a card with an Execute button for each provider', async () => {
    renderApp()
    expect(screen.getByRole('heading', { level: 1, name: 'Skwirl' })).toBeTruthy()
    expect(screen.getByText('Backups of your cloud files')).toBeTruthy()

    const drive = await screen.findByRole('article', { name: 'Google Drive' })
    const dropbox = screen.getByRole('article', { name: 'Dropbox' })
    for (const card of [drive, dropbox]) {
      expect(within(card).getByRole('button', { name: /^Execute / })).toBeTruthy()
      expect(within(card).getByRole('status').textContent).toContain('Not run yet')
    }
    expect(within(drive).getByRole('button', { name: 'Google Drive' })).toBeTruthy()
  })

  it('shows skeleton cards while the list loads', async () => {
    const api = createFakeApi()
    const answer = deferred<ProviderListItem[]>()
    api.listProviders.mockReturnValueOnce(answer.promise)
    renderApp(api)

    expect(screen.getByText('Loading providers…')).toBeTruthy()
    expect(screen.queryAllByRole('article')).toHaveLength(0)
    expect(screen.queryByRole('button', { name: /^Execute / })).toBeNull()

    answer.resolve([])
    expect(await screen.findByText('No providers yet')).toBeTruthy()
    expect(screen.queryByText('Loading providers…')).toBeNull()
  })

  it('says so when there are no providers', async () => {
    renderApp(createFakeApi([]))
    expect(await screen.findByRole('heading', { name: 'No providers yet' })).toBeTruthy()
    expect(screen.getByText(/Lua script that backs up one cloud service/)).toBeTruthy()
    expect(screen.queryByRole('button', { name: /^Execute / })).toBeNull()
  })

  it('shows the error with a Retry button that loads again', async () => {
    const api = createFakeApi()
    api.listProviders.mockRejectedValueOnce(new ApiError('internal', 'The database is locked.'))
    renderApp(api)

    const alert = await screen.findByRole('alert')
    expect(within(alert).getByRole('heading', { name: 'Couldn’t load providers' })).toBeTruthy()
    expect(alert.textContent).toContain('The database is locked.')

    within(alert).getByRole('button', { name: 'Retry' }).click()
    expect(await screen.findByRole('article', { name: 'Google Drive' })).toBeTruthy()
    expect(screen.queryByRole('alert')).toBeNull()
    expect(api.listProviders).toHaveBeenCalledTimes(2)
  })
})
