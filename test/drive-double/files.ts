// The double's file model, its Drive v3 JSON form, and a deterministic file-set generator.
import { contentMd5, contentSize, type FileContent } from './content'
import type { FieldSchema } from './fields'

export interface DriveFile {
  id: string
  name: string
  mimeType: string
  /** RFC 3339 with milliseconds, e.g. 2026-01-02T03:04:05.000Z; served as given. */
  modifiedTime: string
  trashed?: boolean
  /** Defaults to [ROOT_FOLDER_ID]. */
  parents?: string[]
  /** Ignored for google-apps types; a binary file without content is empty. */
  content?: FileContent
}

export const ROOT_FOLDER_ID = '0AFakeRootFolderUk9PVA'
export const GOOGLE_DOC_MIME = 'application/vnd.google-apps.document'
const EMPTY = new Uint8Array(0)

/** Docs, Sheets, folders, shortcuts...: no size, no md5Checksum, not downloadable with alt=media. */
export function isGoogleAppsType(mimeType: string): boolean {
  return mimeType.startsWith('application/vnd.google-apps.')
}

/** The bytes alt=media serves, or undefined when Drive refuses to download the file. */
export function downloadableContent(file: DriveFile): FileContent | undefined {
  return isGoogleAppsType(file.mimeType) ? undefined : (file.content ?? EMPTY)
}

/** The Drive v3 `File` resource for a file; md5 is only computed when the selection keeps it. */
export async function fileResource(
  file: DriveFile,
  withMd5: boolean,
): Promise<Record<string, unknown>> {
  const resource: Record<string, unknown> = {
    kind: 'drive#file',
    id: file.id,
    name: file.name,
    mimeType: file.mimeType,
    parents: file.parents ?? [ROOT_FOLDER_ID],
    trashed: file.trashed ?? false,
    modifiedTime: file.modifiedTime,
  }
  const content = downloadableContent(file)
  if (content !== undefined) {
    if (withMd5) resource.md5Checksum = await contentMd5(content)
    // Drive serialises int64 fields as strings of decimal digits.
    resource.size = String(contentSize(content))
  }
  return resource
}

const NESTED = [
  'capabilities',
  'contentHints',
  'contentRestrictions',
  'downloadRestrictions',
  'exportLinks',
  'imageMediaMetadata',
  'labelInfo',
  'lastModifyingUser',
  'linkShareMetadata',
  'owners',
  'permissions',
  'properties',
  'appProperties',
  'sharingUser',
  'shortcutDetails',
  'trashingUser',
  'videoMediaMetadata',
] as const

const LEAVES = [
  'kind',
  'id',
  'name',
  'mimeType',
  'description',
  'starred',
  'trashed',
  'explicitlyTrashed',
  'trashedTime',
  'parents',
  'spaces',
  'version',
  'webContentLink',
  'webViewLink',
  'iconLink',
  'hasThumbnail',
  'thumbnailLink',
  'thumbnailVersion',
  'viewedByMe',
  'viewedByMeTime',
  'createdTime',
  'modifiedTime',
  'modifiedByMeTime',
  'modifiedByMe',
  'sharedWithMeTime',
  'shared',
  'ownedByMe',
  'viewersCanCopyContent',
  'copyRequiresWriterPermission',
  'writersCanShare',
  'hasAugmentedPermissions',
  'folderColorRgb',
  'originalFilename',
  'fullFileExtension',
  'fileExtension',
  'md5Checksum',
  'sha1Checksum',
  'sha256Checksum',
  'size',
  'quotaBytesUsed',
  'headRevisionId',
  'isAppAuthorized',
  'permissionIds',
  'resourceKey',
  'driveId',
  'teamDriveId',
  'inheritedPermissionsDisabled',
] as const

/** Field names Drive v3 accepts on a File, so a typo is rejected as Google would. */
export const FILE_SCHEMA: FieldSchema = Object.fromEntries([
  ...LEAVES.map((name) => [name, 'leaf'] as const),
  ...NESTED.map((name) => [name, 'any'] as const),
])

export const FILE_LIST_SCHEMA: FieldSchema = {
  kind: 'leaf',
  nextPageToken: 'leaf',
  incompleteSearch: 'leaf',
  files: FILE_SCHEMA,
}

export const DEFAULT_LIST_FIELDS =
  'kind,nextPageToken,incompleteSearch,files(kind,id,name,mimeType)'
export const DEFAULT_FILE_FIELDS = 'kind,id,name,mimeType'

function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface MakeFilesOptions {
  /** Smallest content size in bytes (default 1). */
  minSize?: number
  /** Largest content size in bytes, inclusive (default 4096). */
  maxSize?: number
  seed?: number
  /** Every Nth file (N, 2N, ... counting from 1) is a Google Doc. */
  docsEvery?: number
}

const BASE_TIME = Date.parse('2026-01-02T03:04:05.000Z')

/** `count` deterministic files f000001..., generated content; same arguments, same files. */
export function makeFiles(count: number, opts: MakeFilesOptions = {}): DriveFile[] {
  const minSize = opts.minSize ?? 1
  const maxSize = opts.maxSize ?? Math.max(4096, minSize)
  const seed = opts.seed ?? 1
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`bad count ${count}`)
  if (!(minSize >= 0 && maxSize >= minSize))
    throw new RangeError(`bad sizes ${minSize}..${maxSize}`)
  const random = mulberry32(seed)
  const width = Math.max(6, String(count).length)
  const files: DriveFile[] = []
  for (let i = 1; i <= count; i++) {
    const n = String(i).padStart(width, '0')
    const modifiedTime = new Date(BASE_TIME + i * 61_000).toISOString()
    // Draw for every file so a file's size does not depend on docsEvery.
    const size = minSize + Math.floor(random() * (maxSize - minSize + 1))
    if (opts.docsEvery !== undefined && opts.docsEvery > 0 && i % opts.docsEvery === 0) {
      files.push({ id: `f${n}`, name: `Document ${n}`, mimeType: GOOGLE_DOC_MIME, modifiedTime })
      continue
    }
    files.push({
      id: `f${n}`,
      name: `file-${n}.bin`,
      mimeType: 'application/octet-stream',
      modifiedTime,
      content: { size, seed: (Math.imul(seed, 0x01000193) + i) >>> 0 },
    })
  }
  return files
}
