import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeFiles, startDriveDouble } from '../../test/drive-double/server'
import { googleDriveCodeFor } from '../../test/support/fixtures'
import { expect, SCREENSHOTS_DIR, test } from '../support/skwirl-serve'

test('choose a backup folder, Execute, see the last backup; run again and see the files unchanged', async ({
  page,
  skwirl,
}) => {
  const drive = await startDriveDouble({ files: makeFiles(12, { minSize: 2000, maxSize: 9000 }) })
  const root = mkdtempSync(join(tmpdir(), 'skwirl-e2e-dest-'))
  const folder = join(root, 'Backups', 'Drive')
  const media = () => drive.requests.filter((r) => r.query.alt === 'media').length
  try {
    const { url } = await skwirl.start({
      providers: [{ name: 'Drive (local double)', code: googleDriveCodeFor(drive.url) }],
    })
    await page.goto(url)
    const card = page.getByRole('article', { name: 'Drive (local double)' })
    // Without a folder the card says, in one line, that nothing is kept.
    await expect(card).toContainText('Check only: files are verified, not kept.')
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'destination-check-only.png') })

    await card.getByRole('button', { name: 'Choose backup folder…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Backup folder for “Drive (local double)”' })
    const path = dialog.getByRole('textbox', { name: 'Folder' })
    // Browser mode: a path field, checked by main.
    await path.fill('Backups/Drive')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await expect(dialog.getByRole('alert')).toContainText("Give the folder's full path")
    await path.fill(folder)
    await dialog.getByRole('spinbutton').fill('14')
    // Parallel transfers (issue 15): one at a time unless chosen.
    const transfers = dialog.getByRole('combobox', { name: 'Files at a time' })
    await expect(transfers).toHaveValue('1')
    await transfers.selectOption('4')
    await expect(transfers).toHaveValue('4')
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'destination-dialog.png') })
    await dialog.getByRole('button', { name: 'Save' }).click()
    await expect(dialog).toBeHidden()
    await expect(card).toContainText('Backs up here · no backup yet · 4 files at a time')
    await expect(card).toContainText(folder)
    expect(existsSync(folder)).toBe(true)

    await card.getByRole('button', { name: /^Execute / }).click()
    const status = card.getByRole('status').first()
    await expect(status).toContainText('Completed · 12 downloaded')
    await expect(card.getByLabel('Backup folder')).toContainText(
      /Last backup just now · 12 files · \d/,
    )
    expect(readdirSync(folder).filter((name) => name !== '.skwirl')).toHaveLength(12)
    expect(media()).toBe(12)

    // Again: nothing changed at the source, nothing downloaded.
    await card.getByRole('button', { name: /^Execute / }).click()
    await expect(status).toContainText('Completed · 12 unchanged')
    await expect(card.getByLabel('Backup folder')).toContainText('12 files')
    expect(media()).toBe(12)
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'destination-unchanged.png') })

    // The folder checked against its manifest, with its result.
    await card.getByRole('button', { name: 'More actions for Drive (local double)' }).click()
    await page.getByRole('menuitem', { name: 'Check backup folder' }).click()
    const check = page.getByRole('dialog', { name: 'Check the backup of “Drive (local double)”' })
    await expect(check).toContainText('All 12 files match the manifest')
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'destination-check.png') })
    await check.getByRole('button', { name: 'Close' }).click()
    await expect(check).toBeHidden()

    // The history tells each file's outcome: the second run's are all unchanged.
    await card.getByRole('button', { name: /^History of / }).click()
    const history = page.getByRole('dialog', { name: 'Drive (local double)' })
    await expect(history.getByRole('region', { name: /^Run of / })).toContainText('Unchanged12')
    await expect(history.locator('.outcome').first()).toHaveText('Unchanged')
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'destination-history.png') })
  } finally {
    await drive.close()
    rmSync(root, { recursive: true, force: true })
  }
})
