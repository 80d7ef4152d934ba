import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createFakeApi,
  GOOGLE_DRIVE,
  LOG_PATH,
  pagedRunFiles,
  pagedRunLog,
  runLogLines,
  run,
  runFiles,
} from '../testing/fake-api'
import { renderApp } from '../testing/render-app'
import type { StoreOptions } from '../store/store'
import { ROW_HEIGHT } from './RunFileList'

afterEach(cleanup)

const RUNS = [
  run({
    runId: 'r3',
    status: 'completed',
    startedAt: '2025-06-15T12:00:00.000Z',
    finishedAt: '2025-06-15T12:02:13.000Z',
    listed: 12,
    downloaded: 10,
    failed: 2,
    bytes: 3_400_000,
  }),
  run({
    runId: 'r2',
    status: 'cancelled',
    reason: 'stopped',
    startedAt: '2025-06-14T09:00:00.000Z',
    finishedAt: '2025-06-14T09:00:40.000Z',
    listed: 12,
    downloaded: 4,
  }),
  run({
    runId: 'r1',
    status: 'failed',
    reason: 'interrupted',
    startedAt: '2025-06-13T09:00:00.000Z',
    finishedAt: '2025-06-13T09:30:00.000Z',
    listed: 100_000,
    downloaded: 10_000,
  }),
]

async function openHistory(api = createFakeApi(), options: StoreOptions = {}) {
  const view = renderApp(api, undefined, options)
  const card = await screen.findByRole('article', { name: 'Google Drive' })
  await act(async () =>
    fireEvent.click(within(card).getByRole('button', { name: 'History of Google Drive' })),
  )
  const dialog = await screen.findByRole('dialog', { name: 'Google Drive' })
  return { ...view, dialog }
}

function runButtons(dialog: HTMLElement): HTMLElement[] {
  return within(
    within(dialog).getByRole('navigation', { name: 'Runs, newest first' }),
  ).getAllByRole('button')
}

function fileNames(dialog: HTMLElement): string[] {
  // A file without metadata is named by its id.
  return Array.from(
    dialog.querySelectorAll('.file-table__name'),
    (cell) => cell.querySelector('.file-table__id')?.textContent ?? cell.textContent ?? '',
  )
}

describe('run history', () => {
  it('lists a provider’s runs newest first and shows the newest with its files', async () => {
    const api = createFakeApi()
    api.listProviderRuns.mockResolvedValue(RUNS)
    api.listRunFiles.mockImplementation(pagedRunFiles(runFiles(12, 6)))
    const { dialog } = await openHistory(api)

    expect(api.listProviderRuns).toHaveBeenCalledWith(GOOGLE_DRIVE.id)
    const items = runButtons(dialog)
    expect(items.map((item) => item.textContent)).toEqual([
      expect.stringMatching(/^Completed with 2 failed2 min 13 s.*10 checked · 3\.4 MB$/),
      expect.stringMatching(/^Cancelled40 s.*4 of 12 files · 0 B$/),
      expect.stringMatching(/^Interrupted30 min 0 s.*10,000 of 100,000 files · 0 B$/),
    ])
    expect(items[0]?.getAttribute('aria-current')).toBe('true')

    const detail = within(dialog).getByRole('region', { name: /^Run of / })
    expect(
      within(detail).getByText('2 files could not be backed up. The log says why.'),
    ).toBeTruthy()
    expect(await within(detail).findByText('file-1.bin')).toBeTruthy()
    expect(fileNames(dialog)).toHaveLength(12)
    // A file whose metadata failed has no name: what is known is its id and where it failed.
    const failedRow = within(detail).getByText('id-6').closest('[role="row"]') as HTMLElement
    expect(within(failedRow).getByText('Failed: metadata')).toBeTruthy()
    expect(failedRow.textContent).toContain('id id-6')
    expect(failedRow.textContent).toContain(
      'Its metadata could not be read, so its name, path and size are unknown',
    )
    // No error message anywhere: outcomes and counts only.
    expect(dialog.textContent).not.toMatch(/checksum|HTTP|error:/i)

    await act(async () => fireEvent.click(within(detail).getByRole('tab', { name: /Failed/ })))
    await waitFor(() => expect(fileNames(dialog)).toEqual(['id-6', 'id-12']))
    expect(api.listRunFiles).toHaveBeenLastCalledWith({
      runId: 'r3',
      filter: 'failed',
      offset: 0,
      limit: 200,
    })

    // Another run keeps the tab that was on screen.
    await act(async () => fireEvent.click(items[1] as HTMLElement))
    expect(within(dialog).getByText('Stopped on request.')).toBeTruthy()
    expect(api.listRunFiles).toHaveBeenLastCalledWith({
      runId: 'r2',
      filter: 'failed',
      offset: 0,
      limit: 200,
    })
  })

  it('counts skipped files apart, lists them with their reasons, and marks unverified backups', async () => {
    const api = createFakeApi()
    api.listProviderRuns.mockResolvedValue([
      run({
        runId: 'r9',
        status: 'completed',
        startedAt: '2025-06-15T12:00:00.000Z',
        finishedAt: '2025-06-15T12:00:30.000Z',
        listed: 10,
        downloaded: 7,
        skipped: 3,
        bytes: 9_000,
        retries: 4,
        destination: '/media/backup/drive',
      }),
    ])
    const files = runFiles(10, 0, 3)
    const exported = files[0]
    if (exported?.outcome === 'downloaded') exported.verified = false
    api.listRunFiles.mockImplementation(pagedRunFiles(files))
    const { dialog } = await openHistory(api)

    expect(runButtons(dialog)[0]?.textContent).toMatch(/7 downloaded \(\S+ \S+\) · 3 skipped$/)
    const detail = within(dialog).getByRole('region', { name: /^Run of / })
    // Skipped is not failed: the run completed, with nothing to explain.
    expect(within(detail).queryByText(/could not be backed up/)).toBeNull()
    expect(detail.querySelector('.run-facts')?.textContent).toMatch(/Skipped3.*Retries4/)
    expect(await within(detail).findByText('file-1.bin')).toBeTruthy()
    const skippedRow = within(detail).getByText('Folder 3').closest('[role="row"]') as HTMLElement
    expect(
      within(skippedRow).getByText('Skipped: a folder (its files are backed up inside it)'),
    ).toBeTruthy()
    const unverified = within(detail).getByText('file-1.bin').closest('[role="row"]') as HTMLElement
    expect(within(unverified).getByText('Backed up (unverified)')).toBeTruthy()

    await act(async () => fireEvent.click(within(detail).getByRole('tab', { name: /Skipped/ })))
    await waitFor(() => expect(fileNames(dialog)).toEqual(['Folder 3', 'Folder 6', 'Folder 9']))
    expect(api.listRunFiles).toHaveBeenLastCalledWith({
      runId: 'r9',
      filter: 'skipped',
      offset: 0,
      limit: 200,
    })
  })

  it('draws only the rows in view of a big run and fetches pages as they scroll in', async () => {
    const api = createFakeApi()
    api.listProviderRuns.mockResolvedValue([RUNS[2] as (typeof RUNS)[number]])
    api.listRunFiles.mockImplementation(pagedRunFiles(runFiles(10_000)))
    const { dialog } = await openHistory(api)
    expect(within(dialog).getByText(/Skwirl ended before the run did/)).toBeTruthy()
    const table = await within(dialog).findByRole('table', { name: 'Files' })
    await within(table).findByText('file-1.bin')
    expect(table.getAttribute('aria-rowcount')).toBe('10001')
    expect(fileNames(dialog).length).toBeLessThan(60)

    const scroller = table.querySelector('.file-table__scroll') as HTMLElement
    await act(async () => {
      scroller.scrollTop = 5_000 * ROW_HEIGHT
      fireEvent.scroll(scroller)
    })
    expect(api.listRunFiles).toHaveBeenCalledWith({
      runId: 'r1',
      filter: 'all',
      offset: 4_800,
      limit: 200,
    })
    await within(table).findByText('file-5001.bin')
    expect(fileNames(dialog).length).toBeLessThan(60)
    expect(fileNames(dialog)).not.toContain('file-1.bin')
  })

  it('follows a running run: it appears at the top and its files grow', async () => {
    const api = createFakeApi()
    api.listProviderRuns.mockResolvedValue([])
    let files = runFiles(0)
    api.listRunFiles.mockImplementation((query) => pagedRunFiles(files)(query))
    const { dialog } = await openHistory(api)
    expect(within(dialog).getByText(/No runs yet/)).toBeTruthy()

    files = runFiles(2)
    act(() => api.emit('run:update', run({ runId: 'r9', listed: 5, downloaded: 2 })))
    expect(runButtons(dialog)).toHaveLength(1)
    await waitFor(() => expect(fileNames(dialog)).toEqual(['file-1.bin', 'file-2.bin']))

    files = runFiles(5)
    act(() =>
      api.emit(
        'run:update',
        run({
          runId: 'r9',
          status: 'completed',
          listed: 5,
          downloaded: 5,
          finishedAt: '2025-06-15T12:00:00.000Z',
        }),
      ),
    )
    await waitFor(() => expect(fileNames(dialog)).toHaveLength(5))
    expect(runButtons(dialog)[0]?.textContent).toMatch(/^Completed/)
  })

  it('says when an older run’s file list was let go', async () => {
    const api = createFakeApi()
    api.listProviderRuns.mockResolvedValue(RUNS)
    api.listRunFiles.mockResolvedValue({ total: 0, offset: 0, files: [], kept: false })
    const { dialog } = await openHistory(api)
    expect(
      await within(dialog).findByText(/Only the 10 newest runs keep their list of files/),
    ).toBeTruthy()
  })

  it('shows where the log is in the browser, and closes with Close or Escape', async () => {
    const api = createFakeApi()
    api.listProviderRuns.mockResolvedValue(RUNS)
    const { dialog, store } = await openHistory(api, { logFile: 'show' })
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Log file' })))
    expect(api.openLogFile).toHaveBeenCalled()
    expect(within(dialog).getByText(LOG_PATH)).toBeTruthy()
    // In the browser that is the answer, not a failure.
    expect(store.getState().notice).toBeNull()

    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Close' })))
    expect(screen.queryByRole('dialog')).toBeNull()

    const card = screen.getByRole('article', { name: 'Google Drive' })
    await act(async () =>
      fireEvent.click(within(card).getByRole('button', { name: 'History of Google Drive' })),
    )
    const again = await screen.findByRole('dialog', { name: 'Google Drive' })
    // The path is not kept from last time, and Escape closes too.
    expect(within(again).queryByText(LOG_PATH)).toBeNull()
    act(() => {
      again.dispatchEvent(new Event('cancel', { cancelable: true }))
    })
    expect(screen.queryByRole('dialog')).toBeNull()
  })

  it('shows no path when the desktop app opened the log itself', async () => {
    const api = createFakeApi()
    api.openLogFile.mockResolvedValue({ path: LOG_PATH, opened: true })
    const { dialog } = await openHistory(api)
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Log file' })))
    expect(api.openLogFile).toHaveBeenCalled()
    expect(within(dialog).queryByText(LOG_PATH)).toBeNull()
  })
})

describe('run history and the keyboard', () => {
  it('moves along the tabs with the arrow keys, Home and End', async () => {
    const api = createFakeApi()
    api.listProviderRuns.mockResolvedValue([run({ runId: 'r1', status: 'completed', failed: 1 })])
    const { dialog } = await openHistory(api)
    const tabs = await within(dialog).findAllByRole('tab')
    const [all, failed] = tabs as [HTMLElement, HTMLElement]
    // One tab stop for the list: the selected tab.
    expect([all.tabIndex, failed.tabIndex]).toEqual([0, -1])
    const panel = within(dialog).getByRole('tabpanel')
    expect(panel.getAttribute('aria-labelledby')).toBe(all.id)

    const skipped = tabs[2] as HTMLElement
    const log = tabs[3] as HTMLElement
    expect(tabs.map((t) => t.firstChild?.textContent)).toEqual([
      'All files',
      'Failed',
      'Skipped',
      'Log',
    ])
    all.focus()
    await act(async () => fireEvent.keyDown(all, { key: 'ArrowRight' }))
    expect(failed.getAttribute('aria-selected')).toBe('true')
    expect(document.activeElement).toBe(failed)
    expect(within(dialog).getByRole('tabpanel').getAttribute('aria-labelledby')).toBe(failed.id)
    await act(async () => fireEvent.keyDown(failed, { key: 'ArrowRight' }))
    expect(document.activeElement).toBe(skipped)
    await act(async () => fireEvent.keyDown(skipped, { key: 'ArrowRight' }))
    expect(document.activeElement).toBe(log)
    await act(async () => fireEvent.keyDown(log, { key: 'ArrowRight' }))
    expect(document.activeElement).toBe(all)
    await act(async () => fireEvent.keyDown(all, { key: 'ArrowLeft' }))
    expect(document.activeElement).toBe(log)
    await act(async () => fireEvent.keyDown(log, { key: 'Home' }))
    expect(all.getAttribute('aria-selected')).toBe('true')
    await act(async () => fireEvent.keyDown(all, { key: 'End' }))
    expect(document.activeElement).toBe(log)
  })

  it('has Stop on a run that is running here', async () => {
    const api = createFakeApi()
    api.listProviderRuns.mockResolvedValue([run({ runId: 'r5', listed: 9 })])
    const { dialog } = await openHistory(api)
    const detail = await within(dialog).findByRole('region', { name: /^Run of / })
    await act(async () =>
      fireEvent.click(within(detail).getByRole('button', { name: 'Stop this run' })),
    )
    expect(api.cancelRun).toHaveBeenCalledWith('r5')
  })
})

describe('a run’s log in the history', () => {
  it('shows its lines with level, stage, file and the provider’s line; filters, searches, pages', async () => {
    const api = createFakeApi()
    api.listProviderRuns.mockResolvedValue([run({ runId: 'r1', status: 'completed', failed: 60 })])
    api.listRunLog.mockImplementation(pagedRunLog(runLogLines(300, 5)))
    const { dialog, store } = await openHistory(api)
    await act(async () => fireEvent.click(await within(dialog).findByRole('tab', { name: 'Log' })))
    const lines = await within(dialog).findByRole('list', { name: 'Log lines' })
    // Errors, warnings and info at first: all 300 lines here, 200 a page.
    expect(within(lines).getAllByRole('listitem')).toHaveLength(200)
    expect(within(dialog).getByText('Lines 1–200 of 300')).toBeTruthy()
    const first = within(lines).getAllByRole('listitem')[4] as HTMLElement
    expect(first.textContent).toContain('metadata')
    expect(first.textContent).toContain('id-4')
    expect(first.textContent).toContain('Google Drive:42: in get_file_metadata: HTTP 404: gone 4')
    expect(within(first).getByRole('button', { name: 'line 42' })).toBeTruthy()

    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Later' })))
    await waitFor(() => expect(within(dialog).getByText('Lines 201–300 of 300')).toBeTruthy())

    // Errors only.
    for (const level of ['Warnings', 'Info']) {
      await act(async () =>
        fireEvent.click(within(dialog).getByRole('button', { name: new RegExp(`^${level}`) })),
      )
    }
    await waitFor(() => expect(within(dialog).getByText('60 lines')).toBeTruthy())
    expect(api.listRunLog).toHaveBeenLastCalledWith(
      expect.objectContaining({ levels: ['error'], offset: 0 }),
    )

    // Searching waits for the typing to pause, then asks main.
    fireEvent.change(within(dialog).getByRole('searchbox', { name: 'Search the log' }), {
      target: { value: 'GONE 299' },
    })
    await waitFor(() =>
      expect(api.listRunLog).toHaveBeenLastCalledWith(
        expect.objectContaining({ search: 'GONE 299' }),
      ),
    )
    await waitFor(() => expect(within(dialog).getByText('1 line')).toBeTruthy())

    // The line opens the provider's code there.
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'line 42' })))
    expect(store.getState().historyProviderId).toBeNull()
    expect(store.getState().editor?.focusRequest).toMatchObject({ target: 'code', line: 42 })
    // A page is 200 rows of DOM: slow in happy-dom on a busy machine.
  }, 20_000)

  it('opens at a failed file’s lines from its row', async () => {
    const api = createFakeApi()
    api.listProviderRuns.mockResolvedValue([run({ runId: 'r1', status: 'completed', failed: 2 })])
    api.listRunFiles.mockImplementation(pagedRunFiles(runFiles(12, 6)))
    api.listRunLog.mockImplementation(pagedRunLog(runLogLines(30, 5)))
    const { dialog } = await openHistory(api)
    const row = (await within(dialog).findByText('id-6')).closest('[role="row"]') as HTMLElement
    await act(async () => fireEvent.click(within(row).getByRole('button', { name: 'Log of id-6' })))
    expect(within(dialog).getByRole('tab', { name: 'Log' }).getAttribute('aria-selected')).toBe(
      'true',
    )
    expect(api.listRunLog).toHaveBeenLastCalledWith(
      expect.objectContaining({ fileId: 'id-6', levels: ['error', 'warn', 'info', 'debug'] }),
    )
    expect(within(dialog).getByText('id-6', { selector: 'code' })).toBeTruthy()
  })
})
