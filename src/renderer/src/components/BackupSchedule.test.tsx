// Schedules on the screen: the card's schedule line and last good backup, the schedule editor,
// the settings dialog, and the notices browser mode shows about scheduled runs.
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest'
import type { BackupStatus, RunNotice } from '../../../shared/api'
import { ApiError } from '../../../shared/errors'
import { createFakeApi, DROPBOX, GOOGLE_DRIVE } from '../testing/fake-api'
import { renderApp } from '../testing/render-app'

afterEach(cleanup)

const HOUR = 3_600_000

async function card(name: string) {
  return screen.findByRole('article', { name })
}

function status(providerId: string, changes: Partial<BackupStatus>): BackupStatus {
  return {
    providerId,
    schedule: { kind: 'off' },
    nextRunAt: null,
    lastGoodBackupAt: null,
    overdue: false,
    ...changes,
  }
}

function withStatuses(...statuses: BackupStatus[]) {
  const api = createFakeApi()
  api.listBackupStatus.mockResolvedValue({
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    hourMs: HOUR,
    providers: statuses,
  })
  return api
}

describe('a card’s schedule and last good backup', () => {
  it('says when a provider is not scheduled, and has never completed a backup', async () => {
    renderApp()
    const drive = await card('Google Drive')
    expect(
      await within(drive).findByRole('button', {
        name: 'Schedule of Google Drive: Not scheduled · Schedule…',
      }),
    ).toBeTruthy()
    expect(within(drive).getByText('No complete backup yet')).toBeTruthy()
  })

  it('shows the schedule, the next run and the last good backup', async () => {
    const lastGood = new Date(Date.now() - 3 * HOUR - 60_000).toISOString()
    renderApp(
      withStatuses(
        status(GOOGLE_DRIVE.id, {
          schedule: { kind: 'interval', hours: 6 },
          nextRunAt: new Date(Date.now() + 25 * 60_000 + 30_000).toISOString(),
          lastGoodBackupAt: lastGood,
        }),
      ),
    )
    const drive = await card('Google Drive')
    await within(drive).findByText('Every 6 hours')
    expect(within(drive).getByText('Next in 26 min')).toBeTruthy()
    const good = within(drive).getByText(/Last good backup/)
    expect(good.closest('p')?.textContent).toBe('Last good backup 3 h ago')
    expect(good.closest('p')?.className).not.toContain('overdue')
  })

  it('flags a provider whose last good backup is overdue', async () => {
    renderApp(
      withStatuses(
        status(GOOGLE_DRIVE.id, {
          schedule: { kind: 'daily', time: '02:30' },
          nextRunAt: new Date(Date.now() + 5 * HOUR).toISOString(),
          lastGoodBackupAt: new Date(Date.now() - 3 * 24 * HOUR).toISOString(),
          overdue: true,
        }),
        status(DROPBOX.id, {
          schedule: { kind: 'weekly', weekday: 1, time: '09:00' },
          nextRunAt: new Date(Date.now() - 60_000).toISOString(),
          overdue: true,
        }),
      ),
    )
    const drive = await card('Google Drive')
    const line = await within(drive).findByText(/Last good backup/)
    expect(line.closest('p')?.textContent).toBe('Last good backup 3 d ago · overdue')
    expect(line.closest('p')?.getAttribute('title')).toMatch(/twice the time between/)
    const dropbox = await card('Dropbox')
    expect(within(dropbox).getByText('Weekly on Monday at 09:00')).toBeTruthy()
    expect(within(dropbox).getByText('Due now')).toBeTruthy()
    expect(within(dropbox).getByText(/No complete backup yet · overdue/)).toBeTruthy()
  })

  it('reloads when main says the status changed', async () => {
    const api = createFakeApi()
    renderApp(api)
    const drive = await card('Google Drive')
    await within(drive).findByText('No complete backup yet')
    api.listBackupStatus.mockResolvedValue({
      timeZone: 'UTC',
      hourMs: HOUR,
      providers: [status(GOOGLE_DRIVE.id, { lastGoodBackupAt: new Date().toISOString() })],
    })
    await act(async () => api.emit('backup-status:changed', {}))
    expect(await within(drive).findByText(/Last good backup/)).toBeTruthy()
  })
})

describe('the schedule editor', () => {
  async function openEditor(name = 'Google Drive') {
    const target = await card(name)
    fireEvent.click(
      await within(target).findByRole('button', { name: new RegExp(`^Schedule of ${name}`) }),
    )
    return screen.getByRole('dialog', { name: `Schedule backups of ${name}` })
  }

  it('sets a daily schedule from the card, and the card shows it', async () => {
    // Noon: 03:15 is hours away whichever the day (within the hour the editor says "in N min").
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2025-06-15T12:00:00Z'))
    onTestFinished(() => {
      vi.useRealTimers()
    })
    const { api } = renderApp()
    const dialog = await openEditor()
    expect(within(dialog).getByRole('radio', { name: 'Off' })).toHaveProperty('checked', true)
    fireEvent.click(within(dialog).getByRole('radio', { name: 'Daily' }))
    fireEvent.change(within(dialog).getByLabelText('At'), { target: { value: '03:15' } })
    expect(within(dialog).getByRole('status').textContent).toMatch(
      /^Daily at 03:15\. First run (today|tomorrow) at 03:15\.$/,
    )
    await act(async () =>
      fireEvent.click(within(dialog).getByRole('button', { name: 'Save schedule' })),
    )
    expect(api.setProviderOptions).toHaveBeenCalledWith(GOOGLE_DRIVE.id, {
      schedule: { kind: 'daily', time: '03:15' },
    })
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(within(await card('Google Drive')).getByText('Daily at 03:15')).toBeTruthy()
  })

  it('opens from the card’s menu too, with the schedule it has, and sets a weekly one', async () => {
    const { api } = renderApp(
      withStatuses(status(DROPBOX.id, { schedule: { kind: 'interval', hours: 12 } })),
    )
    const dropbox = await card('Dropbox')
    await within(dropbox).findByText('Every 12 hours')
    fireEvent.click(within(dropbox).getByRole('button', { name: 'More actions for Dropbox' }))
    fireEvent.click(within(dropbox).getByRole('menuitem', { name: 'Schedule…' }))
    const dialog = screen.getByRole('dialog', { name: 'Schedule backups of Dropbox' })
    expect(within(dialog).getByRole('radio', { name: 'Hourly' })).toHaveProperty('checked', true)
    expect(within(dialog).getByRole('spinbutton', { name: 'Hours between runs' })).toHaveProperty(
      'value',
      '12',
    )
    fireEvent.click(within(dialog).getByRole('radio', { name: 'Weekly' }))
    fireEvent.change(within(dialog).getByLabelText('On'), { target: { value: '5' } })
    fireEvent.change(within(dialog).getByLabelText('at'), { target: { value: '18:00' } })
    await act(async () =>
      fireEvent.click(within(dialog).getByRole('button', { name: 'Save schedule' })),
    )
    expect(api.setProviderOptions).toHaveBeenCalledWith(DROPBOX.id, {
      schedule: { kind: 'weekly', weekday: 5, time: '18:00' },
    })
  })

  it('will not save hours that are not a whole number from 1 to 168, and says why', async () => {
    const { api } = renderApp()
    const dialog = await openEditor()
    fireEvent.click(within(dialog).getByRole('radio', { name: 'Hourly' }))
    const hours = within(dialog).getByRole('spinbutton', { name: 'Hours between runs' })
    for (const bad of ['0', '169', '1.5', '']) {
      fireEvent.change(hours, { target: { value: bad } })
      expect(within(dialog).getByRole('status').textContent).toMatch(/from 1 to 168/)
      expect(hours.getAttribute('aria-invalid')).toBe('true')
      expect(within(dialog).getByRole('button', { name: 'Save schedule' })).toHaveProperty(
        'disabled',
        true,
      )
    }
    fireEvent.change(hours, { target: { value: '8' } })
    expect(within(dialog).getByRole('status').textContent).toMatch(
      /^Every 8 hours\. First run (today|tomorrow) at \d\d:\d\d\.$/,
    )
    expect(api.setProviderOptions).not.toHaveBeenCalled()
  })

  it('keeps the dialog open with the reason when main refuses', async () => {
    const { api } = renderApp()
    api.setProviderOptions.mockRejectedValueOnce(
      new ApiError('not-found', 'No provider has the id x.'),
    )
    const dialog = await openEditor()
    fireEvent.click(within(dialog).getByRole('radio', { name: 'Daily' }))
    await act(async () =>
      fireEvent.click(within(dialog).getByRole('button', { name: 'Save schedule' })),
    )
    expect(within(dialog).getByRole('alert').textContent).toBe(
      'Couldn’t save the schedule: No provider has the id x.',
    )
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }))
    expect(screen.queryByRole('dialog')).toBeNull()
  })
})

describe('settings', () => {
  async function openSettings() {
    fireEvent.click(await screen.findByRole('button', { name: 'Settings' }))
    return screen.findByRole('dialog', { name: 'Settings' })
  }

  it('in the desktop app: tray, login, notifications and the log level, each applied at once', async () => {
    const { api } = renderApp()
    const dialog = await openSettings()
    const tray = await within(dialog).findByRole('checkbox', {
      name: /Keep running in the tray when the window is closed/,
    })
    expect(tray).toHaveProperty('checked', true)
    const login = within(dialog).getByRole('checkbox', { name: /Start Skwirl when I log in/ })
    expect(login).toHaveProperty('checked', false)
    await act(async () => fireEvent.click(login))
    expect(api.updateAppSettings).toHaveBeenCalledWith({ openAtLogin: true })
    expect(login).toHaveProperty('checked', true)
    await act(async () =>
      fireEvent.change(within(dialog).getByLabelText('What the log records'), {
        target: { value: 'debug' },
      }),
    )
    expect(api.updateAppSettings).toHaveBeenLastCalledWith({ logLevel: 'debug' })
    fireEvent.click(within(dialog).getByRole('button', { name: 'Done' }))
    expect(screen.queryByRole('dialog')).toBeNull()
  })

  it('in a browser: no tray nor login, and a log level set at start-up is said, not changeable', async () => {
    const api = createFakeApi()
    api.getAppSettings.mockResolvedValue({
      keepRunningInTray: true,
      openAtLogin: false,
      notifications: false,
      logLevel: 'info',
      logLevelOverride: 'debug',
    })
    renderApp(api, undefined, { mode: 'browser' })
    const dialog = await openSettings()
    const notify = await within(dialog).findByRole('checkbox', {
      name: /Tell me when a scheduled backup needs me/,
    })
    expect(notify).toHaveProperty('checked', false)
    expect(within(dialog).queryByRole('checkbox', { name: /tray/ })).toBeNull()
    expect(within(dialog).queryByRole('checkbox', { name: /log in/ })).toBeNull()
    expect(within(dialog).getByLabelText('What the log records')).toHaveProperty('disabled', true)
    expect(within(dialog).getByText(/started with the log level “debug”/)).toBeTruthy()
  })

  it('puts a setting back, and says why, when main refuses it', async () => {
    const { api } = renderApp()
    api.updateAppSettings.mockRejectedValueOnce(new Error('The database is locked.'))
    const dialog = await openSettings()
    const notify = await within(dialog).findByRole('checkbox', { name: /needs me/ })
    await act(async () => fireEvent.click(notify))
    expect(notify).toHaveProperty('checked', true)
    expect(within(dialog).getByRole('alert').textContent).toBe(
      'Couldn’t change the setting: The database is locked.',
    )
  })
})

describe('notices about scheduled runs', () => {
  const notice: RunNotice = {
    kind: 'completed-with-failures',
    runId: 'run-7',
    providerId: GOOGLE_DRIVE.id,
    providerName: 'Google Drive',
    failed: 3,
    at: new Date().toISOString(),
  }

  it('browser mode shows them in the page, until dismissed or followed to the history', async () => {
    const { api } = renderApp(createFakeApi(), undefined, { mode: 'browser' })
    await card('Google Drive')
    act(() => api.emit('run:notice', notice))
    act(() =>
      api.emit('run:notice', {
        ...notice,
        kind: 'failed',
        runId: 'run-8',
        providerId: DROPBOX.id,
        providerName: 'Dropbox',
        failed: 0,
      }),
    )
    const region = screen.getByRole('region', { name: 'Notifications' })
    const headings = () =>
      within(region)
        .queryAllByRole('article')
        .map((n) => within(n).getByRole('heading').textContent)
    expect(headings()).toEqual(['Backup failed: Dropbox', 'Google Drive: 3 files not backed up'])
    // A provider's newer notice takes the place of its older one.
    act(() => api.emit('run:notice', { ...notice, runId: 'run-9', failed: 1 }))
    expect(headings()).toEqual(['Google Drive: 1 file not backed up', 'Backup failed: Dropbox'])
    fireEvent.click(within(region).getByRole('button', { name: 'Dismiss: Backup failed: Dropbox' }))
    expect(headings()).toHaveLength(1)
    await act(async () =>
      fireEvent.click(within(region).getByRole('button', { name: 'Show history' })),
    )
    expect(within(region).queryAllByRole('article')).toHaveLength(0)
    expect(await screen.findByRole('dialog', { name: 'Google Drive' })).toBeTruthy()
  })

  it('the desktop app leaves them to the system’s notifications', async () => {
    const { api } = renderApp()
    await card('Google Drive')
    act(() => api.emit('run:notice', notice))
    expect(
      within(screen.getByRole('region', { name: 'Notifications' })).queryAllByRole('article'),
    ).toEqual([])
  })
})
