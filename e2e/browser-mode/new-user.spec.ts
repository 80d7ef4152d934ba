// What a new user tripped over (issue 14), each checked in a real Chromium against a real
// `skwirl serve`: several runs of one provider, a lost connection, the keyboard, the layout at
// 1280 and 420 px, the name field, and the console staying free of CSP violations.
import { join } from 'node:path'
import type { Page, WebSocketRoute } from '@playwright/test'
import { makeFiles, startDriveDouble } from '../../test/drive-double/server'
import { googleDriveCodeFor } from '../../test/support/fixtures'
import { expect, SCREENSHOTS_DIR, test } from '../support/skwirl-serve'

const DRIVE = 'Drive (local double)'

function card(page: Page, name = DRIVE) {
  return page.getByRole('article', { name })
}

test('Execute twice: the card shows both runs, each stops on its own, and the history stops one too', async ({
  page,
  skwirl,
}) => {
  // Slow downloads (about half a second a file), so that the runs are still going while we look.
  const files = makeFiles(200, { minSize: 200_000, maxSize: 200_000 })
  const drive = await startDriveDouble({ files, faults: { downloadDelayMs: 150 } })
  try {
    const { url } = await skwirl.start({
      providers: [{ name: DRIVE, code: googleDriveCodeFor(drive.url) }],
    })
    await page.goto(url)
    const execute = card(page).getByRole('button', { name: `Execute ${DRIVE}` })
    await execute.click()
    await expect(card(page).getByRole('button', { name: `Stop the run of ${DRIVE}` })).toBeVisible()
    await execute.click()
    await expect(card(page).getByText('2 runs going')).toBeVisible()
    const going = card(page).getByRole('list', { name: `Runs of ${DRIVE} going now` })
    const stops = going.getByRole('button', { name: new RegExp(`^Stop the run of .* started at `) })
    await expect(stops).toHaveCount(2)
    await expect(going.getByRole('progressbar').first()).toBeVisible()
    await card(page).screenshot({ path: join(SCREENSHOTS_DIR, 'two-runs-card.png') })

    // Stop the older one (listed second): the newer goes on, alone again.
    await stops.nth(1).click()
    await expect(card(page).getByText(/runs going/)).toHaveCount(0)
    const stopNewer = card(page).getByRole('button', { name: `Stop the run of ${DRIVE}` })
    await expect(stopNewer).toBeEnabled()

    // The history has Stop on the run that is still going.
    await card(page)
      .getByRole('button', { name: `History of ${DRIVE}` })
      .click()
    const history = page.getByRole('dialog', { name: DRIVE })
    const runs = history.getByRole('navigation', { name: 'Runs, newest first' }).getByRole('button')
    await expect(runs).toHaveCount(2)
    await expect(runs.nth(1)).toContainText('Cancelled')
    await history.getByRole('button', { name: 'Stop this run' }).click()
    await expect(runs.nth(0)).toContainText('Cancelled')
    await expect(history.getByText('Stopped on request.')).toBeVisible()
    await history.getByRole('button', { name: 'Close' }).click()
    await expect(card(page).getByRole('status')).toContainText('Cancelled')
  } finally {
    await drive.close()
  }
})

test('a lost connection: running cards say so, actions are off with the reason, and the state is reloaded on reconnect', async ({
  page,
  skwirl,
}) => {
  const files = makeFiles(12, { minSize: 200_000, maxSize: 200_000 })
  const drive = await startDriveDouble({ files, faults: { downloadDelayMs: 150 } })
  try {
    // Every socket goes through here, so the test can cut it as a server that went away would.
    let down = false
    const sockets: WebSocketRoute[] = []
    await page.routeWebSocket(/\/api\/socket$/, (ws) => {
      if (down) {
        ws.close()
        return
      }
      ws.connectToServer()
      sockets.push(ws)
    })
    const { url } = await skwirl.start({
      providers: [{ name: DRIVE, code: googleDriveCodeFor(drive.url) }],
    })
    await page.goto(url)
    await card(page)
      .getByRole('button', { name: `Execute ${DRIVE}` })
      .click()
    await expect(card(page).getByRole('status')).toContainText('Backing up…')

    down = true
    for (const ws of sockets.splice(0)) await ws.close()
    const banner = page.getByRole('status').filter({ hasText: 'Lost the connection to Skwirl' })
    await expect(banner).toBeVisible()
    await expect(card(page).getByRole('status')).toContainText('Connection lost · was backing up…')
    // No estimate, no moving bar, no live Stop: nobody knows how the run is doing.
    await expect(card(page).getByRole('progressbar')).toHaveCount(0)
    await expect(card(page)).not.toContainText('left')
    const execute = card(page).getByRole('button', { name: `Execute ${DRIVE}` })
    await expect(execute).toBeDisabled()
    await expect(execute).toHaveAttribute('title', /out of reach/)
    await expect(
      card(page).getByRole('button', { name: `Stop the run of ${DRIVE}` }),
    ).toBeDisabled()
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'connection-lost.png') })

    // The run ends while the page cannot hear it; back online, the page asks and shows it.
    drive.faults.downloadDelayMs = 0
    await expect.poll(() => drive.requests.filter((r) => r.query.alt === 'media').length).toBe(12)
    down = false
    await expect(banner).toHaveCount(0, { timeout: 20_000 })
    await expect(card(page).getByRole('status')).toContainText('Completed · 12 files')
    await expect(execute).toBeEnabled()

    // The server itself goes away: the same state, for good this time.
    await skwirl.stop()
    await expect(banner).toBeVisible()
    await expect(execute).toBeDisabled()
  } finally {
    await drive.close()
  }
})

test('the keyboard: Escape closes the editor and focus goes back; arrows move the history’s tabs', async ({
  page,
  skwirl,
}) => {
  const drive = await startDriveDouble({ files: makeFiles(6, { docsEvery: 3 }) })
  try {
    const { url } = await skwirl.start({
      providers: [{ name: DRIVE, code: googleDriveCodeFor(drive.url) }],
    })
    await page.goto(url)
    await card(page)
      .getByRole('button', { name: `Execute ${DRIVE}` })
      .click()
    await expect(card(page).getByRole('status')).toContainText('Completed')

    // Open the editor from the keyboard; Escape closes it and the card's name has focus again.
    const name = card(page).getByRole('button', { name: DRIVE, exact: true })
    await name.focus()
    await page.keyboard.press('Enter')
    const editor = page.getByRole('region', { name: `Editor: ${DRIVE}` })
    await expect(editor.locator('.cm-content')).toBeFocused()
    // First Escape in the code with text selected only clears the selection (CodeMirror's own).
    await page.keyboard.press('Shift+ArrowRight')
    await page.keyboard.press('Escape')
    await expect(editor).toBeVisible()
    await page.keyboard.press('Escape')
    await expect(editor).toHaveCount(0)
    await expect(name).toBeFocused()

    // The history's tabs: one tab stop; arrows, Home and End move and show.
    await card(page)
      .getByRole('button', { name: `History of ${DRIVE}` })
      .click()
    const history = page.getByRole('dialog', { name: DRIVE })
    const all = history.getByRole('tab', { name: /All files/ })
    const failed = history.getByRole('tab', { name: /Failed/ })
    await all.focus()
    await page.keyboard.press('ArrowRight')
    await expect(failed).toBeFocused()
    await expect(failed).toHaveAttribute('aria-selected', 'true')
    await expect(
      history.getByRole('tabpanel').getByRole('table', { name: 'Failed files' }),
    ).toBeVisible()
    await page.keyboard.press('ArrowRight')
    const skipped = history.getByRole('tab', { name: /Skipped/ })
    await expect(skipped).toBeFocused()
    await page.keyboard.press('ArrowRight')
    await expect(history.getByRole('tab', { name: 'Log' })).toBeFocused()
    await page.keyboard.press('ArrowRight')
    await expect(all).toBeFocused()
    await page.keyboard.press('End')
    await expect(history.getByRole('tab', { name: 'Log' })).toBeFocused()
    await page.keyboard.press('ArrowLeft')
    await expect(skipped).toBeFocused()
    await page.keyboard.press('ArrowLeft')
    await expect(failed).toBeFocused()
    await page.keyboard.press('Tab')
    await expect(failed).not.toBeFocused()
    await page.keyboard.press('Escape')
    await expect(history).toBeHidden()
    await expect(card(page).getByRole('button', { name: `History of ${DRIVE}` })).toBeFocused()
  } finally {
    await drive.close()
  }
})

test('fixing a syntax error by select-all and paste, or by typing over it, breaks no CSP rule', async ({
  page,
  skwirl,
}) => {
  await page.addInitScript(() => {
    const page = globalThis as unknown as {
      cspViolations: string[]
      document: {
        addEventListener(
          type: string,
          listener: (event: { violatedDirective: string }) => void,
        ): void
      }
    }
    page.cspViolations = []
    page.document.addEventListener('securitypolicyviolation', (event) =>
      page.cspViolations.push(event.violatedDirective),
    )
  })
  const violations = () =>
    page.evaluate(() => (globalThis as unknown as { cspViolations: string[] }).cspViolations)
  const rest = 'function get_file_metadata(id) end\nfunction download_file(id) end\n'
  const good = `function list_file_ids()\n  local x = 1\nend\n${rest}`
  const bad = `function list_file_ids()\n  local x = = 1\nend\n${rest}`
  const { url } = await skwirl.start({ providers: [{ name: 'P', code: good }] })
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'])
  await page.goto(url)
  await card(page, 'P').getByRole('button', { name: 'P', exact: true }).click()
  const content = page.locator('.cm-content')
  const status = page.locator('.editor__status')

  // Typed over a highlighted selection: the browser's own editing would add style attributes.
  await content.click()
  await page.keyboard.press('ControlOrMeta+a')
  await page.keyboard.insertText(bad)
  await expect(status).toContainText("Line 2: unexpected symbol near '='")
  // Fixed by a real paste over everything.
  await page.evaluate(
    (text) =>
      (
        globalThis as unknown as {
          navigator: { clipboard: { writeText(t: string): Promise<void> } }
        }
      ).navigator.clipboard.writeText(text),
    good,
  )
  await page.keyboard.press('ControlOrMeta+a')
  await page.keyboard.press('ControlOrMeta+v')
  await expect(status).toContainText('Compiles')
  await expect(content).toContainText('local x = 1')
  // And once more by typing over the selection.
  await page.keyboard.press('ControlOrMeta+a')
  await page.keyboard.insertText(bad)
  await expect(status).toContainText('Line 2')
  await page.keyboard.press('ControlOrMeta+a')
  await page.keyboard.insertText(good)
  await expect(status).toContainText('Compiles')
  expect(await violations()).toEqual([])
})
