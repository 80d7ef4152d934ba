// The run log in the app (issue 14): a failed run's card says where and why, Show log opens the
// run's log lines, the Lua line opens the code there; a failed file's own lines; search.
import { join } from 'node:path'
import { makeFiles, startDriveDouble } from '../../test/drive-double/server'
import { googleDriveCodeFor } from '../../test/support/fixtures'
import { expect, SCREENSHOTS_DIR, test } from '../support/skwirl-serve'

const DRIVE = 'Drive (local double)'

test('a failed run: the card says where and why, Show log shows the Lua line, and the line opens the code', async ({
  page,
  skwirl,
}) => {
  const drive = await startDriveDouble({ files: makeFiles(10, { docsEvery: 5 }) })
  try {
    const { url } = await skwirl.start({
      providers: [{ name: DRIVE, code: googleDriveCodeFor(drive.url) }],
    })
    await page.goto(url)
    const card = page.getByRole('article', { name: DRIVE })

    // A good run first, whose two Google Docs fail at their metadata.
    await card.getByRole('button', { name: `Execute ${DRIVE}` }).click()
    await expect(card.getByRole('status')).toContainText('Completed with 2 failed · 8 files')

    // Then the listing answers 404.
    drive.faults.metadataStatus = { list: 404 }
    await card.getByRole('button', { name: `Execute ${DRIVE}` }).click()
    const status = card.getByRole('status')
    await expect(status).toContainText('Failed while listing')
    await expect(status).toContainText('HTTP 404 at line 6')
    await card.screenshot({ path: join(SCREENSHOTS_DIR, 'run-failed-card.png') })

    await status.getByRole('button', { name: `Show log of the latest run of ${DRIVE}` }).click()
    const history = page.getByRole('dialog', { name: DRIVE })
    await expect(history.getByRole('tab', { name: 'Log' })).toHaveAttribute('aria-selected', 'true')
    await expect(
      history.getByText('The provider failed while listing: HTTP 404 at line 6.', { exact: false }),
    ).toBeVisible()
    const lines = history.getByRole('list', { name: 'Log lines' })
    const failure = lines.getByRole('listitem').filter({ hasText: 'run failed: Drive' })
    await expect(failure).toContainText(`run failed: ${DRIVE}:6: in list_file_ids: HTTP 404`)
    await expect(failure).toContainText('error')
    await expect(failure).toContainText('list')
    await expect(lines.getByRole('listitem').first()).toContainText('run started (check only')
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'run-log-failed.png') })

    // Errors only.
    await history.getByRole('button', { name: /^Info/ }).click()
    await history.getByRole('button', { name: /^Warnings/ }).click()
    await expect(lines.getByRole('listitem')).toHaveCount(1)

    // The Lua line opens the provider's code, the cursor on that line.
    await failure.getByRole('button', { name: 'line 6' }).click()
    await expect(history).toBeHidden()
    const editor = page.getByRole('region', { name: `Editor: ${DRIVE}` })
    await expect(editor.locator('.editor__cursor')).toHaveText(/^Ln 6,/)
    await page.keyboard.press('Escape')
    await expect(editor).toHaveCount(0)

    // The good run: a failed file's row leads to its own lines.
    await card.getByRole('button', { name: `History of ${DRIVE}` }).click()
    const runs = history.getByRole('navigation', { name: 'Runs, newest first' }).getByRole('button')
    await runs.nth(1).click()
    await history.getByRole('tab', { name: /Failed/ }).click()
    await history.getByRole('button', { name: 'Log of f000005' }).click()
    await expect(history.getByRole('tab', { name: 'Log' })).toHaveAttribute('aria-selected', 'true')
    await expect(lines.getByRole('listitem')).toHaveCount(1)
    await expect(lines).toContainText(
      `${DRIVE}:50: in get_file_metadata: No checksum available for file: `,
    )
    await history.getByRole('button', { name: 'Show the lines of every file' }).click()
    await history.getByRole('searchbox', { name: 'Search the log' }).fill('NO CHECKSUM')
    await expect(lines.getByRole('listitem')).toHaveCount(2)
    await expect(history.getByText('2 lines')).toBeVisible()
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'run-log-search.png') })
  } finally {
    await drive.close()
  }
})
