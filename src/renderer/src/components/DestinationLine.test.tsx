import { act, cleanup, fireEvent, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { ApiError } from '../../../shared/errors'
import { backupCheck, createFakeApi, GOOGLE_DRIVE, run } from '../testing/fake-api'
import { renderApp } from '../testing/render-app'

afterEach(cleanup)

const FOLDER = '/home/me/Backups/Drive'

async function driveCard() {
  return screen.findByRole('article', { name: 'Google Drive' })
}

function statusLines(card: HTMLElement): string[] {
  return Array.from(within(card).getByRole('status').querySelectorAll('p'), (p) => p.textContent)
}

/** A fake api whose Google Drive already keeps its files in FOLDER. */
function withFolder() {
  const api = createFakeApi()
  void api.setProviderOptions(GOOGLE_DRIVE.id, { destination: FOLDER })
  api.setProviderOptions.mockClear()
  return api
}

describe('a card’s backup folder', () => {
  it('says in one line that a provider without a folder only checks, and offers to choose one', async () => {
    renderApp()
    const card = await driveCard()
    expect(card.textContent).toContain('Check only: files are verified, not kept.')
    expect(within(card).getByRole('button', { name: 'Choose backup folder…' })).toBeTruthy()
  })

  it('shows the last backup: when, how many files, how big, where', async () => {
    const api = withFolder()
    api.listRuns.mockResolvedValueOnce([
      run({
        runId: 'b1',
        status: 'completed',
        destination: FOLDER,
        downloaded: 4,
        unchanged: 1_200,
        bytes: 2_000_000,
        unchangedBytes: 1_198_000_000,
        startedAt: new Date(Date.now() - 5 * 60_000).toISOString(),
        finishedAt: new Date(Date.now() - 4 * 60_000 - 30_000).toISOString(),
      }),
    ])
    renderApp(api)
    const card = await driveCard()
    const folder = await within(card).findByLabelText('Backup folder')
    expect(folder.textContent).toContain('Last backup 4 min ago · 1,204 files · 1.2 GB')
    expect(folder.textContent).toContain(FOLDER)
    expect(statusLines(card)[0]).toBe('Completed · 4 downloaded (2.0 MB) · 1,200 unchanged')

    // A check-only run after it: the card's status is that run, the last backup stays.
    act(() =>
      api.emit(
        'run:update',
        run({
          runId: 'c1',
          status: 'completed',
          downloaded: 3,
          bytes: 10,
          startedAt: new Date().toISOString(),
        }),
      ),
    )
    expect(statusLines(card)[0]).toBe('Completed · 3 files · 10 B')
    expect(folder.textContent).toContain('1,204 files')
  })

  it('opens the folder on the desktop; a browser has no button for it', async () => {
    const api = withFolder()
    renderApp(api)
    const card = await driveCard()
    await within(card).findByText('Backs up here')
    await act(async () =>
      fireEvent.click(within(card).getByRole('button', { name: 'Open folder' })),
    )
    expect(api.openDestinationFolder).toHaveBeenCalledWith(GOOGLE_DRIVE.id)
    cleanup()

    renderApp(withFolder(), undefined, { mode: 'browser' })
    const browserCard = await driveCard()
    await within(browserCard).findByText('Backs up here')
    expect(within(browserCard).queryByRole('button', { name: 'Open folder' })).toBeNull()
  })

  it('says "Completed with N failed", never a plain success, when some files failed', async () => {
    const { api } = renderApp(withFolder())
    const card = await driveCard()
    act(() =>
      api.emit(
        'run:update',
        run({
          runId: 'r1',
          status: 'completed',
          destination: FOLDER,
          downloaded: 8,
          failed: 2,
          bytes: 800,
        }),
      ),
    )
    expect(statusLines(card)[0]).toBe('Completed with 2 failed · 8 downloaded (800 B)')
  })

  it('shows why the folder stopped a run, and that a run waits for a folder in use', async () => {
    const { api } = renderApp(withFolder())
    const card = await driveCard()
    act(() =>
      api.emit(
        'run:update',
        run({
          runId: 'w1',
          phase: 'starting',
          destination: FOLDER,
          live: {
            currentFile: null,
            filesPerSecond: null,
            secondsLeft: null,
            waitingFor: 'the backup of “Google Drive” (Skwirl process 4242, since 10:02:11)',
          },
        }),
      ),
    )
    expect(statusLines(card).slice(0, 2)).toEqual([
      'Waiting for the backup folder…',
      'The folder is in use by the backup of “Google Drive” (Skwirl process 4242, since 10:02:11); this run starts when it is done.',
    ])
    const problem = `destination full: 12 MB free in ${FOLDER}; the next file, a.mov, needs 2.1 GB`
    act(() =>
      api.emit(
        'run:update',
        run({
          runId: 'w1',
          status: 'failed',
          reason: 'destination',
          destination: FOLDER,
          problem,
          downloaded: 3,
          listed: 9,
        }),
      ),
    )
    expect(statusLines(card).slice(0, 2)).toEqual([
      'Failed: backup folder full · 3 of 9 files',
      problem,
    ])
  })
})

describe('the backup folder dialog', () => {
  it('saves a folder main accepts, and shows main’s reason for one it refuses', async () => {
    const { api } = renderApp()
    const card = await driveCard()
    fireEvent.click(within(card).getByRole('button', { name: 'Choose backup folder…' }))
    const dialog = await screen.findByRole('dialog', { name: 'Backup folder for “Google Drive”' })
    const path = within(dialog).getByRole('textbox', { name: 'Folder' })

    fireEvent.change(path, { target: { value: 'Backups' } })
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Save' })))
    expect(within(dialog).getByRole('alert').textContent).toMatch(/^Give the folder's full path/)
    expect(path.getAttribute('aria-invalid')).toBe('true')

    fireEvent.change(path, { target: { value: FOLDER } })
    fireEvent.change(within(dialog).getByRole('spinbutton'), { target: { value: '90' } })
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Save' })))
    expect(api.setProviderOptions).toHaveBeenLastCalledWith(GOOGLE_DRIVE.id, {
      destination: FOLDER,
      retentionDays: 90,
      transfers: 1,
    })
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(card.textContent).toContain(FOLDER)
  })

  it('goes back to check only', async () => {
    const api = withFolder()
    renderApp(api)
    const card = await driveCard()
    fireEvent.click(await within(card).findByRole('button', { name: 'Change…' }))
    const dialog = await screen.findByRole('dialog')
    expect(within(dialog).getByRole<HTMLInputElement>('textbox', { name: 'Folder' }).value).toBe(
      FOLDER,
    )
    fireEvent.click(within(dialog).getByRole('radio', { name: /Check only/ }))
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Save' })))
    expect(api.setProviderOptions).toHaveBeenLastCalledWith(GOOGLE_DRIVE.id, {
      destination: null,
      transfers: 1,
    })
    expect(card.textContent).toContain('Check only: files are verified, not kept.')
  })

  it('fills the path from the system’s folder dialog on the desktop', async () => {
    const api = createFakeApi()
    api.chooseDestinationFolder.mockResolvedValueOnce('/Volumes/Backup/Drive')
    renderApp(api)
    fireEvent.click(
      within(await driveCard()).getByRole('button', { name: 'Choose backup folder…' }),
    )
    const dialog = await screen.findByRole('dialog')
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Choose…' })))
    expect(within(dialog).getByRole<HTMLInputElement>('textbox', { name: 'Folder' }).value).toBe(
      '/Volumes/Backup/Drive',
    )
  })
})

describe('Verify all and Check backup folder', () => {
  it('are in the card’s menu once there is a folder; Verify all runs with verifyAll', async () => {
    const api = withFolder()
    renderApp(api)
    const card = await driveCard()
    await within(card).findByText('Backs up here')
    fireEvent.click(within(card).getByRole('button', { name: 'More actions for Google Drive' }))
    await act(async () => fireEvent.click(screen.getByRole('menuitem', { name: 'Verify all' })))
    expect(api.execute).toHaveBeenCalledWith(GOOGLE_DRIVE.id, { verifyAll: true })
  })

  it('shows a check’s progress, then what it found', async () => {
    const api = withFolder()
    api.checkBackup.mockRejectedValueOnce(new ApiError('invalid-argument', 'No folder.'))
    renderApp(api)
    const card = await driveCard()
    await within(card).findByText('Backs up here')
    fireEvent.click(within(card).getByRole('button', { name: 'More actions for Google Drive' }))
    await act(async () =>
      fireEvent.click(screen.getByRole('menuitem', { name: 'Check backup folder' })),
    )
    expect(screen.queryByRole('dialog')).toBeNull()

    fireEvent.click(within(card).getByRole('button', { name: 'More actions for Google Drive' }))
    await act(async () =>
      fireEvent.click(screen.getByRole('menuitem', { name: 'Check backup folder' })),
    )
    const dialog = await screen.findByRole('dialog', { name: 'Check the backup of “Google Drive”' })
    act(() =>
      api.emit(
        'backup-check:update',
        backupCheck({ dir: FOLDER, checked: 300, total: 1_204, bytes: 5_000_000 }),
      ),
    )
    expect(within(dialog).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('300')
    expect(dialog.textContent).toContain('300 of 1,204 files · 5.0 MB')
    act(() =>
      api.emit(
        'backup-check:update',
        backupCheck({
          dir: FOLDER,
          status: 'done',
          checked: 1_204,
          total: 1_204,
          problems: 2,
          problemPaths: [
            { path: 'Photos/a.jpg', problem: 'missing' },
            { path: 'b.pdf', problem: 'different bytes (checksum)' },
          ],
          finishedAt: '2025-06-15T12:01:00.000Z',
        }),
      ),
    )
    expect(dialog.textContent).toContain('2 of 1,204 files are missing or different.')
    expect(dialog.textContent).toContain('Photos/a.jpg missing')
    await act(async () =>
      fireEvent.click(within(dialog).getByRole('button', { name: 'Verify all' })),
    )
    expect(api.execute).toHaveBeenCalledWith(GOOGLE_DRIVE.id, { verifyAll: true })
  })
})
