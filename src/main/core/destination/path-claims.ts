// Where each file goes in a real destination: its safe path, unless that path is taken (by another
// file id, case and Unicode normalisation folded; by a folder where a file should be; by a file,
// or a link, where a folder should be). A taken path gets a tag that stays the same from run to
// run (from the file id, or from the folder's path), and the manifest records the result.
import { lstatSync, type Stats } from 'node:fs'
import { lstat, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { FileMetadata } from '../../../shared/runner-protocol'
import { errorCode, StoredPathError } from './disk'
import type { Manifest } from './manifest'
import { hashTag, pathKey, safeName, safeSegments, taggedName } from './paths'

/** Tries before a path is given up on (each try a new tag). */
const MAX_TRIES = 20

export class PathClaims {
  /** Folders (relative, as keys) known to be real folders in DIR during this run. */
  private readonly folders = new Set<string>()
  /** Paths claimed by files still in flight (not yet in the manifest), by key. */
  private readonly pending = new Map<string, string>()
  /** Claims are made one at a time, in the order asked (parallel transfers ask at once). */
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly dir: string,
    private readonly manifest: Manifest,
  ) {}

  /**
   * The stored path for a file whose provider path is new (or changed). Claims wait for the
   * ones asked before them: a claim looks at the disk between its checks, and two files in
   * flight must never both find the same path free.
   */
  claim(fileId: string, metadata: FileMetadata): Promise<string> {
    const claimed = this.queue.then(() => this.claimNow(fileId, metadata))
    this.queue = claimed.catch(() => undefined)
    return claimed
  }

  private async claimNow(fileId: string, metadata: FileMetadata): Promise<string> {
    let segments = safeSegments(metadata.path)
    if (segments.length === 0) segments = safeSegments(metadata.name)
    if (segments.length === 0) segments = [safeName(fileId) ?? hashTag(fileId)]
    const last = segments.length - 1
    for (let i = 0; i < last; i++) {
      const original = segments[i] as string
      for (let n = 0; await this.folderBlocked(segments.slice(0, i + 1)); n++) {
        if (n >= MAX_TRIES) throw new StoredPathError(`no free folder name for ${metadata.path}`)
        // The tag comes from the folder's own path, so every file in it lands in the same place.
        const tag = hashTag(`${segments.slice(0, i).join('/')}/${original}${n ? `#${n}` : ''}`)
        segments[i] = taggedName(original, tag)
      }
    }
    const name = segments[last] as string
    for (let n = 0; await this.fileBlocked(fileId, segments); n++) {
      if (n >= MAX_TRIES) throw new StoredPathError(`no free file name for ${metadata.path}`)
      segments[last] = taggedName(name, hashTag(n ? `${fileId}#${n}` : fileId))
    }
    const claimed = segments.join('/')
    this.pending.set(pathKey(claimed), fileId)
    return claimed
  }

  /** A file in flight (claimed, not yet in the manifest) is to be stored below this path. */
  private pendingUnder(key: string): boolean {
    const prefix = `${key}/`
    for (const claimed of this.pending.keys()) if (claimed.startsWith(prefix)) return true
    return false
  }

  /** The file is settled (in the manifest, or failed): its claim is the manifest's now. */
  release(storedPath: string, fileId: string): void {
    const key = pathKey(storedPath)
    if (this.pending.get(key) === fileId) this.pending.delete(key)
  }

  /**
   * Makes the folders of a stored path, one at a time and never through a link: nothing lands
   * outside DIR. Throws StoredPathError when one of them is a file or a link.
   */
  async makeFolders(storedPath: string): Promise<void> {
    const segments = storedPath.split('/').slice(0, -1)
    for (let i = 0; i < segments.length; i++) {
      const relative = segments.slice(0, i + 1).join('/')
      if (this.folders.has(relative)) continue
      const absolute = join(this.dir, relative)
      try {
        await mkdir(absolute)
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error
      }
      const stats = await lstat(absolute)
      if (!stats.isDirectory()) {
        throw new StoredPathError(
          `${relative} in the destination is ${stats.isSymbolicLink() ? 'a link' : 'a file'}, not a folder; Skwirl does not write through it`,
        )
      }
      this.folders.add(relative)
    }
  }

  /** A folder path is blocked by a stored file of the same key, or by a non-folder on disk. */
  private async folderBlocked(segments: string[]): Promise<boolean> {
    const relative = segments.join('/')
    if (this.folders.has(relative)) return false
    const key = pathKey(relative)
    if (this.manifest.ownerOf(key) !== null || this.pending.has(key)) return true
    const stats = await lstatOrNull(join(this.dir, relative))
    if (stats === null) return false
    if (!stats.isDirectory()) return true
    this.folders.add(relative)
    return false
  }

  /** A file path is blocked by another file id's copy, by stored files below it, or by a folder. */
  private async fileBlocked(fileId: string, segments: string[]): Promise<boolean> {
    const relative = segments.join('/')
    const key = pathKey(relative)
    const owner = this.manifest.ownerOf(key) ?? this.pending.get(key) ?? null
    if (owner !== null && owner !== fileId) return true
    if (this.manifest.hasFilesUnder(key) || this.pendingUnder(key)) return true
    const stats = await lstatOrNull(join(this.dir, relative))
    return stats !== null && stats.isDirectory()
  }
}

/**
 * What is at a path (never following a link), or null. Synchronous underneath: a stat is a few
 * microseconds on a local drive, while a trip through libuv's thread pool costs a wake-up of two
 * threads (often 50–100 µs of wall time here) and an Error for every missing path; a run makes
 * two or three of these a file. On a network drive the event loop waits for the server instead.
 */
export async function lstatOrNull(path: string): Promise<Stats | null> {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) ?? null
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return null
    throw error
  }
}
