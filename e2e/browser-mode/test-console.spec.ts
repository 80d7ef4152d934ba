// The editor's Test (issue 14): the provider as typed (unsaved) runs as a dry run and its console
// under the code shows print output, each host call with its status, the metadata as inspect
// renders it, and an error whose line opens the code there. Nothing is recorded as a run.
import { join } from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import type { Locator, Page } from '@playwright/test'
import { makeFiles, startDriveDouble } from '../../test/drive-double/server'
import { googleDriveCodeFor } from '../../test/support/fixtures'
import { expect, SCREENSHOTS_DIR, test } from '../support/skwirl-serve'

const DRIVE = 'Drive (local double)'

async function replaceCode(page: Page, editor: Locator, text: string): Promise<void> {
  await editor.locator('.cm-content').click()
  await page.keyboard.press('ControlOrMeta+a')
  await page.keyboard.insertText(text)
}

test('Test runs the unsaved code: print output, host calls with status, metadata, and an error line that opens the code', async ({
  page,
  skwirl,
}) => {
  const drive = await startDriveDouble({ files: makeFiles(40, { docsEvery: 2 }) })
  try {
    const saved = googleDriveCodeFor(drive.url)
    const { url } = await skwirl.start({ providers: [{ name: DRIVE, code: saved }] })
    await page.setViewportSize({ width: 1280, height: 900 })
    await page.goto(url)
    const card = page.getByRole('article', { name: DRIVE })
    await card.getByRole('button', { name: DRIVE, exact: true }).click()
    const editor = page.getByRole('region', { name: `Editor: ${DRIVE}` })
    await expect(editor.locator('.cm-content')).toBeVisible()

    // An unsaved print at the top of list_file_ids.
    const typed = saved.replace(
      'function list_file_ids()',
      'function list_file_ids()\n  print("hello from the editor")',
    )
    await replaceCode(page, editor, typed)
    await expect(editor.getByRole('status').filter({ hasText: 'Unsaved changes' })).toBeVisible()
    await editor.getByRole('button', { name: 'Test', exact: true }).click()

    const console = editor.getByRole('region', { name: 'Test console' })
    await expect(console.getByRole('status')).toContainText('Completed with errors in')
    await expect(console.getByRole('status')).toContainText(
      '20 ids listed (the limit; stopped there)',
    )
    const output = console.getByRole('log', { name: 'Test output' })
    await expect(output).toContainText('printhello from the editor')
    const list = output.locator('.test-console__entry--call').first()
    await expect(list).toContainText('GET')
    await expect(list).toContainText(`${drive.url}/drive/v3/files?pageSize=1000`)
    await expect(list.locator('.test-console__status')).toHaveText('200')
    await expect(output.locator('.test-console__inspect').first()).toContainText('checksum = "')
    await expect(output).toContainText('checked and let go')
    // f000002 is a Google Doc: no checksum, an error at the provider's line.
    const error = output.locator('.test-console__entry--error').first()
    await expect(error).toContainText('f000002: Drive (local double):')
    await expect(error).toContainText('No checksum available for file: Document 000002')
    await console.screenshot({ path: join(SCREENSHOTS_DIR, 'test-console.png') })
    // AA contrast and names in the console, in both themes.
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme })
      const { violations } = await new AxeBuilder({ page }).include('.test-console').analyze()
      expect(
        violations.map((v) => `${scheme}: ${v.id}: ${v.nodes.map((n) => n.target.join(' '))}`),
      ).toEqual([])
    }
    await page.emulateMedia({ colorScheme: 'light' })
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'test-console-editor.png') })

    const line = await error.getByRole('button', { name: /^line \d+$/ }).textContent()
    await error.getByRole('button', { name: /^line \d+$/ }).click()
    await expect(editor.locator('.editor__cursor')).toHaveText(
      new RegExp(`^Ln ${line?.replace('line ', '')},`),
    )

    // Nothing recorded as a run, and the code is still unsaved.
    await expect(card.getByRole('status')).toContainText('Not run yet')
    await expect(editor.getByRole('status').filter({ hasText: 'Unsaved changes' })).toBeVisible()

    // A narrow window still shows the console under the code.
    await page.setViewportSize({ width: 420, height: 800 })
    await expect(console).toBeVisible()
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'test-console-420.png') })

    await console.getByRole('button', { name: 'Close the test console' }).click()
    await expect(console).toHaveCount(0)
  } finally {
    await drive.close()
  }
})
