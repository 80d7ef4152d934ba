// The double's indexes over its file list: by id, children by parent, which files lie under My
// Drive's root, and which ones a listing may show (Drive's corpora and shared-drive switches).
import { ownedByMe, parentsOf, ROOT_FOLDER_ID, type DriveFile, type SharedDrive } from './files'
import type { QueryableFile } from './query'

export interface Corpus {
  corpora: 'user' | 'domain' | 'drive' | 'allDrives'
  /** corpora=drive: the one shared drive. */
  driveId: string | null
  /** Shared-drive items appear only when the client says it handles them. */
  includeSharedDrives: boolean
}

/** Rebuilt whenever the double's file array is replaced or changes length. */
export class Catalog {
  private files: DriveFile[] = []
  private length = -1
  private byId = new Map<string, number>()
  private children = new Map<string, number[]>()
  private underRoot = new Map<string, boolean>()

  constructor(private readonly source: () => DriveFile[]) {}

  private fresh(): void {
    const files = this.source()
    if (files === this.files && files.length === this.length) return
    this.rebuild(files)
  }

  private rebuild(files: DriveFile[]): void {
    this.files = files
    this.length = files.length
    this.byId = new Map()
    this.children = new Map()
    this.underRoot = new Map()
    files.forEach((file, at) => {
      if (!this.byId.has(file.id)) this.byId.set(file.id, at)
      for (const parent of parentsOf(file)) {
        let list = this.children.get(parent)
        if (!list) this.children.set(parent, (list = []))
        list.push(at)
      }
    })
  }

  all(): DriveFile[] {
    this.fresh()
    return this.files
  }

  find(id: string): DriveFile | undefined {
    this.fresh()
    const hit = (): DriveFile | undefined => {
      const at = this.byId.get(id)
      const file = at === undefined ? undefined : this.files[at]
      return file?.id === id ? file : undefined
    }
    const file = hit()
    if (file) return file
    // The array may have been edited in place: rebuild and look once more.
    this.rebuild(this.source())
    return hit()
  }

  /** Indexes (in file order) of the children of any of these folders. */
  childrenOf(parents: readonly string[]): number[] {
    this.fresh()
    const seen = new Set<number>()
    for (const parent of parents) {
      for (const at of this.children.get(parent) ?? []) seen.add(at)
    }
    return [...seen].sort((a, b) => a - b)
  }

  /** True when the file lies in My Drive: one of its parent chains reaches the root. */
  inMyDrive(file: DriveFile): boolean {
    this.fresh()
    const walk = (current: DriveFile, depth: number): boolean => {
      const known = this.underRoot.get(current.id)
      if (known !== undefined) return known
      if (depth > 1000) return false
      this.underRoot.set(current.id, false)
      let result = false
      for (const parent of parentsOf(current)) {
        if (parent === ROOT_FOLDER_ID) result = true
        else {
          const up = this.find(parent)
          if (up && !up.driveId && walk(up, depth + 1)) result = true
        }
        if (result) break
      }
      this.underRoot.set(current.id, result)
      return result
    }
    return !file.driveId && walk(file, 0)
  }

  /**
   * Whether a listing over `corpus` may show the file. The user corpus holds My Drive, what the
   * user owns, and what was shared with them directly; the files inside a shared folder appear
   * only to a query that names their folder (`'id' in parents`), as Drive lists them.
   */
  visible(file: DriveFile, corpus: Corpus, namedParents: ReadonlySet<string>): boolean {
    if (file.driveId) {
      if (!corpus.includeSharedDrives) return false
      if (corpus.corpora === 'drive') return file.driveId === corpus.driveId
      return corpus.corpora === 'allDrives'
    }
    if (corpus.corpora === 'drive') return false
    if (ownedByMe(file) || file.sharedWithMe || this.inMyDrive(file)) return true
    return parentsOf(file).some((parent) => namedParents.has(parent))
  }

  /** What a `q` query sees of a file. */
  queryable(file: DriveFile): QueryableFile {
    return {
      name: file.name,
      mimeType: file.mimeType,
      trashed: file.trashed ?? false,
      starred: file.starred ?? false,
      sharedWithMe: file.sharedWithMe ?? false,
      ownedByMe: ownedByMe(file),
      parents: parentsOf(file),
      modifiedTime: file.modifiedTime,
      createdTime: file.createdTime ?? file.modifiedTime,
    }
  }
}

/** A shared drive's top folder as files.get shows it. */
export function driveFolder(drive: SharedDrive): DriveFile {
  return {
    id: drive.id,
    name: drive.name,
    mimeType: 'application/vnd.google-apps.folder',
    modifiedTime: '2026-01-01T00:00:00.000Z',
    driveId: drive.id,
    parents: [],
  }
}

/** My Drive's root folder as files.get('root') shows it. */
export const ROOT_FOLDER: DriveFile = {
  id: ROOT_FOLDER_ID,
  name: 'My Drive',
  mimeType: 'application/vnd.google-apps.folder',
  modifiedTime: '2026-01-01T00:00:00.000Z',
  parents: [],
}
