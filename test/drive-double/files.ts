// The double's file model, its Drive v3 JSON form, and a deterministic file-set generator.
import { contentMd5, contentSize, type FileContent } from './content'
import type { FieldSchema } from './fields'
import { mulberry32 } from './quota'

export interface DriveFile {
  id: string
  name: string
  mimeType: string
  /** RFC 3339 with milliseconds, e.g. 2026-01-02T03:04:05.000Z; served as given. */
  modifiedTime: string
  /** Defaults to modifiedTime. */
  createdTime?: string
  trashed?: boolean
  starred?: boolean
  /**
   * Defaults to [driveId] in a shared drive, none for a file shared with me, [ROOT_FOLDER_ID]
   * otherwise. An empty list is served as no `parents` (Drive hides a parent the user cannot see).
   */
  parents?: string[]
  /** Ignored for google-apps types; a binary file without content is empty. */
  content?: FileContent
  /** The shared drive the file lives in (its top folder's id is the drive's id). */
  driveId?: string
  /** A shortcut's target (mimeType SHORTCUT_MIME); the target's type is looked up, or `mimeType`. */
  shortcutTarget?: { id: string; mimeType?: string }
  /** Shared directly with the user by someone else: not owned, `sharedWithMeTime` set. */
  sharedWithMe?: boolean
  /** Owned by someone else (as a file another editor put in my folder); implied by sharedWithMe. */
  notMine?: boolean
  /** Flagged as malware or spam: alt=media refuses it unless the owner acknowledges the abuse. */
  abusive?: boolean
  /** The owner forbids downloading (capabilities.canDownload false): alt=media refuses it. */
  downloadDisabled?: boolean
  /** A Google Workspace file's export size in bytes (every format); default 2,000 + a little. */
  exportSize?: number
}

export interface SharedDrive {
  id: string
  name: string
}

export const ROOT_FOLDER_ID = '0AFakeRootFolderUk9PVA'
export const FOLDER_MIME = 'application/vnd.google-apps.folder'
export const SHORTCUT_MIME = 'application/vnd.google-apps.shortcut'
export const GOOGLE_DOC_MIME = 'application/vnd.google-apps.document'
export const GOOGLE_SHEET_MIME = 'application/vnd.google-apps.spreadsheet'
export const GOOGLE_SLIDES_MIME = 'application/vnd.google-apps.presentation'
export const GOOGLE_DRAWING_MIME = 'application/vnd.google-apps.drawing'
export const GOOGLE_FORM_MIME = 'application/vnd.google-apps.form'
export const GOOGLE_SITE_MIME = 'application/vnd.google-apps.site'
export const GOOGLE_MAP_MIME = 'application/vnd.google-apps.map'
const EMPTY = new Uint8Array(0)

/** Docs, Sheets, folders, shortcuts...: no md5Checksum, not downloadable with alt=media. */
export function isGoogleAppsType(mimeType: string): boolean {
  return mimeType.startsWith('application/vnd.google-apps.')
}

/** The bytes alt=media serves, or undefined when Drive refuses to download the file. */
export function downloadableContent(file: DriveFile): FileContent | undefined {
  return isGoogleAppsType(file.mimeType) ? undefined : (file.content ?? EMPTY)
}

export function parentsOf(file: DriveFile): string[] {
  if (file.parents) return file.parents
  if (file.driveId) return [file.driveId]
  return file.sharedWithMe ? [] : [ROOT_FOLDER_ID]
}

export function ownedByMe(file: DriveFile): boolean {
  return !file.driveId && !file.sharedWithMe && !file.notMine
}

/** A small number that depends only on the id, for sizes the double makes up. */
export function idHash(id: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193)
  return h >>> 0
}

export function exportSizeOf(file: DriveFile): number {
  return file.exportSize ?? 2000 + (idHash(file.id) % 3000)
}

/** Where the resource's facts come from beyond the file itself. */
export interface ResourceContext {
  /** A shortcut target's type when the double holds the target. */
  targetMimeType(id: string): string | undefined
}

/** The Drive v3 `File` resource for a file; md5 is only computed when the selection keeps it. */
export async function fileResource(
  file: DriveFile,
  withMd5: boolean,
  context?: ResourceContext,
): Promise<Record<string, unknown>> {
  const resource: Record<string, unknown> = {
    kind: 'drive#file',
    id: file.id,
    name: file.name,
    mimeType: file.mimeType,
  }
  const parents = parentsOf(file)
  if (parents.length > 0) resource.parents = parents
  if (file.starred) resource.starred = true
  resource.trashed = file.trashed ?? false
  resource.createdTime = file.createdTime ?? file.modifiedTime
  resource.modifiedTime = file.modifiedTime
  if (file.sharedWithMe) resource.sharedWithMeTime = file.createdTime ?? file.modifiedTime
  if (file.driveId) {
    resource.driveId = file.driveId
    // Drive still sends the old name beside the new one.
    resource.teamDriveId = file.driveId
  }
  resource.ownedByMe = ownedByMe(file)
  if (file.mimeType === SHORTCUT_MIME && file.shortcutTarget) {
    const target = file.shortcutTarget
    resource.shortcutDetails = {
      targetId: target.id,
      targetMimeType:
        context?.targetMimeType(target.id) ?? target.mimeType ?? 'application/octet-stream',
    }
  }
  const folder = file.mimeType === FOLDER_MIME
  resource.capabilities = {
    canDownload: !folder && file.mimeType !== SHORTCUT_MIME && !file.downloadDisabled,
    canListChildren: folder,
    canCopy: !folder && !file.downloadDisabled,
  }
  const content = downloadableContent(file)
  if (content !== undefined) {
    if (withMd5) resource.md5Checksum = await contentMd5(content)
    // Drive serialises int64 fields as strings of decimal digits.
    resource.size = String(contentSize(content))
  } else if (exportFormats(file.mimeType).length > 0) {
    // Editor files have a size too (what they take in Drive), which is not any export's size.
    resource.size = String(1024 + (idHash(file.id) % 512))
  }
  return resource
}

/** What files.export offers for each Google Workspace type, first the usual choice. */
const EXPORTS: Record<string, Array<[mime: string, extension: string]>> = {
  [GOOGLE_DOC_MIME]: [
    ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx'],
    ['application/vnd.oasis.opendocument.text', 'odt'],
    ['application/rtf', 'rtf'],
    ['application/pdf', 'pdf'],
    ['text/plain', 'txt'],
    ['application/zip', 'zip'],
    ['application/epub+zip', 'epub'],
    ['text/markdown', 'md'],
  ],
  [GOOGLE_SHEET_MIME]: [
    ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx'],
    ['application/x-vnd.oasis.opendocument.spreadsheet', 'ods'],
    ['application/pdf', 'pdf'],
    ['application/zip', 'zip'],
    ['text/csv', 'csv'],
    ['text/tab-separated-values', 'tsv'],
  ],
  [GOOGLE_SLIDES_MIME]: [
    ['application/vnd.openxmlformats-officedocument.presentationml.presentation', 'pptx'],
    ['application/vnd.oasis.opendocument.presentation', 'odp'],
    ['application/pdf', 'pdf'],
    ['text/plain', 'txt'],
    ['image/jpeg', 'jpg'],
    ['image/png', 'png'],
    ['image/svg+xml', 'svg'],
  ],
  [GOOGLE_DRAWING_MIME]: [
    ['image/svg+xml', 'svg'],
    ['application/pdf', 'pdf'],
    ['image/jpeg', 'jpg'],
    ['image/png', 'png'],
  ],
  'application/vnd.google-apps.script': [['application/vnd.google-apps.script+json', 'json']],
  'application/vnd.google-apps.jam': [['application/pdf', 'pdf']],
}

/** The export MIME types (and their usual extensions) Drive offers for a type; none for most. */
export function exportFormats(mimeType: string): ReadonlyArray<[string, string]> {
  return EXPORTS[mimeType] ?? []
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

const DRIVE_SCHEMA: FieldSchema = {
  kind: 'leaf',
  id: 'leaf',
  name: 'leaf',
  colorRgb: 'leaf',
  backgroundImageLink: 'leaf',
  backgroundImageFile: 'any',
  capabilities: 'any',
  createdTime: 'leaf',
  hidden: 'leaf',
  restrictions: 'any',
  themeId: 'leaf',
  orgUnitId: 'leaf',
}

export const DRIVE_LIST_SCHEMA: FieldSchema = {
  kind: 'leaf',
  nextPageToken: 'leaf',
  drives: DRIVE_SCHEMA,
}

export const DEFAULT_DRIVE_LIST_FIELDS = 'kind,nextPageToken,drives(kind,id,name)'

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
