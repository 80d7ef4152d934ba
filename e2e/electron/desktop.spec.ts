// The same checks against the real desktop app. Electron fetches its binary on first use; where
// it is not installed (as on machines without internet), this spec reports itself skipped.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { _electron as electron } from '@playwright/test'
import { API_METHODS } from '../../src/shared/api'
import { expect, REPO_ROOT, test } from '../support/skwirl-serve'

function electronBinary(): string | null {
  const dir = dirname(require.resolve('electron/package.json'))
  const pathFile = join(dir, 'path.txt')
  if (!existsSync(pathFile)) return null
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(binary) ? binary : null
}

const binary = electronBinary()

test.skip(
  binary === null,
  'the Electron binary is not installed on this machine (it could not be downloaded)',
)

test('the desktop window shows the Google Drive card and its code in the editor', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skwirl-electron-'))
  const app = await electron.launch({
    executablePath: binary ?? undefined,
    args: [REPO_ROOT, '--no-sandbox'],
    env: { ...process.env, SKWIRL_DATA_DIR: dataDir },
  })
  try {
    const page = await app.firstWindow()
    const card = page.getByRole('article', { name: 'Google Drive' })
    await expect(card.getByRole('button', { name: /^Execute / })).toBeVisible()
    await card.getByRole('button', { name: 'Google Drive', exact: true }).click()
    await expect(page.getByRole('region', { name: 'Editor: Google Drive' })).toContainText(
      'function list_file_ids()',
    )
    const exposed = await page.evaluate(() =>
      Object.keys((globalThis as { skwirl?: object }).skwirl ?? {}).sort(),
    )
    // One named function per API method and `on`: nothing generic (no invoke, no ipcRenderer).
    expect(exposed).toEqual([...API_METHODS, 'on'].sort())
    const nodeInPage = await page.evaluate(
      () => typeof (globalThis as { require?: unknown }).require,
    )
    expect(nodeInPage).toBe('undefined')
    // The page comes from app://, not file://, and its CSP came as a header (no inline script).
    expect(page.url()).toBe('app://skwirl/index.html')
    const inlineRan = await page.evaluate(`(() => {
      const script = document.createElement('script')
      script.textContent = 'window.__inline = true'
      document.head.append(script)
      return window.__inline === true
    })()`)
    expect(inlineRan).toBe(false)
  } finally {
    await app.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
})

test('a .lua file given on the command line opens in the editor as a new provider', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skwirl-electron-'))
  const file = join(dataDir, 'My Cloud.lua')
  writeFileSync(file, 'function list_file_ids() end\n')
  const app = await electron.launch({
    executablePath: binary ?? undefined,
    args: [REPO_ROOT, '--no-sandbox', file],
    env: { ...process.env, SKWIRL_DATA_DIR: dataDir },
  })
  try {
    const page = await app.firstWindow()
    const editor = page.getByRole('region', { name: 'Editor: New provider' })
    await expect(editor.getByRole('textbox', { name: 'Provider name' })).toHaveValue('My Cloud')
    await expect(editor).toContainText('function list_file_ids() end')
  } finally {
    await app.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
})
