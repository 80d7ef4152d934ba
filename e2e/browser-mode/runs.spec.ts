import { join } from 'node:path'
import { makeFiles, startDriveDouble } from '../../test/drive-double/server'
import { googleDriveCodeFor } from '../../test/support/fixtures'
import { expect, SCREENSHOTS_DIR, test } from '../support/skwirl-serve'

const PROVIDER = 'Drive (local double)'

test('a run you can watch: the bar moves, Stop cancels it, and the history keeps both runs', async ({
  page,
  skwirl,
}) => {
  // 200 kB files sent in 64 KiB chunks with a pause before each chunk after the first: slow
  // enough to watch. Every tenth file is a Google Doc, which fails (no checksum).
  const files = makeFiles(40, { minSize: 200_000, maxSize: 200_000, docsEvery: 10 })
  const drive = await startDriveDouble({ files, faults: { downloadDelayMs: 120 } })
  try {
    const { url } = await skwirl.start({
      providers: [{ name: PROVIDER, code: googleDriveCodeFor(drive.url) }],
    })
    await page.goto(url)
    const card = page.getByRole('article', { name: PROVIDER })
    await card.getByRole('button', { name: /^Execute / }).click()

    // The bar counts files done of files listed, and it moves.
    const bar = card.getByRole('progressbar', { name: 'Files backed up' })
    await expect(bar).toHaveAttribute('aria-valuemax', '40')
    const done = async () => Number(await bar.getAttribute('aria-valuenow'))
    await expect.poll(done).toBeGreaterThanOrEqual(3)
    const earlier = await done()
    await expect.poll(done).toBeGreaterThan(earlier)
    await expect(card.getByRole('status')).toContainText('Backing up…')
    await expect(card.locator('.run-progress__file')).toHaveText(/^file-\d+\.bin$/)
    await expect(card.locator('.run-progress__stats')).toContainText(/files\/s/)
    await card.screenshot({ path: join(SCREENSHOTS_DIR, 'run-progress-card.png') })
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'run-progress.png') })

    // Stop ends the run at once; the card says what it had done.
    const stopAt = await done()
    await card.getByRole('button', { name: /^Stop the run of / }).click()
    await expect(card.getByRole('status')).toContainText(/^Cancelled · \d+ of 40 files/)
    await expect(card.getByRole('button', { name: /Stop/ })).toHaveCount(0)
    const stoppedRequests = drive.requests.length
    const cancelledText = (await card.getByRole('status').locator('p').first().textContent()) ?? ''
    const cancelledDone = Number(/· (\d+) of 40/.exec(cancelledText)?.[1])
    expect(cancelledDone).toBeGreaterThanOrEqual(stopAt)
    expect(cancelledDone).toBeLessThan(40)

    // The history has the cancelled run, with the files it reached.
    await card.getByRole('button', { name: /^History of / }).click()
    const history = page.getByRole('dialog', { name: PROVIDER })
    const runs = history.getByRole('navigation', { name: 'Runs, newest first' }).getByRole('button')
    await expect(runs).toHaveCount(1)
    await expect(runs.first()).toContainText('Cancelled')
    await expect(runs.first()).toContainText(`${cancelledDone} of 40 files`)
    await expect(history.getByText('Stopped on request.')).toBeVisible()
    await expect(history.getByRole('table', { name: 'Files' })).toHaveAttribute(
      'aria-rowcount',
      String(cancelledDone + 1),
    )
    await expect(history.getByText('file-000001.bin')).toBeVisible()
    await history.getByRole('button', { name: 'Close' }).click()
    await expect(history).toBeHidden()
    // Nothing more was asked of Drive after Stop.
    expect(drive.requests.length).toBe(stoppedRequests)

    // Another Execute, at full speed this time, completes.
    drive.faults.downloadDelayMs = 0
    await card.getByRole('button', { name: /^Execute / }).click()
    await expect(card.getByRole('status')).toContainText('Completed with 4 failed · 36 files', {
      timeout: 30_000,
    })

    await card.getByRole('button', { name: /^History of / }).click()
    await expect(runs).toHaveCount(2)
    // A run with failed files is not shown as a plain success.
    await expect(runs.nth(0)).toContainText('Completed with 4 failed')
    await expect(runs.nth(0)).toContainText('36 checked · 7.2 MB')
    await expect(runs.nth(1)).toContainText('Cancelled')
    const detail = history.getByRole('region', { name: /^Run of / })
    await expect(detail).toContainText('4 files could not be backed up. The log says why.')
    await expect(history.getByRole('table', { name: 'Files' })).toHaveAttribute(
      'aria-rowcount',
      '41',
    )
    await expect(detail.getByText('Failed: metadata').first()).toBeVisible()
    // Outcomes and counts only: no error text on screen.
    await expect(history).not.toContainText('checksum')

    // Browser mode cannot open files on the server's machine: it says where the log is.
    await history.getByRole('button', { name: 'Log file' }).click()
    await expect(history.getByText(join(skwirl.dataDir, 'logs', 'main.log'))).toBeVisible()
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'run-history.png') })

    // The failed files alone, and the cancelled run's page.
    await detail.getByRole('tab', { name: /Failed/ }).click()
    await expect(history.getByRole('table', { name: 'Failed files' })).toHaveAttribute(
      'aria-rowcount',
      '5',
    )
    await expect(history.getByText('f000040')).toBeVisible()
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'run-history-failed.png') })
    await runs.nth(1).click()
    await expect(history.getByText('Stopped on request.')).toBeVisible()
  } finally {
    await drive.close()
  }
})
