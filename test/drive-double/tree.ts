// A whole Drive for the double: nested folders in My Drive and in shared drives, Docs, Sheets,
// Slides and Drawings, shortcuts, forms, sites and maps, duplicate names, names with a slash,
// abuse-flagged files, trashed files, files owned by others, a multi-parent file and a tree
// shared with me; and, written independently of any provider, what a backup of it must hold.
import {
  exportFormats,
  FOLDER_MIME,
  GOOGLE_DOC_MIME,
  GOOGLE_DRAWING_MIME,
  GOOGLE_FORM_MIME,
  GOOGLE_MAP_MIME,
  GOOGLE_SHEET_MIME,
  GOOGLE_SITE_MIME,
  GOOGLE_SLIDES_MIME,
  parentsOf,
  ROOT_FOLDER_ID,
  SHORTCUT_MIME,
  type DriveFile,
  type SharedDrive,
} from './files'
import { mulberry32 } from './quota'

export interface MakeDriveOptions {
  /** Items that are not folders, in My Drive and the shared drives together. */
  files: number
  seed?: number
  /** Items per folder before the next folder takes them (default 20). */
  filesPerFolder?: number
  /** Subfolders each folder gets (default 3): the tree's fan-out. */
  subfolders?: number
  /** Shared drives (default 2), holding `sharedDriveShare` of the items between them. */
  sharedDrives?: number
  sharedDriveShare?: number
  /** Items in a tree shared with me (outside My Drive), default 0. */
  sharedWithMe?: number
  /** Regular files' sizes in bytes (default 1..4096). */
  minSize?: number
  maxSize?: number
  /** Every Nth item is a Google Doc, Sheet, Slides or Drawing, in turn (default 25; 0 none). */
  docsEvery?: number
  shortcutsEvery?: number
  /** Forms, sites and maps in turn (default 1000). */
  unexportableEvery?: number
  abusiveEvery?: number
  trashedEvery?: number
  /** Takes the name of the folder's previous item (every other time in other letter case). */
  duplicatesEvery?: number
  slashEvery?: number
  /** Owned by someone else but in my folders (default 300). */
  notMineEvery?: number
  /** Every Nth item is a Doc whose export is bigger than `exportLimitBytes` (default 0: none). */
  tooLargeExportEvery?: number
  exportLimitBytes?: number
  /** Every Nth regular file is 1-2 MiB (default 0), so a broken download has a middle. */
  bigEvery?: number
}

export interface GeneratedDrive {
  files: DriveFile[]
  sharedDrives: SharedDrive[]
}

export type SkipKind =
  | 'folder'
  | 'shortcut'
  | 'form'
  | 'site'
  | 'map'
  | 'abuse'
  | 'export-too-large'
  | 'download-disabled'

export interface Expected {
  id: string
  outcome: 'downloaded' | 'skipped'
  /** Where the backup keeps it ('/'-separated; for a skipped item, where it would have been). */
  path: string
  skip?: SkipKind
  /** The export's MIME type for a Google Workspace file. */
  exportAs?: string
}

export type DriveScope = 'my-drive' | 'shared-drives' | 'shared-with-me'

export interface BackupSettings {
  scope: DriveScope
  /** 'office' (docx, xlsx, pptx, svg) or 'pdf'. */
  exportFormat: 'office' | 'pdf'
  acknowledgeAbuse: boolean
}

export const DEFAULT_SETTINGS: BackupSettings = {
  scope: 'shared-drives',
  exportFormat: 'office',
  acknowledgeAbuse: false,
}

const BASE_TIME = Date.parse('2025-06-01T00:00:00.000Z')
const EXPORT_TYPES = [GOOGLE_DOC_MIME, GOOGLE_SHEET_MIME, GOOGLE_SLIDES_MIME, GOOGLE_DRAWING_MIME]
const UNEXPORTABLE = [GOOGLE_FORM_MIME, GOOGLE_SITE_MIME, GOOGLE_MAP_MIME]

export function makeDrive(opts: MakeDriveOptions): GeneratedDrive {
  const seed = opts.seed ?? 1
  const random = mulberry32(seed)
  const perFolder = opts.filesPerFolder ?? 20
  const fanout = opts.subfolders ?? 3
  const minSize = opts.minSize ?? 1
  const maxSize = opts.maxSize ?? 4096
  // Each kind has its own offset, so that kinds with related periods do not land on each other.
  const every = (n: number | undefined, fallback: number, i: number, offset: number): boolean => {
    const step = n ?? fallback
    return step > 0 && (i + offset) % step === 0
  }
  const files: DriveFile[] = []
  const sharedDrives: SharedDrive[] = Array.from({ length: opts.sharedDrives ?? 2 }, (_, k) => ({
    id: `0AFakeDrive${k + 1}Uk9PVA`,
    name: k === 1 ? 'Design / Assets' : `Team ${k + 1}`,
  }))
  let serial = 0
  const time = (n: number): string => new Date(BASE_TIME + n * 1000).toISOString()
  const newId = (prefix: string): string => `${prefix}${String(++serial).padStart(7, '0')}`

  interface Space {
    root: string
    driveId: string | undefined
    items: number
  }
  const share = sharedDrives.length > 0 ? (opts.sharedDriveShare ?? 0.2) : 0
  const inDrives = Math.floor(opts.files * share)
  const spaces: Space[] = [
    { root: ROOT_FOLDER_ID, driveId: undefined, items: opts.files - inDrives },
  ]
  sharedDrives.forEach((drive, k) => {
    const items =
      Math.floor(inDrives / sharedDrives.length) + (k < inDrives % sharedDrives.length ? 1 : 0)
    spaces.push({ root: drive.id, driveId: drive.id, items })
  })

  let itemNumber = 0
  const regular: DriveFile[] = []
  for (const space of spaces) {
    // Folders open breadth-first; each takes perFolder items, then the next one does.
    const open: Array<{ id: string; depth: number; trashed: boolean }> = [
      { id: space.root, depth: 0, trashed: false },
    ]
    let cursor = 0
    let inFolder = 0
    // As many folders as the items fill (and a few to spare), opened breadth-first, so that the
    // tree is about log(folders)/log(fanout) deep, as a real drive is, not a chain.
    const folders = Math.ceil(space.items / perFolder) + fanout
    const previousInFolder = new Map<string, DriveFile>()
    for (let placed = 0; placed < space.items; placed++) {
      if (inFolder >= perFolder) {
        cursor++
        inFolder = 0
      }
      const folder = open[cursor] ?? open[open.length - 1]
      if (!folder) throw new Error('no folder')
      if (inFolder === 0 && open.length < folders) {
        for (let k = 0; k < fanout; k++) {
          const id = newId('d')
          // Some folders are trashed (and left empty, so a trashed subtree stays small).
          const trashed = every(opts.trashedEvery, 200, serial, 101)
          const sub: DriveFile = {
            id,
            name: `Folder ${folder.depth + 1}.${serial}`,
            mimeType: FOLDER_MIME,
            modifiedTime: time(serial),
            createdTime: time(serial),
            parents: [folder.id],
          }
          if (trashed) sub.trashed = true
          if (space.driveId) sub.driveId = space.driveId
          files.push(sub)
          if (!trashed) open.push({ id, depth: folder.depth + 1, trashed })
        }
      }
      inFolder++
      const i = ++itemNumber
      const id = newId('f')
      const file: DriveFile = {
        id,
        name: `file-${String(i).padStart(7, '0')}.bin`,
        mimeType: 'application/octet-stream',
        modifiedTime: time(serial),
        createdTime: time(serial),
        parents: [folder.id],
      }
      if (space.driveId) file.driveId = space.driveId
      if (folder.trashed || every(opts.trashedEvery, 200, i, 11)) file.trashed = true
      const size = minSize + Math.floor(random() * (maxSize - minSize + 1))
      if (every(opts.shortcutsEvery, 100, i, 0) && regular.length > 0) {
        const target = regular[Math.floor(random() * regular.length)] as DriveFile
        file.name = `Shortcut to ${target.name}`
        file.mimeType = SHORTCUT_MIME
        file.shortcutTarget = { id: target.id }
      } else if (every(opts.unexportableEvery, 1000, i, 17)) {
        file.mimeType = UNEXPORTABLE[Math.floor(i / (opts.unexportableEvery ?? 1000)) % 3] as string
        file.name = `Survey ${i}`
      } else if (every(opts.tooLargeExportEvery, 0, i, 23)) {
        file.mimeType = GOOGLE_DOC_MIME
        file.name = `Huge report ${i}`
        file.exportSize = (opts.exportLimitBytes ?? 10 * 1024 * 1024) + 1 + (i % 1000)
      } else if (every(opts.docsEvery, 25, i, 3)) {
        const n = Math.floor(i / (opts.docsEvery ?? 25))
        file.mimeType = EXPORT_TYPES[n % EXPORT_TYPES.length] as string
        file.name = `Notes ${i}`
      } else {
        if (every(opts.bigEvery, 0, i, 31)) {
          file.content = { size: 1024 * 1024 + Math.floor(random() * 1024 * 1024), seed: seed + i }
        } else {
          file.content = { size, seed: (Math.imul(seed, 0x01000193) + i) >>> 0 }
        }
        if (i % 7 === 0) {
          file.name = `photo-${i}.jpg`
          file.mimeType = 'image/jpeg'
        }
        if (every(opts.abusiveEvery, 10_000, i, 29)) file.abusive = true
        if (every(opts.notMineEvery, 300, i, 19) && !space.driveId) file.notMine = true
        regular.push(file)
      }
      if (every(opts.slashEvery, 1000, i, 13)) file.name = `Q1/Q2 report ${i}.txt`
      const previous = previousInFolder.get(folder.id)
      if (every(opts.duplicatesEvery, 500, i, 7) && previous) {
        file.name = i % 2 === 0 ? previous.name : previous.name.toUpperCase()
        if (file.mimeType !== previous.mimeType && previous.mimeType !== SHORTCUT_MIME) {
          file.mimeType = previous.mimeType
          if (previous.content) file.content = { size, seed: seed * 31 + i }
          else delete file.content
          delete file.shortcutTarget
        }
      }
      previousInFolder.set(folder.id, file)
      files.push(file)
    }
  }

  // One old file with two parents (Drive allowed that until 2020): it is kept under the first.
  const twoParents = regular.find((file) => !file.driveId && !file.trashed && file !== regular[0])
  const otherFolder = files.find(
    (file) => file.mimeType === FOLDER_MIME && !file.driveId && !file.trashed,
  )
  if (twoParents && otherFolder && twoParents.parents?.[0] !== otherFolder.id) {
    twoParents.parents = [...(twoParents.parents ?? []), otherFolder.id]
  }

  if ((opts.sharedWithMe ?? 0) > 0) addSharedWithMe(files, opts.sharedWithMe ?? 0, newId, time)
  return { files, sharedDrives }
}

/** A folder someone shared with me (with a subfolder) and a lone shared file. */
function addSharedWithMe(
  files: DriveFile[],
  count: number,
  newId: (prefix: string) => string,
  time: (n: number) => string,
): void {
  const top = newId('s')
  const created = time(1)
  files.push({
    id: top,
    name: 'Shared project',
    mimeType: FOLDER_MIME,
    modifiedTime: created,
    createdTime: created,
    sharedWithMe: true,
  })
  const sub = newId('s')
  files.push({
    id: sub,
    name: 'Drafts',
    mimeType: FOLDER_MIME,
    modifiedTime: created,
    createdTime: created,
    parents: [top],
    notMine: true,
  })
  for (let n = 1; n < count; n++) {
    files.push({
      id: newId('s'),
      name: n % 5 === 0 ? `Plan ${n}` : `shared-${n}.txt`,
      mimeType: n % 5 === 0 ? GOOGLE_DOC_MIME : 'text/plain',
      modifiedTime: created,
      createdTime: created,
      parents: [n % 2 === 0 ? top : sub],
      notMine: true,
      content: new TextEncoder().encode(`shared file ${n}\n`),
    })
  }
  files.push({
    id: newId('s'),
    name: 'invoice.pdf',
    mimeType: 'application/pdf',
    modifiedTime: created,
    createdTime: created,
    sharedWithMe: true,
    content: new TextEncoder().encode('%PDF-1.4 shared\n'),
  })
}

/** The export format (MIME type, extension) a backup uses for a Google Workspace type. */
export function exportChoice(
  mimeType: string,
  format: BackupSettings['exportFormat'],
): [string, string] | undefined {
  const offered = exportFormats(mimeType)
  if (offered.length === 0) return undefined
  if (format === 'pdf') return offered.find(([mime]) => mime === 'application/pdf') ?? offered[0]
  return offered[0]
}

/**
 * A Drive name as one path segment: a slash cannot be one (U+FF0F instead, as rclone maps it),
 * nor can `.` or `..` or nothing; control characters become spaces.
 */
export function segment(name: string): string {
  if (name === '') return 'Untitled'
  if (name === '.') return '\uff0e'
  if (name === '..') return '\uff0e\uff0e'
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\x00-\x1f\x7f]/g, ' ').replaceAll('/', '\uff0f')
}

function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase())
}

function withExtension(name: string, extension: string): string {
  return asciiLower(name).endsWith(`.${extension}`) ? name : `${name}.${extension}`
}

/** " (id)" before the extension (the text after a last dot that is not the first character). */
function tagged(name: string, tag: string): string {
  const dot = name.lastIndexOf('.')
  return dot > 0 ? `${name.slice(0, dot)} (${tag})${name.slice(dot)}` : `${name} (${tag})`
}

/**
 * What a complete backup of the drive holds under the settings: every item the listing reaches,
 * downloaded (or exported) under its folder path, or skipped with its kind. Trashed items and
 * items outside the scope are absent.
 */
export function expectedBackup(
  drive: GeneratedDrive,
  settings: BackupSettings = DEFAULT_SETTINGS,
  exportLimitBytes = 10 * 1024 * 1024,
): Map<string, Expected> {
  // Items shared with me sit side by side in "Shared with me", named as in one folder.
  const sharedWithMe = 'shared-with-me'
  const firstParent = (file: DriveFile): string | undefined =>
    file.sharedWithMe && parentsOf(file).length === 0 ? sharedWithMe : parentsOf(file)[0]
  const children = new Map<string, DriveFile[]>()
  for (const file of drive.files) {
    if (file.trashed) continue
    // A file with two parents is backed up under its first one only.
    const parent = firstParent(file)
    if (parent === undefined) continue
    let list = children.get(parent)
    if (!list) children.set(parent, (list = []))
    list.push(file)
  }
  const out = new Map<string, Expected>()

  const kindOf = (file: DriveFile): SkipKind | 'file' | 'export' => {
    if (file.mimeType === FOLDER_MIME) return 'folder'
    if (file.mimeType === SHORTCUT_MIME) return 'shortcut'
    if (file.mimeType === GOOGLE_FORM_MIME) return 'form'
    if (file.mimeType === GOOGLE_SITE_MIME) return 'site'
    if (file.mimeType === GOOGLE_MAP_MIME) return 'map'
    if (exportFormats(file.mimeType).length > 0) return 'export'
    return 'file'
  }
  /** The file's own name, with the export's extension for a Workspace file. */
  const baseName = (file: DriveFile): string => {
    const choice = exportChoice(file.mimeType, settings.exportFormat)
    const name = segment(file.name)
    return choice ? withExtension(name, choice[1]) : name
  }

  const walk = (folderId: string, path: string): void => {
    const items = children.get(folderId) ?? []
    // Folders, files and exports share the folder's names; skipped items take none.
    const named = items.filter((file) => {
      const kind = kindOf(file)
      return kind === 'folder' || kind === 'file' || kind === 'export'
    })
    const names = new Map<string, string>()
    const groups = new Map<string, DriveFile[]>()
    for (const file of named) {
      const key = asciiLower(baseName(file))
      let group = groups.get(key)
      if (!group) groups.set(key, (group = []))
      group.push(file)
    }
    const taken = new Set(groups.keys())
    for (const group of groups.values()) {
      group.sort((a, b) => {
        const at = a.createdTime ?? a.modifiedTime
        const bt = b.createdTime ?? b.modifiedTime
        return at < bt ? -1 : at > bt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
      })
      group.forEach((file, k) => {
        const base = baseName(file)
        if (k === 0) return void names.set(file.id, base)
        let name = tagged(base, file.id.slice(0, 8))
        if (taken.has(asciiLower(name))) name = tagged(base, file.id)
        taken.add(asciiLower(name))
        names.set(file.id, name)
      })
    }
    for (const file of items) {
      const kind = kindOf(file)
      const itemPath = `${path}/${names.get(file.id) ?? segment(file.name)}`
      if (kind === 'folder') {
        out.set(file.id, { id: file.id, outcome: 'skipped', path: itemPath, skip: 'folder' })
        walk(file.id, itemPath)
      } else if (kind === 'file') {
        const owned = !file.notMine && !file.sharedWithMe
        const abuse = file.abusive && !(settings.acknowledgeAbuse && (owned || file.driveId))
        if (abuse) {
          out.set(file.id, { id: file.id, outcome: 'skipped', path: itemPath, skip: 'abuse' })
        } else if (file.downloadDisabled) {
          out.set(file.id, {
            id: file.id,
            outcome: 'skipped',
            path: itemPath,
            skip: 'download-disabled',
          })
        } else {
          out.set(file.id, { id: file.id, outcome: 'downloaded', path: itemPath })
        }
      } else if (kind === 'export') {
        const choice = exportChoice(file.mimeType, settings.exportFormat) as [string, string]
        const tooLarge = (file.exportSize ?? 0) > exportLimitBytes
        out.set(file.id, {
          id: file.id,
          outcome: tooLarge ? 'skipped' : 'downloaded',
          path: itemPath,
          exportAs: choice[0],
          ...(tooLarge ? { skip: 'export-too-large' as const } : {}),
        })
      } else {
        out.set(file.id, { id: file.id, outcome: 'skipped', path: itemPath, skip: kind })
      }
    }
  }

  walk(ROOT_FOLDER_ID, 'My Drive')
  if (settings.scope !== 'my-drive') {
    const driveNames = new Map<string, string>()
    const seen = new Set<string>()
    for (const drive_ of drive.sharedDrives) {
      let name = segment(drive_.name)
      if (seen.has(asciiLower(name))) name = tagged(name, drive_.id.slice(0, 8))
      seen.add(asciiLower(name))
      driveNames.set(drive_.id, name)
    }
    for (const drive_ of drive.sharedDrives) {
      walk(drive_.id, `Shared drives/${driveNames.get(drive_.id) ?? drive_.name}`)
    }
  }
  if (settings.scope === 'shared-with-me') walk(sharedWithMe, 'Shared with me')
  return out
}
