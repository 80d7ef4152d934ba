// The gallery end to end: a person picks "S3-compatible storage" under New provider, fills in its
// settings form, chooses a backup folder and presses Execute; the backup runs against a server
// nobody here wrote (s3rver, behind a front that checks every request's SigV4 signature) and the
// folder then holds the bucket's files, byte for byte. The secret key never reaches the page.
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { startS3 } from '../../test/servers/s3'
import { generateTree } from '../../test/servers/tree'
import { expect, SCREENSHOTS_DIR, test } from '../support/skwirl-serve'

/** Every file under dir (Skwirl's .skwirl folder left out), as slash-separated relative paths. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((path) => !path.startsWith('.skwirl/'))
    .sort()
}

test('pick S3 in the gallery, fill in its settings, Execute against a real S3 server: the files are in the folder', async ({
  page,
  skwirl,
}) => {
  test.setTimeout(120_000)
  // The named files (unicode, spaces, punctuation, 0 bytes, deep folders) and 24 small ones.
  const tree = await generateTree({ smallFiles: 24, bigBytes: 0 })
  const s3 = await startS3(tree, { prefix: 'laptop/' })
  const folder = mkdtempSync(join(tmpdir(), 'skwirl-e2e-s3-dest-'))
  const count = tree.files.length
  try {
    const { url } = await skwirl.start()
    await page.setViewportSize({ width: 1280, height: 900 })
    const frames: string[] = []
    page.on('websocket', (socket) =>
      socket.on('framereceived', (frame) => frames.push(String(frame.payload))),
    )
    await page.goto(url)

    await page.getByRole('button', { name: 'New provider' }).click()
    const gallery = page.getByRole('dialog', { name: 'New provider' })
    await expect(gallery.getByRole('button', { name: /^S3-compatible storage/ })).toBeVisible()
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'gallery.png') })
    await gallery.getByRole('button', { name: /^S3-compatible storage/ }).click()
    await expect(gallery).toBeHidden()

    // The new provider opens on its settings, which its code declares.
    const name = 'S3-compatible storage'
    const editor = page.getByRole('region', { name: `Editor: ${name}` })
    await expect(editor.getByRole('tab', { name: 'Settings & sign-in' })).toHaveAttribute(
      'aria-selected',
      'true',
    )
    const form = editor.getByRole('form', { name: 'Settings' })
    await form.getByLabel('Endpoint').fill(s3.endpoint)
    await form.getByLabel('Region').fill(s3.region)
    await form.getByLabel('Bucket').fill(s3.bucket)
    await form.getByLabel('Prefix').fill('laptop/')
    await form.getByLabel('Addressing').selectOption('path')
    await form.getByLabel('Access key ID').fill(s3.credentials.accessKeyId)
    await form.getByLabel('Secret access key').fill(s3.credentials.secretAccessKey)
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'gallery-s3-settings.png') })
    await form.getByRole('button', { name: 'Save settings' }).click()
    await expect(form.getByText('Set · hidden')).toBeVisible()
    const stored = skwirl.storedProvider(name)
    expect(stored?.code).toContain('ListObjectsV2')

    // Where the files go: a folder of the person's choosing.
    const card = page.getByRole('article', { name })
    await card.getByRole('button', { name: 'Choose backup folder…' }).click()
    const dialog = page.getByRole('dialog', { name: `Backup folder for “${name}”` })
    await dialog.getByRole('textbox', { name: 'Folder' }).fill(folder)
    await dialog.getByRole('button', { name: 'Save' }).click()
    await expect(dialog).toBeHidden()
    await expect(card).toContainText('Backs up here · no backup yet')

    await card.getByRole('button', { name: /^Execute / }).click()
    const status = card.getByRole('status').first()
    await expect(status).toContainText(`Completed · ${count} downloaded`, { timeout: 60_000 })
    await page.screenshot({ path: join(SCREENSHOTS_DIR, 'gallery-s3-completed.png') })

    // The folder holds the bucket's files under the prefix: the same paths, the same bytes.
    expect(filesUnder(folder)).toEqual(tree.files.map((f) => f.path).sort())
    for (const file of tree.files) {
      const bytes = readFileSync(join(folder, file.path))
      expect(createHash('md5').update(bytes).digest('hex'), file.path).toBe(file.md5)
    }
    // Every request reached the server signed, and none was refused.
    const requests = s3.requests()
    expect(requests.filter((r) => r.method === 'GET' && r.query === '')).toHaveLength(count)
    expect(requests.filter((r) => r.status === 403)).toEqual([])

    // Again: nothing changed in the bucket, nothing downloaded.
    await card.getByRole('button', { name: /^Execute / }).click()
    await expect(status).toContainText(`Completed · ${count} unchanged`, { timeout: 60_000 })
    expect(s3.requests().filter((r) => r.method === 'GET' && r.query === '')).toHaveLength(count)

    // The secret key was never sent to the page.
    expect(frames.length).toBeGreaterThan(0)
    expect(frames.join('\n') + (await page.content())).not.toContain(s3.credentials.secretAccessKey)
  } finally {
    await s3.stop()
    tree.remove()
    rmSync(folder, { recursive: true, force: true })
  }
})
