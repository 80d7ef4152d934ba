// Completion and hover know the whole Lua API (issue 14): module names inside require("…"), a
// module's members under the local it was required into, each with its signature and one line
// of help; hovering a host function shows the same.
import { join } from 'node:path'
import { expect, SCREENSHOTS_DIR, test } from '../support/skwirl-serve'

test('completion offers the modules and their members with signatures; hover explains a host call', async ({
  page,
  skwirl,
}) => {
  const { url } = await skwirl.start()
  await page.setViewportSize({ width: 1280, height: 820 })
  await page.goto(url)
  await page.getByRole('button', { name: 'New provider' }).click()
  await page
    .getByRole('dialog', { name: 'New provider' })
    .getByRole('button', { name: /^Blank/ })
    .click()
  const editor = page.getByRole('region', { name: 'Editor: New provider' })
  const content = editor.locator('.cm-content')
  await content.click()
  await page.keyboard.press('ControlOrMeta+a')
  await page.keyboard.press('Delete')

  await page.keyboard.type('local j = require("')
  const list = editor.locator('.cm-tooltip-autocomplete')
  await expect(list).toBeVisible()
  for (const name of ['json', 'xml', 'yaml', 'aws', 'inspect']) {
    // Each with what it is ("json" then "module").
    await expect(list.getByRole('option', { name: `${name}module`, exact: true })).toBeVisible()
  }
  await page.keyboard.type('js')
  await expect(list.getByRole('option', { name: 'jsonmodule', exact: true })).toHaveAttribute(
    'aria-selected',
    'true',
  )
  await page.keyboard.press('Enter')
  await expect(content.locator('.cm-line').first()).toHaveText('local j = require("json")')
  await page.keyboard.press('End')
  await page.keyboard.press('Enter')
  await page.keyboard.type('local t = j.dec')
  await expect(list.getByRole('option', { name: 'j.decodefunction', exact: true })).toBeVisible()
  const info = editor.locator('.cm-completionInfo')
  await expect(info).toContainText('json.decode(text) → value')
  await expect(info).toContainText('Parses JSON')
  await page.screenshot({ path: join(SCREENSHOTS_DIR, 'editor-completion.png') })
  await page.keyboard.press('Escape')
  await expect(list).toHaveCount(0)

  // skwirl.storage's members, with what each does.
  await page.keyboard.press('End')
  await page.keyboard.press('Enter')
  await page.keyboard.type('skwirl.storage.s')
  await expect(
    list.getByRole('option', { name: 'skwirl.storage.setfunction', exact: true }),
  ).toBeVisible()
  await expect(info).toContainText('skwirl.storage.set(key, value)')
  // The rest typed out (the list's Enter is checked above, for require("json")).
  await page.keyboard.press('Escape')
  await expect(list).toHaveCount(0)
  await page.keyboard.insertText('et("key", 1)')
  await expect(content.locator('.cm-line').nth(2)).toHaveText('skwirl.storage.set("key", 1)')

  // Hover over a host call.
  await page.keyboard.press('End')
  await page.keyboard.press('Enter')
  await page.keyboard.insertText('local r = http.request({ url = "https://example.com" })')
  // Once the code is checked (the check redraws the lines the pointer would rest on), hover
  // help shows when the pointer rests over a name.
  await page.keyboard.press('Escape')
  await expect(editor.locator('.editor__status')).toContainText('Not defined: list_file_ids')
  const name = content.getByText('http.request')
  const hover = editor.locator('.cm-tooltip-hover')
  // CodeMirror drops a hover whose line is redrawn under the resting pointer (a late check may
  // still redraw it): as a person would, move away and back until the help shows.
  await expect(async () => {
    const box = await name.boundingBox()
    if (!box) throw new Error('http.request is not on screen')
    await page.mouse.move(box.x + box.width / 2, box.y - 60)
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 })
    await expect(hover).toBeVisible({ timeout: 2_000 })
  }).toPass({ timeout: 20_000 })
  await expect(hover).toContainText('http.request { method, url, headers')
  await expect(hover).toContainText('Any HTTP method; answers every status')
  await page.screenshot({ path: join(SCREENSHOTS_DIR, 'editor-hover.png') })
})
