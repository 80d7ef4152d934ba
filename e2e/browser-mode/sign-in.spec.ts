import { join } from 'node:path'
import { makeFiles, startDriveDouble } from '../../test/drive-double/server'
import { startOAuthDouble, TEST_CLIENT } from '../../test/oauth-double/server'
import { shippedGoogleDriveCodeFor } from '../../test/support/fixtures'
import { expect, SCREENSHOTS_DIR, test } from '../support/skwirl-serve'

test('fill in the settings form, sign in against the OAuth double in a new tab, Execute, see the run complete; a revoked sign-in shows "Sign in needed"', async ({
  page,
  context,
  skwirl,
}) => {
  const oauth = await startOAuthDouble()
  const drive = await startDriveDouble({
    files: makeFiles(8),
    acceptToken: (token) => oauth.useAccessToken(token),
  })
  try {
    const name = 'Drive (local doubles)'
    const { url } = await skwirl.start({
      providers: [{ name, code: shippedGoogleDriveCodeFor(drive.url, oauth) }],
    })
    await page.setViewportSize({ width: 1280, height: 900 })
    // Every answer and event main sends the page, as it arrives.
    const frames: string[] = []
    page.on('websocket', (socket) =>
      socket.on('framereceived', (frame) => frames.push(String(frame.payload))),
    )
    await page.goto(url)
    const card = page.getByRole('article', { name })
    await expect(card).toContainText('Sign in needed')
    await card.getByRole('button', { name: 'Sign in…' }).click()

    const editor = page.getByRole('region', { name: `Editor: ${name}` })
    await expect(editor.getByRole('tab', { name: 'Settings & sign-in' })).toHaveAttribute(
      'aria-selected',
      'true',
    )
    const form = editor.getByRole('form', { name: 'Settings' })
    await expect(form.getByLabel('OAuth client ID')).toBeVisible()
    await expect(
      editor.getByText('Set “OAuth client ID” and “OAuth client secret” before signing in.'),
    ).toBeVisible()
    await expect(editor.getByRole('button', { name: 'Sign in', exact: true })).toBeDisabled()
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'settings-empty.png') })

    await form.getByLabel('OAuth client ID').fill(TEST_CLIENT.clientId)
    await form.getByLabel('OAuth client secret').fill(TEST_CLIENT.clientSecret as string)
    await form.getByRole('button', { name: 'Save settings' }).click()
    // The secret is never shown again: only that it is set.
    await expect(form.getByText('Set · hidden')).toBeVisible()
    await expect(page.locator('body')).not.toContainText(TEST_CLIENT.clientSecret as string)

    // Sign in: a new tab goes to the authorization endpoint, which redirects to Skwirl's
    // loopback listener; the page there says it is done, and the form says signed in.
    const tabOpened = context.waitForEvent('page')
    await editor.getByRole('button', { name: 'Sign in', exact: true }).click()
    const tab = await tabOpened
    await expect(tab.locator('h1')).toHaveText('Signed in')
    await tab.close()
    await expect(editor.getByRole('status').filter({ hasText: 'Signed in at' })).toBeVisible()
    await expect(card).not.toContainText('Sign in needed')
    expect(oauth.grants.authorization_code).toBe(1)
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'settings-signed-in.png') })

    await card.getByRole('button', { name: /^Execute / }).click()
    const status = card.getByRole('status').first()
    await expect(status).toContainText('Completed')
    await expect(status).toContainText('8 files')
    expect(drive.requests.every((r) => /^Bearer ya29\./.test(r.authorization ?? ''))).toBe(true)

    // The user revokes Skwirl's access at the service: the next run fails, saying why.
    oauth.revokeAll()
    oauth.expireAccessTokens()
    await card.getByRole('button', { name: /^Execute / }).click()
    await expect(status).toContainText('Failed: sign in again')
    await expect(card).toContainText('Sign in needed')
    await expect(editor.getByText(/refused the last sign-in/)).toBeVisible()
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'sign-in-needed.png') })

    // Nothing main ever sent the page holds a secret.
    expect(frames.some((frame) => frame.includes('"signIn"'))).toBe(true)
    const sent = frames.join('\n') + (await page.content())
    const secrets = [
      TEST_CLIENT.clientSecret as string,
      ...oauth.refreshTokens(),
      ...oauth.accessTokens(),
    ]
    for (const secret of secrets) expect(sent).not.toContain(secret)
  } finally {
    await Promise.all([drive.close(), oauth.close()])
  }
})
