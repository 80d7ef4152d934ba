// The same checks against the real desktop app. Electron fetches its binary on first use; where
// it is not installed (as on machines without internet), this spec reports itself skipped.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { _electron as electron } from '@playwright/test'
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
    await expect(card.getByRole('button', { name: 'Execute', exact: true })).toBeVisible()
    await card.getByRole('button', { name: 'Google Drive', exact: true }).click()
    await expect(page.getByRole('region', { name: 'Editor: Google Drive' })).toContainText(
      'function list_file_ids()',
    )
    const exposed = await page.evaluate(() =>
      Object.keys((globalThis as { skwirl?: object }).skwirl ?? {}).sort(),
    )
    expect(exposed).toEqual([
      'cancelRun',
      'checkProviderCode',
      'createProvider',
      'deleteProvider',
      'duplicateProvider',
      'execute',
      'exportProviderFile',
      'getProvider',
      'importProviderFile',
      'listProviderRuns',
      'listProviders',
      'listRunFiles',
      'listRuns',
      'on',
      'openLogFile',
      'updateProvider',
    ])
    const nodeInPage = await page.evaluate(
      () => typeof (globalThis as { require?: unknown }).require,
    )
    expect(nodeInPage).toBe('undefined')
  } finally {
    await app.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
})
