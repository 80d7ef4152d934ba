// The shipped providers the gallery offers under "New provider", read from resources/providers/.
// Each is a starting point: the person picks one, names it, and fills in its settings.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ProviderTemplate } from '../../shared/api'

/** In the gallery's order; "Blank" is the renderer's own (the three functions, no service). */
const TEMPLATES: Array<Omit<ProviderTemplate, 'code'> & { file: string }> = [
  {
    id: 'google-drive',
    file: 'google-drive.lua',
    name: 'Google Drive',
    description: 'My Drive, signed in with an OAuth client of your own.',
  },
  {
    id: 'dropbox',
    file: 'dropbox.lua',
    name: 'Dropbox',
    description: 'A Dropbox account, signed in with an app of your own.',
  },
  {
    id: 'webdav',
    file: 'webdav.lua',
    name: 'WebDAV / Nextcloud',
    description: 'Nextcloud, ownCloud, Synology, a NAS or any WebDAV server.',
  },
  {
    id: 's3',
    file: 's3.lua',
    name: 'S3-compatible storage',
    description: 'Amazon S3, Backblaze B2, Wasabi, Cloudflare R2, MinIO and others.',
  },
]

/** The templates with their code; read once (the files ship with Skwirl and do not change). */
export function providerTemplates(resourcesDir: string): () => ProviderTemplate[] {
  let read: ProviderTemplate[] | null = null
  return () =>
    (read ??= TEMPLATES.map(({ file, ...template }) => ({
      ...template,
      code: readFileSync(join(resourcesDir, 'providers', file), 'utf8'),
    })))
}
