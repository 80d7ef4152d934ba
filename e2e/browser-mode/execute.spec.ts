import { join } from 'node:path'
import { makeFiles, startDriveDouble } from '../../test/drive-double/server'
import { googleDriveCodeFor } from '../../test/support/fixtures'
import { expect, SCREENSHOTS_DIR, test } from '../support/skwirl-serve'

test('Execute runs the provider against the Drive double and the card shows it completed', async ({
  page,
  skwirl,
}) => {
  const drive = await startDriveDouble({ files: makeFiles(25, { docsEvery: 10 }) })
  try {
    const { url } = await skwirl.start({
      providers: [{ name: 'Drive (local double)', code: googleDriveCodeFor(drive.url) }],
    })
    await page.goto(url)
    const card = page.getByRole('article', { name: 'Drive (local double)' })
    await card.getByRole('button', { name: /^Execute / }).click()
    const status = card.getByRole('status')
    // 25 listed: 23 files downloaded, 2 Google Docs skipped for want of a checksum.
    await expect(status).toContainText('Completed')
    await expect(status).toContainText('23 files')
    await expect(status).toContainText('2 failed')
    // The screen shows states and counts, never the error text (that is in the log).
    await expect(card).not.toContainText('checksum')
    expect(drive.requests.filter((r) => r.query.alt === 'media')).toHaveLength(23)
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'run-completed.png') })

    // A second click starts a second, independent run.
    await card.getByRole('button', { name: /^Execute / }).click()
    await expect.poll(() => drive.requests.filter((r) => r.query.alt === 'media').length).toBe(46)
    await expect(status).toContainText('Completed')
  } finally {
    await drive.close()
  }
})
