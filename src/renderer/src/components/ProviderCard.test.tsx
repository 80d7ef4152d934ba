import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { ApiError } from '../../../shared/errors'
import { formatClockTime } from '../../../shared/format'
import type { ConnectionSource, ConnectionStatus } from '../api/connection'
import { OFFLINE_REASON } from './offline'
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
    const execute = within(card).getByRole('button', { name: 'Execute Google Drive' })

    await act(async () => fireEvent.click(execute))
    expect(api.execute).toHaveBeenCalledWith(GOOGLE_DRIVE.id)

    act(() => api.emit('run:update', run({ runId: 'run-1', status: 'running' })))
    expect(statusLines(card)[0]).toBe('Backing up…')
    expect(execute.hasAttribute('disabled')).toBe(false)

    await act(async () => fireEvent.click(execute))
    expect(api.execute).toHaveBeenCalledTimes(2)
  })

  it('shows a running run: its phase, then files done of listed, the file, bytes and pace', async () => {
    const { api } = renderApp()
    const card = await driveCard()

    act(() =>
      api.emit('run:update', run({ runId: 'r1', phase: 'starting', startedAt: minutesAgo(2) })),
    )
    expect(statusLines(card)).toEqual(['Starting…', 'Started 2 min ago'])
    expect(card.querySelector('.spinner')).not.toBeNull()

    act(() =>
      api.emit(
        'run:update',
        run({ runId: 'r1', phase: 'listing', listed: 1_204, startedAt: minutesAgo(2) }),
      ),
    )
    expect(statusLines(card)[0]).toBe('Listing files…')
    const listing = within(card).getByRole('progressbar', { name: 'Listing files' })
    // While listing, nobody knows how many files there will be: the bar has no value.
    expect(listing.getAttribute('aria-valuenow')).toBeNull()
    expect(within(card).getByText('1,204 found')).toBeTruthy()

    act(() =>
      api.emit(
        'run:update',
        run({
          runId: 'r1',
          listed: 1_204,
          downloaded: 37,
          failed: 2,
          bytes: 12_400_000,
          live: {
            currentFile: 'holiday-2024.jpg',
            filesPerSecond: 8.24,
            secondsLeft: 141,
            waitingFor: null,
          },
        }),
      ),
    )
    expect(statusLines(card)[0]).toBe('Backing up…')
    const bar = within(card).getByRole('progressbar', { name: 'Files backed up' })
    expect(bar.getAttribute('aria-valuenow')).toBe('39')
    expect(bar.getAttribute('aria-valuemax')).toBe('1204')
    expect(bar.getAttribute('aria-valuetext')).toBe('39 of 1,204 files (3%)')
    expect(within(card).getByText('39 of 1,204 files')).toBeTruthy()
    expect(within(card).getByText('2 failed')).toBeTruthy()
    expect(within(card).getByText('holiday-2024.jpg')).toBeTruthy()
    expect(within(card).getByText('12 MB · 8.2 files/s · about 2 min left')).toBeTruthy()
    // The progress changes several times a second: it is kept out of the live region.
    expect(card.querySelector('.run-progress')?.getAttribute('aria-live')).toBe('off')
  })

  it('has a Stop button while its run runs here; Stop asks main to cancel that run', async () => {
    const { api } = renderApp()
    const card = await driveCard()
    expect(within(card).queryByRole('button', { name: /^Stop/ })).toBeNull()

    act(() => api.emit('run:update', run({ runId: 'r7', listed: 10, downloaded: 3 })))
    await act(async () =>
      fireEvent.click(within(card).getByRole('button', { name: 'Stop the run of Google Drive' })),
    )
    expect(api.cancelRun).toHaveBeenCalledWith('r7')
    // Until main says the run has ended, the button says it is on its way.
    const stopping = within(card).getByRole('button', { name: 'Stopping the run of Google Drive' })
    expect(stopping.hasAttribute('disabled')).toBe(true)

    act(() =>
      api.emit(
        'run:update',
        run({ runId: 'r7', status: 'cancelled', reason: 'stopped', listed: 10, downloaded: 3 }),
      ),
    )
    expect(within(card).queryByRole('button', { name: /Stop/ })).toBeNull()
    expect(statusLines(card)[0]).toBe('Cancelled · 3 of 10 files')
  })

  it('has no Stop for a run another Skwirl process is running', async () => {
    const { api } = renderApp()
    const card = await driveCard()
    act(() => api.emit('run:update', run({ runId: 'r8', listed: 10, live: null })))
    expect(statusLines(card)[0]).toBe('Running in another Skwirl process')
    expect(within(card).queryByRole('button', { name: /^Stop/ })).toBeNull()
  })

  it('says how a run ended: interrupted, stopped by a runner, cancelled as Skwirl closed', async () => {
    const { api } = renderApp()
    const card = await driveCard()
    const show = (overrides: Parameters<typeof run>[0]) =>
      act(() => api.emit('run:update', run(overrides)))
    show({ runId: 'a', status: 'failed', reason: 'interrupted', listed: 9, downloaded: 4 })
    expect(statusLines(card)[0]).toBe('Interrupted · 4 of 9 files')
    show({ runId: 'a', status: 'failed', reason: 'runner', listed: 9, downloaded: 5 })
    expect(statusLines(card)[0]).toBe('Failed: runner stopped · 5 of 9 files')
    show({
      runId: 'b',
      startedAt: minutesAgo(1),
      status: 'failed',
      reason: 'error',
      phase: 'listing',
    })
    expect(statusLines(card)[0]).toBe('Failed while listing')
    show({ runId: 'c', startedAt: minutesAgo(0), status: 'cancelled', reason: 'closed' })
    expect(statusLines(card)[0]).toBe('Cancelled: Skwirl closed')
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
    api.listRuns.mockResolvedValueOnce([
      run({ runId: 'r1', status: 'running', phase: 'listing', listed: 4 }),
    ])
    renderApp(api)
    const card = await driveCard()
    expect(await within(card).findByText('Listing files…')).toBeTruthy()
    expect(within(card).getByText('4 found')).toBeTruthy()
    const dropbox = screen.getByRole('article', { name: 'Dropbox' })
    expect(statusLines(dropbox)).toEqual(['Not run yet'])
  })

  it('says briefly that a run could not start', async () => {
    const api = createFakeApi()
    api.execute.mockRejectedValueOnce(new ApiError('not-found', 'That provider is gone.'))
    renderApp(api)
    const card = await driveCard()

    await act(async () =>
      fireEvent.click(within(card).getByRole('button', { name: 'Execute Google Drive' })),
    )
    expect(statusLines(card)).toContain('Couldn’t start a run: That provider is gone.')
    const dropbox = screen.getByRole('article', { name: 'Dropbox' })
    expect(statusOf(dropbox).textContent).not.toContain('Couldn’t start')
  })
})

describe('several runs of one provider', () => {
  it('shows each run going with its own Stop, and goes back to one line when they end', async () => {
    const { api } = renderApp()
    const card = await driveCard()
    act(() => {
      api.emit('run:update', run({ runId: 'a', startedAt: '2025-06-15T11:00:05.000Z', listed: 8 }))
      api.emit('run:update', run({ runId: 'b', startedAt: '2025-06-15T11:00:09.000Z', listed: 3 }))
    })
    expect(within(card).getByText('2 runs going')).toBeTruthy()
    const list = within(card).getByRole('list', { name: 'Runs of Google Drive going now' })
    expect(within(list).getAllByRole('listitem')).toHaveLength(2)
    // Named by when each started, newest first, so a screen reader can tell them apart.
    const stops = within(list).getAllByRole('button', { name: /^Stop the run of Google Drive/ })
    expect(stops.map((b) => b.getAttribute('aria-label'))).toEqual([
      `Stop the run of Google Drive started at ${formatClockTime('2025-06-15T11:00:09.000Z')}`,
      `Stop the run of Google Drive started at ${formatClockTime('2025-06-15T11:00:05.000Z')}`,
    ])
    await act(async () => fireEvent.click(stops[1] as HTMLElement))
    expect(api.cancelRun).toHaveBeenCalledWith('a')

    act(() => api.emit('run:update', run({ runId: 'a', status: 'cancelled', reason: 'stopped' })))
    expect(within(card).queryByText(/runs going/)).toBeNull()
    // One run left: its Stop is back beside Execute.
    await act(async () =>
      fireEvent.click(within(card).getByRole('button', { name: 'Stop the run of Google Drive' })),
    )
    expect(api.cancelRun).toHaveBeenLastCalledWith('b')
  })
})

describe('while the connection is lost', () => {
  it('says a running run’s state is old news and turns the actions off', async () => {
    const connection = controllableConnection()
    const { api } = renderApp(undefined, connection)
    const card = await driveCard()
    act(() =>
      api.emit(
        'run:update',
        run({
          runId: 'r1',
          listed: 40,
          downloaded: 12,
          live: { currentFile: 'a.jpg', filesPerSecond: 2, secondsLeft: 120, waitingFor: null },
        }),
      ),
    )
    expect(within(card).getByText('about 2 min left', { exact: false })).toBeTruthy()

    act(() => connection.set('reconnecting'))
    expect(statusLines(card)[0]).toBe('Connection lost · was backing up…')
    expect(card.textContent).not.toContain('left')
    expect(within(card).queryByRole('progressbar')).toBeNull()
    for (const name of ['Execute Google Drive', 'Stop the run of Google Drive']) {
      const button = within(card).getByRole('button', { name })
      expect(button.hasAttribute('disabled')).toBe(true)
      expect(button.title).toBe(OFFLINE_REASON)
    }

    api.listRuns.mockResolvedValueOnce([
      run({ runId: 'r1', status: 'completed', listed: 40, downloaded: 40 }),
    ])
    act(() => connection.set('open'))
    // Back: what happened meanwhile is asked for, not waited for.
    await waitFor(() => expect(statusLines(card)[0]).toMatch(/^Completed · 40 files/))
    expect(
      within(card).getByRole('button', { name: 'Execute Google Drive' }).hasAttribute('disabled'),
    ).toBe(false)
  })
})

function controllableConnection(): ConnectionSource & { set(status: ConnectionStatus): void } {
  const listeners = new Set<(status: ConnectionStatus) => void>()
  let status: ConnectionStatus = 'open'
  return {
    get status() {
      return status
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    set(next) {
      status = next
      for (const listener of listeners) listener(next)
    },
  }
}

describe('a card whose latest run failed', () => {
  it('says where and why in one line, with Show log opening that run’s log', async () => {
    const { api, store } = renderApp()
    const card = await driveCard()
    act(() =>
      api.emit(
        'run:update',
        run({
          runId: 'r9',
          status: 'failed',
          reason: 'error',
          phase: 'listing',
          failure: {
            stage: 'list',
            kind: 'http',
            summary: 'HTTP 404 at line 6',
            line: 6,
            status: 404,
          },
        }),
      ),
    )
    expect(statusLines(card).slice(0, 2)).toEqual([
      'Failed while listing',
      'HTTP 404 at line 6Show log',
    ])
    api.listProviderRuns.mockResolvedValue([
      run({ runId: 'r9', status: 'failed', reason: 'error' }),
    ])
    await act(async () =>
      fireEvent.click(
        within(card).getByRole('button', { name: 'Show log of the latest run of Google Drive' }),
      ),
    )
    expect(store.getState()).toMatchObject({ historyTab: 'log', selectedRunId: 'r9' })
    expect(api.listRunLog).toHaveBeenCalledWith(expect.objectContaining({ runId: 'r9' }))
  })
})
