import { act, cleanup, fireEvent, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { ApiError } from '../../../shared/errors'
import { createFakeApi, GOOGLE_DRIVE, run } from '../testing/fake-api'
import { renderApp } from '../testing/render-app'

afterEach(cleanup)

async function driveCard() {
  return screen.findByRole('article', { name: 'Google Drive' })
}

function statusOf(card: HTMLElement): HTMLElement {
  return within(card).getByRole('status')
}

/** The run state line and the time line under it, as a person reads them. */
function statusLines(card: HTMLElement): string[] {
  return Array.from(statusOf(card).querySelectorAll('p'), (line) => line.textContent ?? '')
}

// Half a minute more, so the card's clock (read at mount) is already past the whole minute.
const minutesAgo = (minutes: number) =>
  new Date(Date.now() - minutes * 60_000 - 30_000).toISOString()

describe('a provider card', () => {
  it('starts a run of its provider on Execute, and keeps the button enabled for more', async () => {
    const { api } = renderApp()
    const card = await driveCard()
    const execute = within(card).getByRole('button', { name: 'Execute' })

    await act(async () => fireEvent.click(execute))
    expect(api.execute).toHaveBeenCalledWith(GOOGLE_DRIVE.id)

    act(() => api.emit('run:update', run({ runId: 'run-1', status: 'running' })))
    expect(statusLines(card)[0]).toBe('Running…')
    expect(execute.hasAttribute('disabled')).toBe(false)

    await act(async () => fireEvent.click(execute))
    expect(api.execute).toHaveBeenCalledTimes(2)
  })

  it('shows a running run with its counts once there are some', async () => {
    const { api } = renderApp()
    const card = await driveCard()

    act(() =>
      api.emit('run:update', run({ runId: 'r1', status: 'running', startedAt: minutesAgo(2) })),
    )
    expect(statusLines(card)).toEqual(['Running…', 'Started 2 min ago'])
    expect(card.querySelector('.spinner')).not.toBeNull()

    act(() => api.emit('run:update', run({ runId: 'r1', listed: 1_204, downloaded: 37 })))
    expect(statusLines(card)[0]).toBe('Running… · 1,204 listed · 37 downloaded')
  })

  it('shows a completed run with files, size and when', async () => {
    const { api } = renderApp()
    const card = await driveCard()
    act(() =>
      api.emit(
        'run:update',
        run({
          runId: 'r1',
          status: 'completed',
          startedAt: minutesAgo(9),
          finishedAt: minutesAgo(5),
          listed: 12,
          downloaded: 12,
          bytes: 3_400_000,
        }),
      ),
    )
    expect(statusLines(card)).toEqual(['Completed · 12 files · 3.4 MB', '5 min ago'])
    expect(card.querySelector('.spinner')).toBeNull()
  })

  it('shows a failed run as Failed, without any error message', async () => {
    const { api } = renderApp()
    const card = await driveCard()
    act(() =>
      api.emit(
        'run:update',
        run({ runId: 'r1', status: 'failed', finishedAt: minutesAgo(0), listed: 3 }),
      ),
    )
    expect(statusLines(card)).toEqual(['Failed', 'just now'])
    expect(within(card).queryByText(/error/i)).toBeNull()
  })

  it('shows a cancelled run', async () => {
    const { api } = renderApp()
    const card = await driveCard()
    act(() =>
      api.emit(
        'run:update',
        run({ runId: 'r1', status: 'cancelled', finishedAt: minutesAgo(120) }),
      ),
    )
    expect(statusLines(card)).toEqual(['Cancelled', '2 h ago'])
  })

  it('shows runs that were already going when the window opened', async () => {
    const api = createFakeApi()
    api.listRuns.mockResolvedValueOnce([run({ runId: 'r1', status: 'running', listed: 4 })])
    renderApp(api)
    const card = await driveCard()
    expect(await within(card).findByText('Running… · 4 listed')).toBeTruthy()
    const dropbox = screen.getByRole('article', { name: 'Dropbox' })
    expect(statusLines(dropbox)).toEqual(['Not run yet'])
  })

  it('says briefly that a run could not start', async () => {
    const api = createFakeApi()
    api.execute.mockRejectedValueOnce(new ApiError('not-found', 'That provider is gone.'))
    renderApp(api)
    const card = await driveCard()

    await act(async () => fireEvent.click(within(card).getByRole('button', { name: 'Execute' })))
    expect(statusLines(card)).toContain('Couldn’t start a run: That provider is gone.')
    const dropbox = screen.getByRole('article', { name: 'Dropbox' })
    expect(statusOf(dropbox).textContent).not.toContain('Couldn’t start')
  })
})
