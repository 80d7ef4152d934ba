// The state of all backups at a glance (issue 14): the header says what is kept across
// providers and how many need attention; its panel lists each provider's last good backup and
// what it needs (sign-in, failing, never run).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import { makeFiles, startDriveDouble } from '../../test/drive-double/server'
import { googleDriveCodeFor } from '../../test/support/fixtures'
import { expect, SCREENSHOTS_DIR, test } from '../support/skwirl-serve'

const DRIVE = 'Drive (local double)'
const BROKEN = 'Broken'

test('the header: total kept, and each provider’s last good backup and what it needs', async ({
  page,
  skwirl,
}) => {
  const drive = await startDriveDouble({ files: makeFiles(6) })
  const folder = join(mkdtempSync(join(tmpdir(), 'skwirl-overview-')), 'Drive')
  try {
    const { url } = await skwirl.start({
      providers: [
        { name: DRIVE, code: googleDriveCodeFor(drive.url) },
        {
          name: BROKEN,
          code: 'function list_file_ids() error("no way") end\nfunction get_file_metadata() end\nfunction download_file() end',
        },
      ],
    })
    await page.setViewportSize({ width: 1280, height: 820 })
    await page.goto(url)
    const overview = page.getByRole('region', { name: 'All backups' })
    await expect(overview).toContainText('Nothing kept yet')
    // Google Drive (shipped) needs its sign-in; the two others never ran.
    const button = overview.getByRole('button', { name: '3 need attention' })
    await expect(button).toBeVisible()

    const card = page.getByRole('article', { name: DRIVE })
    await card.getByRole('button', { name: 'Choose backup folder…' }).click()
    const dialog = page.getByRole('dialog', { name: `Backup folder for “${DRIVE}”` })
    await dialog.getByRole('textbox', { name: 'Folder' }).fill(folder)
    await dialog.getByRole('button', { name: 'Save' }).click()
    await expect(dialog).toBeHidden()
    await card.getByRole('button', { name: `Execute ${DRIVE}` }).click()
    await expect(card.getByRole('status').first()).toContainText('Completed · 6 downloaded')
    const broken = page.getByRole('article', { name: BROKEN })
    await broken.getByRole('button', { name: `Execute ${BROKEN}` }).click()
    await expect(broken.getByRole('status').first()).toContainText('Failed while listing')

    await expect(overview).toContainText(/[\d.]+ kB kept · 6 files/)
    await overview.getByRole('button', { name: '2 need attention' }).click()
    const panel = overview.getByRole('region', { name: 'Each provider' })
    const row = (name: string) => panel.getByRole('listitem').filter({ hasText: name })
    await expect(row(DRIVE)).toContainText('Last good backup just now')
    await expect(row(DRIVE)).toContainText('Fine')
    await expect(row(BROKEN)).toContainText('No good backup yet')
    await expect(row(BROKEN)).toContainText('Failing: Lua error at line 1')
    await expect(row('Google Drive')).toContainText('Sign-in needed')
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'overview-1280.png') })
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme })
      const { violations } = await new AxeBuilder({ page }).include('.app-header').analyze()
      expect(
        violations.map((v) => `${scheme}: ${v.id}: ${v.nodes.map((n) => n.target.join(' '))}`),
      ).toEqual([])
    }
    await page.emulateMedia({ colorScheme: 'light' })

    // Escape closes it and gives the focus back; a name shows its card.
    await page.keyboard.press('Escape')
    await expect(panel).toBeHidden()
    await expect(overview.getByRole('button', { name: '2 need attention' })).toBeFocused()
    await overview.getByRole('button', { name: '2 need attention' }).click()
    await row(BROKEN).getByRole('button', { name: BROKEN }).click()
    await expect(broken.getByRole('button', { name: BROKEN, exact: true })).toBeFocused()

    await page.setViewportSize({ width: 420, height: 800 })
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'overview-420.png') })
  } finally {
    await drive.close()
    rmSync(join(folder, '..'), { recursive: true, force: true })
  }
})
