// The provider editor in a real Chromium against a real `skwirl serve`: writing a provider,
// the compile check as you type, saving, renaming, deleting, discarding, and files in and out.
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Locator, Page } from '@playwright/test'
import { expect, REPO_ROOT, SCREENSHOTS_DIR, test } from '../support/skwirl-serve'

const seededCode = readFileSync(
  join(REPO_ROOT, 'resources', 'providers', 'google-drive.lua'),
  'utf8',
)

const VALID =
  'function list_file_ids() end\nfunction get_file_metadata(id) end\nfunction download_file(id) end\n'

/** A provider as someone writes one, with a syntax error on line 12. */
const WITH_ERROR = `-- Backs up the files of example.com
local BASE = "https://api.example.com"
local AUTH = { Authorization = "Bearer my-token" }

function list_file_ids()
  local cursor = nil
  repeat
    local page = http.get(BASE .. "/files", { headers = AUTH, params = { cursor = cursor } })
    for _, f in ipairs(page.items) do skwirl.emit_file_id(f.id) end
    cursor = page.next_cursor
  until not cursor
  local listed = = true
end

function get_file_metadata(id)
  local f = http.get(BASE .. "/files/" .. id, { headers = AUTH })
  return { name = f.name, path = f.path, checksum = f.md5, size = f.size, modified_time = f.updated_at }
end

function download_file(id)
  skwirl.download_url(BASE .. "/files/" .. id .. "/content", { headers = AUTH })
end
`

/** The little of the page's globals these tests touch (the e2e suite compiles without the DOM). */
interface PageGlobals {
  cspViolations: string[]
  document: {
    addEventListener(
      type: 'securitypolicyviolation',
      listener: (event: { violatedDirective: string; blockedURI: string }) => void,
    ): void
  }
  location: { reload(): void }
  getComputedStyle(element: unknown): { fontFamily: string }
}

/** Records every CSP violation on the page, from before its first script runs. */
async function watchCsp(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const page = globalThis as unknown as PageGlobals
    page.cspViolations = []
    page.document.addEventListener('securitypolicyviolation', (event) =>
      page.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`),
    )
  })
  return () => page.evaluate(() => (globalThis as unknown as PageGlobals).cspViolations)
}

function editorOf(page: Page, name: string): Locator {
  return page.getByRole('region', { name: `Editor: ${name}` })
}

/** CodeMirror's editable content (Playwright's CSS reaches into the shadow root). */
function code(editor: Locator): Locator {
  return editor.locator('.cm-content')
}

async function replaceCode(page: Page, editor: Locator, text: string): Promise<void> {
  await code(editor).click()
  await page.keyboard.press('ControlOrMeta+a')
  // One input, as a paste is: no auto-indent or bracket closing on the way.
  await page.keyboard.insertText(text)
}

async function openFromCard(page: Page, name: string): Promise<Locator> {
  await page.getByRole('article', { name }).getByRole('button', { name, exact: true }).click()
  const editor = editorOf(page, name)
  await expect(editor.locator('.cm-content')).toBeVisible()
  return editor
}

test('create a provider: a syntax error is marked at its line, fixed, saved, and still there after a reload', async ({
  page,
  skwirl,
}) => {
  const cspViolations = await watchCsp(page)
  const { url } = await skwirl.start()
  await page.setViewportSize({ width: 1280, height: 820 })
  await page.goto(url)
  await page.getByRole('button', { name: 'New provider' }).click()
  await page
    .getByRole('dialog', { name: 'New provider' })
    .getByRole('button', { name: /^Blank/ })
    .click()
  const draft = editorOf(page, 'New provider')
  await expect(draft.getByRole('textbox', { name: 'Provider name' })).toBeFocused()
  await expect(draft).toContainText('Not saved yet')
  // The new provider starts from a template that already compiles.
  await expect(code(draft)).toContainText('function list_file_ids()')
  await expect(draft.locator('.editor__status')).toContainText('Compiles')

  await page.keyboard.type('Example Cloud')
  const editor = draft
  await replaceCode(page, editor, WITH_ERROR)

  // The check runs as you type: the error's line is marked in the gutter and under its code.
  const status = editor.locator('.editor__status')
  await expect(status).toContainText("Line 12: unexpected symbol near '='")
  const marked = editor.locator('.cm-lintRange-error')
  await expect(marked).toHaveText('local listed = = true')
  const markedLine = await marked.evaluate((range) => {
    const line = range.closest('.cm-line')
    return line ? [...(line.parentElement?.children ?? [])].indexOf(line) + 1 : -1
  })
  expect(markedLine).toBe(12)
  await expect(editor.locator('.cm-lint-marker-error')).toHaveCount(1)
  await expect(editor.getByRole('button', { name: /^Save/ })).toBeDisabled()
  mkdirSync(SCREENSHOTS_DIR, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOTS_DIR, 'editor.png') })

  // Ctrl-S does not save code that does not compile, and says why.
  await page.keyboard.press('ControlOrMeta+s')
  await expect(editor.getByRole('alert')).toHaveText(
    'Not saved: the code has an error on line 12. Fix it, then save.',
  )
  await expect(page.getByRole('article', { name: 'Example Cloud' })).toHaveCount(0)

  // The message in the status bar takes the cursor to the line; fix it by typing.
  await status.getByRole('button', { name: /Line 12/ }).click()
  await expect(status).toContainText('Ln 12, Col 3')
  await page.keyboard.press('Shift+End')
  await page.keyboard.type('local listed = true')
  await expect(status).toContainText('Compiles; all three provider functions are defined')
  await expect(editor.locator('.cm-lintRange-error')).toHaveCount(0)
  await expect(editor.getByRole('button', { name: /^Save/ })).toBeEnabled()

  await page.keyboard.press('ControlOrMeta+s')
  const savedEditor = editorOf(page, 'Example Cloud')
  await expect(savedEditor.locator('.save-state')).toHaveText('Saved')
  await expect(page.getByRole('article', { name: 'Example Cloud' })).toBeVisible()
  await page.screenshot({ path: join(SCREENSHOTS_DIR, 'editor-saved.png') })
  expect(skwirl.storedProvider('example cloud')?.code).toBe(
    WITH_ERROR.replace('local listed = = true', 'local listed = true'),
  )

  await page.reload()
  const reopened = await openFromCard(page, 'Example Cloud')
  // (CodeMirror draws the lines in view; these are near the top.)
  await expect(code(reopened)).toContainText('local listed = true')
  await expect(code(reopened)).not.toContainText('= =')
  await expect(reopened.locator('.editor__status')).toContainText('Compiles')

  // CodeMirror is styled (its theme reached the shadow root) without breaking the CSP.
  const font = await reopened
    .locator('.cm-scroller')
    .evaluate(
      (scroller) => (globalThis as unknown as PageGlobals).getComputedStyle(scroller).fontFamily,
    )
  expect(font).toMatch(/mono/i)
  expect(await cspViolations()).toEqual([])
})

test('rename a provider (a taken name is refused next to the field), then delete it', async ({
  page,
  skwirl,
}) => {
  const cspViolations = await watchCsp(page)
  const { url } = await skwirl.start({ providers: [{ name: 'Old Name', code: VALID }] })
  await page.goto(url)
  const editor = await openFromCard(page, 'Old Name')
  const name = editor.getByRole('textbox', { name: 'Provider name' })
  // The region keeps the saved name until the new one is saved.

  await name.fill('google DRIVE')
  await expect(editor.getByText('A provider named “google DRIVE” already exists.')).toBeVisible()
  await expect(name).toHaveAttribute('aria-invalid', 'true')
  await name.fill('  ')
  await expect(editor.getByText('A provider needs a name.')).toBeVisible()

  await name.fill('New Name')
  await expect(editor.getByRole('alert')).toHaveCount(0)
  await page.keyboard.press('Enter')
  const renamed = editorOf(page, 'New Name')
  await expect(renamed.locator('.save-state')).toHaveText('Saved')
  expect(skwirl.storedProvider('new name')).toMatchObject({ name: 'New Name', code: VALID })
  await expect(page.getByRole('article', { name: 'New Name' })).toBeVisible()
  await expect(page.getByRole('article', { name: 'Old Name' })).toHaveCount(0)

  await page.reload()
  await expect(page.getByRole('article', { name: 'New Name' })).toBeVisible()
  await expect(page.getByRole('article', { name: 'Old Name' })).toHaveCount(0)

  // Delete asks first; Cancel keeps it.
  const card = page.getByRole('article', { name: 'New Name' })
  await card.getByRole('button', { name: 'More actions for New Name' }).click()
  await card.getByRole('menuitem', { name: 'Delete…' }).click()
  const dialog = page.getByRole('dialog', { name: 'Delete “New Name”?' })
  await expect(dialog).toContainText('cannot be undone')
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused()
  await page.screenshot({ path: join(SCREENSHOTS_DIR, 'delete-dialog.png') })
  await dialog.getByRole('button', { name: 'Cancel' }).click()
  await expect(card).toBeVisible()

  await card.getByRole('button', { name: 'More actions for New Name' }).click()
  await card.getByRole('menuitem', { name: 'Delete…' }).click()
  await dialog.getByRole('button', { name: 'Delete' }).click()
  await expect(page.getByRole('article', { name: 'New Name' })).toHaveCount(0)
  await expect(page.getByText('Deleted “New Name”.')).toBeVisible()
  await page.reload()
  await expect(page.getByRole('article', { name: 'Google Drive' })).toBeVisible()
  await expect(page.getByRole('article', { name: 'New Name' })).toHaveCount(0)
  expect(skwirl.storedProvider('New Name')).toBeNull()
  expect(await cspViolations()).toEqual([])
})

test('edit the Google Drive provider and discard the change', async ({ page, skwirl }) => {
  const { url } = await skwirl.start()
  await page.goto(url)
  const editor = await openFromCard(page, 'Google Drive')
  await code(editor).click()
  await page.keyboard.press('ControlOrMeta+End')
  await page.keyboard.type('-- trying something')
  await expect(editor.locator('.save-state')).toHaveText('Unsaved changes')
  const card = page.getByRole('article', { name: 'Google Drive' })
  await expect(card).toContainText('Unsaved changes · Execute runs the saved code')

  // Reloading the page with unsaved changes asks first (beforeunload); staying keeps them.
  const asked = new Promise<string>((resolve) => {
    page.once('dialog', (dialog) => {
      resolve(dialog.type())
      void dialog.dismiss()
    })
  })
  await page.evaluate(() => (globalThis as unknown as PageGlobals).location.reload())
  expect(await asked).toBe('beforeunload')
  await expect(code(editor)).toContainText('-- trying something')

  // Closing the editor asks too: Don't save discards.
  await editor.getByRole('button', { name: 'Close the editor' }).click()
  const question = page.getByRole('dialog', { name: 'Save the changes to “Google Drive”?' })
  await expect(question).toBeVisible()
  await question.getByRole('button', { name: 'Don’t save' }).click()
  await expect(editor).toBeHidden()
  await expect(card).not.toContainText('Unsaved changes')

  const again = await openFromCard(page, 'Google Drive')
  await expect(again.locator('.save-state')).toHaveText('Saved')
  await expect(code(again)).toContainText('skwirl.declare {')
  await expect(code(again)).not.toContainText('-- trying something')
  expect(skwirl.storedProvider('Google Drive')?.code).toBe(seededCode)
})

test('export a provider as a download, and import a .lua file as a new one', async ({
  page,
  skwirl,
}) => {
  const { url } = await skwirl.start()
  await page.goto(url)
  const card = page.getByRole('article', { name: 'Google Drive' })
  await card.getByRole('button', { name: 'More actions for Google Drive' }).click()
  const downloading = page.waitForEvent('download')
  await card.getByRole('menuitem', { name: 'Export…' }).click()
  const download = await downloading
  expect(download.suggestedFilename()).toBe('Google Drive.lua')
  expect(readFileSync(await download.path(), 'utf8')).toBe(seededCode)

  const choosing = page.waitForEvent('filechooser')
  await page.getByRole('button', { name: 'Import…' }).click()
  const chooser = await choosing
  await chooser.setFiles({
    name: 'Imported Box.lua',
    mimeType: 'text/x-lua',
    buffer: Buffer.from(VALID),
  })
  const editor = editorOf(page, 'New provider')
  await expect(editor.getByRole('textbox', { name: 'Provider name' })).toHaveValue('Imported Box')
  await expect(editor).toContainText('Not saved yet')
  await expect(code(editor)).toContainText('function download_file(id) end')
  await editor.getByRole('button', { name: /^Save/ }).click()
  await expect(editorOf(page, 'Imported Box').locator('.save-state')).toHaveText('Saved')
  await expect(page.getByRole('article', { name: 'Imported Box' })).toBeVisible()
  expect(skwirl.storedProvider('Imported Box')?.code).toBe(VALID)
})
