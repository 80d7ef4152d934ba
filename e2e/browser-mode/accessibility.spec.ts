// axe-core over every screen in both themes at 1280 and 420 px, and the layout problems a new
// user met at those widths (issue 14). Screenshots of each go to artifacts/screenshots.
import { join } from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import type { Locator, Page } from '@playwright/test'
import { makeFiles, startDriveDouble } from '../../test/drive-double/server'
import { googleDriveCodeFor } from '../../test/support/fixtures'
import { expect, SCREENSHOTS_DIR, test } from '../support/skwirl-serve'

const DRIVE = 'Drive (local double)'
const BROKEN = 'Broken provider'
const LONG = 'A provider whose name is long enough to wrap'
const BROKEN_CODE = `function list_file_ids()
  local page = nil
  return page.items
end
function get_file_metadata(id) end
function download_file(id) end
`

async function axe(page: Page, what: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze()
  const found = violations.map(
    (v) => `${what}: ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  )
  expect(found).toEqual([])
}

/** The page's getComputedStyle (the e2e suite compiles without the DOM's types). */
interface StyleGlobals {
  getComputedStyle(element: unknown): {
    lineHeight: string
    borderTopColor: string
    backgroundColor: string
  }
}

function box(locator: Locator) {
  return locator.evaluate((element) => {
    const r = element.getBoundingClientRect()
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height }
  })
}

// One test per theme, and the tests of this file side by side (each has its own server).
test.describe.configure({ mode: 'parallel' })

for (const scheme of ['light', 'dark'] as const) {
  test(`axe finds nothing in the ${scheme} theme at 1280 or 420 px, and nothing is cut off or misaligned`, async ({
    page,
    skwirl,
  }) => {
    test.setTimeout(120_000)
    const double = await startDriveDouble({ files: makeFiles(9, { docsEvery: 3 }) })
    try {
      const { url } = await skwirl.start({
        providers: [
          { name: DRIVE, code: googleDriveCodeFor(double.url) },
          { name: BROKEN, code: BROKEN_CODE },
          { name: LONG, code: BROKEN_CODE },
        ],
      })
      await page.goto(url)
      for (const name of [DRIVE, BROKEN]) {
        const card = page.getByRole('article', { name })
        await card.getByRole('button', { name: `Execute ${name}` }).click()
        await expect(card.getByRole('status')).toContainText(/Completed|Failed/)
      }
      const drive = page.getByRole('article', { name: DRIVE })

      {
        await page.emulateMedia({ colorScheme: scheme })
        for (const width of [1280, 420]) {
          const shot = (what: string) =>
            join(SCREENSHOTS_DIR, `a11y-${scheme}-${width}-${what}.png`)
          await page.setViewportSize({ width, height: 860 })
          // At 1280 the cards stay beside the editor, and are checked with it.
          if (width === 420) await axe(page, `${scheme} ${width} cards`)
          await page.screenshot({ path: shot('cards'), fullPage: true })

          await drive.getByRole('button', { name: DRIVE, exact: true }).click()
          const editor = page.getByRole('region', { name: `Editor: ${DRIVE}` })
          await expect(editor.locator('.cm-content')).toBeVisible()
          await axe(page, `${scheme} ${width} editor`)
          await page.screenshot({ path: shot('editor') })
          const scroller = editor.locator('.cm-scroller')
          if (width === 420) {
            // The code wraps instead of scrolling sideways behind the gutters, which stay narrow.
            const { scrollWidth, clientWidth } = await scroller.evaluate((e) => ({
              scrollWidth: e.scrollWidth,
              clientWidth: e.clientWidth,
            }))
            expect(scrollWidth).toBeLessThanOrEqual(clientWidth + 1)
            expect(
              (await box(editor.locator('.cm-gutters'))).right - (await box(scroller)).left,
            ).toBeLessThan(56)
          } else {
            // Beside the editor, a card's name stays on one line.
            const name = page
              .getByRole('article', { name: LONG })
              .locator('.provider-card__name-text')
            const lineHeight = await name.evaluate((e) =>
              parseFloat((globalThis as unknown as StyleGlobals).getComputedStyle(e).lineHeight),
            )
            expect((await box(name)).height).toBeLessThan(lineHeight * 1.5)
          }
          await page.getByRole('button', { name: 'Close the editor' }).click()

          await drive.getByRole('button', { name: `History of ${DRIVE}` }).click()
          const history = page.getByRole('dialog', { name: DRIVE })
          await expect(history.getByRole('table', { name: 'Files' })).toBeVisible()
          await axe(page, `${scheme} ${width} history`)
          await page.screenshot({ path: shot('history') })
          // The figures: every one whole, none on top of another.
          const facts = await history.locator('.run-facts__item').evaluateAll((items) =>
            items.map((item) => {
              const r = item.getBoundingClientRect()
              return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }
            }),
          )
          const outer = await box(history.locator('.run-facts'))
          for (const [i, a] of facts.entries()) {
            expect(a.left).toBeGreaterThanOrEqual(outer.left)
            expect(a.right).toBeLessThanOrEqual(outer.right + 0.5)
            for (const b of facts.slice(i + 1)) {
              const apart =
                a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top
              expect(apart).toBe(true)
            }
          }
          await history.getByRole('tab', { name: /Failed/ }).click()
          // A file whose metadata failed: its id and where it failed.
          const failedRow = history.getByRole('row').filter({ hasText: 'f000003' })
          await expect(failedRow).toContainText('id f000003')
          await expect(failedRow).toContainText('Its metadata could not be read')
          await expect(failedRow).toContainText('Failed: metadata')
          // The run's log.
          await history.getByRole('tab', { name: 'Log' }).click()
          await expect(history.getByRole('list', { name: 'Log lines' })).toBeVisible()
          await axe(page, `${scheme} ${width} history, log`)
          await page.screenshot({ path: shot('log') })
          await page.keyboard.press('Escape')
          await expect(history).toBeHidden()
        }
      }
    } finally {
      await double.close()
    }
  })
}

test('the editor at 420 and 1280 px: the status bar keeps the whole error, toasts keep off it, the name field looks like one', async ({
  page,
  skwirl,
}) => {
  const { url } = await skwirl.start({
    providers: [
      { name: 'Example', code: 'function list_file_ids() end\n' },
      { name: 'Other', code: 'function list_file_ids() end\n' },
    ],
  })
  await page.setViewportSize({ width: 420, height: 860 })
  await page.goto(url)
  await page
    .getByRole('article', { name: 'Example' })
    .getByRole('button', { name: 'Example', exact: true })
    .click()
  const editor = page.getByRole('region', { name: 'Editor: Example' })
  const content = editor.locator('.cm-content')
  await content.click()
  await page.keyboard.press('ControlOrMeta+a')
  await page.keyboard.insertText('function list_file_ids()\n  local files = { "a", "b" } }\nend\n')
  const summary = editor.locator('.check-summary')
  await expect(summary).toContainText("Line 2: unexpected symbol near '}'")
  const cut = await summary.evaluate((e) => e.scrollWidth > e.clientWidth + 1)
  expect(cut).toBe(false)
  await page.screenshot({ path: join(SCREENSHOTS_DIR, 'editor-420-error.png') })

  // The name field has a border and a fill before it is focused, like any field.
  const field = editor.getByRole('textbox', { name: 'Provider name' })
  const look = await field.evaluate((e) => {
    const style = (globalThis as unknown as StyleGlobals).getComputedStyle(e)
    return { border: style.borderTopColor, background: style.backgroundColor }
  })
  expect(look.border).not.toBe('rgba(0, 0, 0, 0)')
  expect(look.background).not.toBe('rgba(0, 0, 0, 0)')
  // Save stays off while the name clashes, and says why.
  await field.fill('other')
  const save = editor.getByRole('button', { name: /^Save/ })
  await expect(editor.getByRole('alert')).toHaveText(
    'A provider named “other” already exists. Choose another name.',
  )
  await expect(save).toBeDisabled()
  await field.fill('Example')

  // At 1280 a toast (here: Duplicate's) stays clear of the editor's status bar.
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.keyboard.press('ControlOrMeta+z')
  await editor.getByRole('button', { name: 'More actions for Example' }).click()
  await page.getByRole('menuitem', { name: 'Duplicate' }).click()
  const toast = page.locator('.notice-toast')
  await expect(toast).toContainText('Made a copy')
  const [t, s] = [await box(toast), await box(editor.locator('.editor__status'))]
  const overlaps = !(
    t.right <= s.left ||
    s.right <= t.left ||
    t.bottom <= s.top ||
    s.bottom <= t.top
  )
  expect(overlaps).toBe(false)
  await page.screenshot({ path: join(SCREENSHOTS_DIR, 'editor-1280-toast.png') })
})
