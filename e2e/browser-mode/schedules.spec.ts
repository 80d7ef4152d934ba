import { join } from 'node:path'
import { expect, SCREENSHOTS_DIR, test } from '../support/skwirl-serve'

// `serve` runs the schedules. SKWIRL_TEST_HOUR_MS=1000 (a test knob) makes "every hour" a second.
const CLEAN =
  'function list_file_ids() end\nfunction get_file_metadata(id) end\nfunction download_file(id) end\n'
const BROKEN = 'function list_file_ids() error("the service is down") end\n'

test('a schedule set in the page runs by itself; a failing one brings a notice into the page', async ({
  page,
  skwirl,
}) => {
  const { url } = await skwirl.start({
    providers: [
      { name: 'Ticker', code: CLEAN },
      { name: 'Flaky', code: BROKEN },
    ],
    env: { SKWIRL_TEST_HOUR_MS: '1000' },
  })
  await page.goto(url)

  const ticker = page.getByRole('article', { name: 'Ticker' })
  await expect(ticker.getByText('No complete backup yet')).toBeVisible()
  await ticker.getByRole('button', { name: /^Schedule of Ticker/ }).click()
  const editor = page.getByRole('dialog', { name: 'Schedule backups of Ticker' })
  await editor.getByText('Hourly', { exact: true }).click()
  await editor.getByRole('spinbutton', { name: 'Hours between runs' }).fill('1')
  await editor.getByRole('button', { name: 'Save schedule' }).click()
  await expect(editor).toBeHidden()
  await expect(ticker.getByText('Every hour')).toBeVisible()

  // Nobody presses Execute: the schedule runs it, and it becomes the last good backup.
  await expect(ticker.getByRole('status')).toContainText('Completed', { timeout: 20_000 })
  await expect(ticker.getByText(/^Last good backup/)).toBeVisible()
  await expect(ticker.getByText('Every hour')).toBeVisible()

  // A failing scheduled run: the page says so (the desktop app shows a system notification).
  const flaky = page.getByRole('article', { name: 'Flaky' })
  await flaky.getByRole('button', { name: /^Schedule of Flaky/ }).click()
  const flakyEditor = page.getByRole('dialog', { name: 'Schedule backups of Flaky' })
  await flakyEditor.getByText('Hourly', { exact: true }).click()
  await flakyEditor.getByRole('spinbutton', { name: 'Hours between runs' }).fill('1')
  await flakyEditor.getByRole('button', { name: 'Save schedule' }).click()
  const notices = page.getByRole('region', { name: 'Notifications' })
  const notice = notices.getByRole('article').filter({ hasText: 'Backup failed: Flaky' }).first()
  await expect(notice).toBeVisible({ timeout: 20_000 })
  await expect(notice).toContainText('The scheduled backup did not complete.')
  await expect(notice).not.toContainText('the service is down')
  await page.screenshot({ path: join(SCREENSHOTS_DIR, 'schedule-notice.png') })

  // Turning notifications off stops them.
  await page.getByRole('button', { name: 'Settings' }).click()
  const settings = page.getByRole('dialog', { name: 'Settings' })
  await settings
    .getByRole('checkbox', { name: /Tell me when a scheduled backup needs me/ })
    .uncheck()
  await settings.getByRole('button', { name: 'Done' }).click()
  for (const dismiss of await notices.getByRole('button', { name: /^Dismiss/ }).all()) {
    await dismiss.click()
  }
  await expect(notices.getByRole('article')).toHaveCount(0)
  // Flaky keeps failing every second; its run count grows, and no notice comes.
  await flaky.getByRole('button', { name: /^History of / }).click()
  const history = page.getByRole('dialog', { name: 'Flaky' })
  const runs = history.getByRole('navigation', { name: 'Runs, newest first' }).getByRole('button')
  const before = await runs.count()
  await history.getByRole('button', { name: 'Close' }).click()
  await flaky.getByRole('button', { name: /^History of / }).click()
  await expect.poll(() => runs.count(), { timeout: 20_000 }).toBeGreaterThan(before + 1)
  await history.getByRole('button', { name: 'Close' }).click()
  await expect(notices.getByRole('article')).toHaveCount(0)
})
