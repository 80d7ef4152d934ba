import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, REPO_ROOT, SCREENSHOTS_DIR, test } from '../support/skwirl-serve'

const seededCode = readFileSync(
  join(REPO_ROOT, 'resources', 'providers', 'google-drive.lua'),
  'utf8',
)

test('the page shows the Google Drive card with an Execute button', async ({ page, skwirl }) => {
  const { url } = await skwirl.start()
  await page.goto(url)
  const card = page.getByRole('article', { name: 'Google Drive' })
  await expect(card).toBeVisible()
  await expect(card.getByRole('button', { name: /^Execute / })).toBeEnabled()
  await expect(card).toContainText('Not run yet')
  // The token leaves the address bar once the cookie holds it.
  await expect(page).not.toHaveURL(/token=/)
  mkdirSync(SCREENSHOTS_DIR, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOTS_DIR, 'providers.png'), fullPage: true })
})

test('clicking the name opens the seeded Lua in the editor', async ({ page, skwirl }) => {
  const { url } = await skwirl.start()
  await page.goto(url)
  await page
    .getByRole('article', { name: 'Google Drive' })
    .getByRole('button', { name: 'Google Drive', exact: true })
    .click()
  const editor = page.getByRole('region', { name: 'Editor: Google Drive' })
  await expect(editor).toBeVisible()
  // CodeMirror draws the lines in view: the first ones, here.
  const shown = await editor.locator('.cm-content').innerText()
  for (const line of ['skwirl.declare {', 'key = "client_id",']) {
    expect(shown).toContain(line)
  }
  expect(shown.replace(/\s+/g, '')).toContain(seededCode.replace(/\s+/g, '').slice(0, 400))
  await expect(editor.locator('.save-state')).toHaveText('Saved')
  await expect(editor.getByRole('button', { name: 'Close the editor' })).toBeVisible()
  await editor.getByRole('button', { name: 'Close the editor' }).click()
  await expect(editor).toBeHidden()
})

test('a request without the token is refused', async ({ page, request, skwirl }) => {
  const { origin } = await skwirl.start()
  const bare = await request.get(`${origin}/`)
  expect(bare.status()).toBe(401)
  const response = await page.goto(`${origin}/`)
  expect(response?.status()).toBe(401)
  await expect(page.getByRole('article')).toHaveCount(0)
})
