// One run's use of a destination: the only code that writes a backup. It holds the destination's
// lock for the run, decides for each file whether it must be downloaded (or is unchanged), streams
// a download into a temporary file in DIR/.skwirl/tmp, and puts a verified file in place with a
// rename, after keeping the previous copy under .skwirl/versions/<run start>/. The manifest is
// updated after each file; a crash at any moment leaves each stored file old or new, never half.
import { randomBytes } from 'node:crypto'
import type { Stats } from 'node:fs'
import {
  closeSync,
  fdatasync,
  constants as fsConstants,
  futimesSync,
  open as fsOpen,
  openSync,
  renameSync,
  write as fsWrite,
} from 'node:fs'
import {
  copyFile,
  link,
  lstat,
  mkdir,
  readdir,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { formatBytes } from '../../../shared/format'
import type { FileMetadata, FileResult, PlanMode } from '../../../shared/runner-protocol'
import { unchangedKey } from '../../../shared/runner-protocol'
import {
  describeFsError,
  DestinationError,
  destinationProblemOf,
  errorCode,
  freeBytes,
  fullError,
  missingError,
  readOnlyError,
  StoredPathError,
} from './disk'
import { isMd5, md5OfFile, modifiedDate, runStamp, setModifiedTime, stampTime } from './files'
import { lockDestination, type DestinationLock } from './lock'
import type { Manifest, ManifestEntry } from './manifest'
import { lstatOrNull, PathClaims } from './path-claims'
import { pathKey, SKWIRL_FOLDER, splitExtension } from './paths'

const DAY_MS = 24 * 60 * 60 * 1000
/**
 * Downloads whose flush and rename may be under way at once, behind the answered download_url
 * calls: the next file's metadata request overlaps the disk's flush, as a flush overlaps the
 * next flushes (the file system joins them). The next download waits while this many are.
 */
const COMMITS_BEHIND = 4
/** Room kept free beyond a file's size (the manifest and folders need a little). */
const SPACE_MARGIN = 1024 * 1024
/** How long a free-space reading is trusted while files are written. */
const FREE_SPACE_FRESH_MS = 2000

/** Where a chunk goes: the temporary file (tests put a failing disk in front of it). */
export interface ChunkTarget {
  write(chunk: Uint8Array): Promise<unknown>
}

export type WriteChunk = (file: ChunkTarget, chunk: Uint8Array) => Promise<unknown>

export interface DestinationRunOptions {
  dir: string
  runId: string
  /** The run's start time (ISO): names its versions folder. */
  runStartedAt: string
  providerName: string
  /** Download everything again and compare it with the kept copies (--verify, "Verify all"). */
  verifyAll: boolean
  /** Versions older than this many days are pruned at the end of a completed run. */
  retentionDays: number
  /** The destination is locked by another run: who holds it. */
  onWaiting?: (holder: string) => void
  /** Things the log should say (a kept copy that differed, versions pruned…). */
  onNotice?: (message: string) => void
  /** Aborted when the run stops: waiting for the lock ends. */
  signal?: AbortSignal
  /** Writes one chunk of a temporary file; tests inject a failing disk here. */
  writeChunk?: WriteChunk
  now?: () => number
}

export interface DownloadResult {
  bytes: number
  /** MD5 of the bytes as they streamed. */
  md5: string | null
}

/** Where the download of one file streams to: a temporary file in DIR/.skwirl/tmp. */
export interface StoredFileWriter {
  write(chunk: Uint8Array): Promise<void>
  /** A broken download starts over from its first byte: empty the temporary file. */
  restart(): Promise<void>
  /**
   * The bytes are verified: flush them and put the file in place. Resolves once that is under
   * way; the file's outcome waits for its end (DestinationRun.holdFile).
   */
  commit(result: DownloadResult): Promise<void>
  /** The download failed: remove the temporary file (the kept copy stays as it was). */
  discard(): Promise<void>
}

export interface DestinationSummary {
  /** Files the source no longer lists, newly marked deleted in the manifest (and still kept). */
  deletedAtSource: number
  /** Version folders older than the retention, removed. */
  prunedVersions: number
}

interface PlannedFile {
  metadata: FileMetadata
  storedPath: string
  entry: ManifestEntry | null
}

const README = `This folder holds Skwirl's record of the backup around it.

manifest.db   which file each stored file is (file id, path, checksum, size, modified time),
              a SQLite database: \`skwirl verify <backup folder>\` checks every file against it.
versions/     previous copies of files that changed at the source, by the time of the run that
              replaced them (versions/<run start>/<path>).
tmp/          downloads in progress; whatever is left here after a crash is removed by the next run.

The backed-up files themselves are the plain files around this folder: open or copy them with any
file manager. Do not edit this folder by hand.
`

export class DestinationRun {
  readonly dir: string
  private readonly skwirlDir: string
  private readonly tmpDir: string
  private readonly stamp: string
  private readonly manifest: Manifest
  private readonly claims: PathClaims
  private readonly planned = new Map<string, PlannedFile>()
  /** planMode 'fresh': plans made as main heard of the files, until their download_url. */
  private readonly ahead = new Map<string, Promise<unknown>>()
  /**
   * How the run's workflow learns each file's plan: 'fresh' when the destination held nothing
   * (no manifest entry, nothing beside .skwirl) as the run began, 'ask' for verify-all, else
   * 'hints'. Set by open().
   */
  planMode: PlanMode = 'ask'
  private readonly inFlight = new Set<Promise<unknown>>()
  /** Commits under way (the next download waits while there are COMMITS_BEHIND). */
  private readonly committing = new Set<Promise<unknown>>()
  /**
   * Each commit's end by file id, until its outcome is taken (holdFile): its error, or null once
   * the file is in place.
   */
  private readonly commits = new Map<string, Promise<unknown>>()
  /** Outcomes held until their file's commit ends (and handed on). */
  private readonly held = new Set<Promise<void>>()
  private tempCount = 0
  /** The next download's temporary file, being made. */
  private spare: Promise<{ fd: number; path: string } | { error: unknown }> | null = null
  /** Names this run's temporary files (with a count): unlike anything a crashed run left. */
  private readonly tempTag = randomBytes(4).toString('hex')
  private freeEstimate: number | null = null
  private freeAt = 0
  private closed = false

  private constructor(
    private readonly options: DestinationRunOptions,
    dir: string,
    private readonly lock: DestinationLock,
  ) {
    this.dir = dir
    this.skwirlDir = join(dir, SKWIRL_FOLDER)
    this.tmpDir = join(this.skwirlDir, 'tmp')
    this.stamp = runStamp(options.runStartedAt)
    this.manifest = lock.manifest
    this.manifest.batchWrites()
    this.claims = new PathClaims(dir, this.manifest)
  }

  /**
   * Checks the folder, takes its lock (waiting while another run holds it), and clears what a
   * crashed run left in .skwirl/tmp. Throws DestinationError for a missing, read-only or full
   * destination.
   */
  static async open(options: DestinationRunOptions): Promise<DestinationRun> {
    const dir = resolve(options.dir)
    const skwirlDir = join(dir, SKWIRL_FOLDER)
    await prepareFolder(dir, skwirlDir)
    let lock: DestinationLock
    try {
      lock = await lockDestination({
        skwirlDir,
        purpose: 'backup',
        provider: options.providerName,
        onWaiting: options.onWaiting,
        signal: options.signal,
      })
    } catch (error) {
      throw (await destinationProblemOf(error, dir)) ?? error
    }
    const run = new DestinationRun(options, dir, lock)
    try {
      await run.begin()
      run.planMode = options.verifyAll
        ? 'ask'
        : run.manifest.isEmpty() && (await onlySkwirlIn(dir))
          ? 'fresh'
          : 'hints'
      return run
    } catch (error) {
      lock.release()
      throw (await destinationProblemOf(error, dir)) ?? error
    }
  }

  private async begin(): Promise<void> {
    // Under the lock: no other run's temporary files can be here.
    await rm(this.tmpDir, { recursive: true, force: true })
    await mkdir(this.tmpDir)
    const { manifest, options } = this
    manifest.transaction(() => {
      if (manifest.getMeta('created_at') === null) {
        manifest.setMeta('created_at', new Date(this.now()).toISOString())
        manifest.setMeta('provider', options.providerName)
      }
      manifest.beginRun({
        id: options.runId,
        provider: options.providerName,
        startedAt: options.runStartedAt,
      })
    })
    const owner = manifest.getMeta('provider')
    if (owner !== null && owner !== options.providerName) {
      options.onNotice?.(
        `${this.dir} was first used by the provider “${owner}”; files that one backed up will be marked deleted at the source after this run (they stay in the folder)`,
      )
    }
  }

  /** The listing saw these ids: they are at the source. */
  saw(ids: readonly string[]): void {
    if (!this.closed) this.manifest.saw(ids, this.options.runId)
  }

  /**
   * Whether a file must be downloaded: not when the manifest has it with the same content and its
   * copy is in place with that size (then it is 'unchanged'; a new path or modified time is
   * applied to the copy). Throws DestinationError when the destination cannot take the file.
   */
  plan(fileId: string, metadata: FileMetadata): Promise<'download' | 'unchanged'> {
    return this.track(async () => {
      try {
        return await this.decide(fileId, metadata)
      } catch (error) {
        throw (await destinationProblemOf(error, this.dir)) ?? asPathError(error)
      }
    })
  }

  /**
   * planMode 'hints': for each id, the unchangedKey of its manifest entry when its copy is in
   * place with the recorded size (a file whose metadata has that key is unchanged: decide()
   * would answer so and change nothing), else null.
   */
  hints(fileIds: readonly string[]): Promise<Array<string | null>> {
    return this.track(async () => {
      this.assertOpen()
      const keys: Array<string | null> = []
      for (const fileId of fileIds) {
        if (this.options.verifyAll) {
          keys.push(null)
          continue
        }
        const entry = this.manifest.get(fileId)
        const key =
          entry &&
          unchangedKey({
            path: entry.sourcePath,
            name: entry.name,
            size: entry.size,
            checksum: entry.checksum,
            modifiedTime: entry.modifiedTime,
          })
        if (!entry || key === null) {
          keys.push(null)
          continue
        }
        const kept = await lstatOrNull(this.absolute(entry.storedPath))
        keys.push(kept?.isFile() && kept.size === entry.size ? key : null)
      }
      return keys
    })
  }

  /**
   * planMode 'fresh': the workflow downloads this file without asking; its plan is made now, in
   * the order the files are heard of, and its download_url (openFile) waits for it.
   */
  expect(fileId: string, metadata: FileMetadata): void {
    if (this.closed) return
    const plan = this.plan(fileId, metadata).then(
      () => null,
      (error: unknown) => error,
    )
    this.ahead.set(fileId, plan)
  }

  private async decide(fileId: string, metadata: FileMetadata): Promise<'download' | 'unchanged'> {
    this.assertOpen()
    const entry = this.manifest.get(fileId)
    const storedPath =
      entry && entry.sourcePath === metadata.path
        ? entry.storedPath
        : await this.claims.claim(fileId, metadata)
    if (!this.options.verifyAll) {
      if (entry && sameContent(entry, metadata)) {
        const kept = await lstatOrNull(this.absolute(entry.storedPath))
        // An export's size is not known before it is made: the kept copy's recorded size stands in.
        if (kept?.isFile() && kept.size === (metadata.size ?? entry.size)) {
          await this.keepUnchanged(fileId, metadata, entry, storedPath)
          return 'unchanged'
        }
      }
      // A copy already in place with the right bytes (its manifest row lost in a crash, or a
      // folder backed up before) is taken as it is. Not in a fresh destination (it was empty):
      // what someone put there since is kept as a version when the download takes its place.
      if (this.planMode !== 'fresh' && (await this.adopt(fileId, metadata, entry, storedPath))) {
        return 'unchanged'
      }
    }
    await this.ensureSpace(metadata)
    this.planned.set(fileId, { metadata, storedPath, entry })
    return 'download'
  }

  private async keepUnchanged(
    fileId: string,
    metadata: FileMetadata,
    entry: ManifestEntry,
    storedPath: string,
  ): Promise<void> {
    if (storedPath !== entry.storedPath) {
      // Moved or renamed at the source, same bytes: the copy moves too, nothing is downloaded.
      await this.install(this.absolute(entry.storedPath), storedPath, fileId)
    }
    if (entry.modifiedTime !== metadata.modifiedTime) {
      await setModifiedTime(this.absolute(storedPath), metadata.modifiedTime)
    }
    if (
      storedPath !== entry.storedPath ||
      entry.modifiedTime !== metadata.modifiedTime ||
      entry.name !== metadata.name ||
      entry.sourcePath !== metadata.path
    ) {
      this.putEntry({
        ...entry,
        sourcePath: metadata.path,
        storedPath,
        name: metadata.name,
        modifiedTime: metadata.modifiedTime,
      })
    }
    this.claims.release(storedPath, fileId)
  }

  private async adopt(
    fileId: string,
    metadata: FileMetadata,
    entry: ManifestEntry | null,
    storedPath: string,
  ): Promise<boolean> {
    const checksum = metadata.checksum
    if (checksum === null || !isMd5(checksum)) return false
    const path = this.absolute(storedPath)
    const there = await lstatOrNull(path)
    if (!there?.isFile() || there.size !== metadata.size) return false
    const md5 = await md5OfFile(path, this.options.signal)
    if (md5 !== checksum.toLowerCase()) return false
    if (entry && entry.storedPath !== storedPath) await this.keepOldCopy(entry, fileId)
    await setModifiedTime(path, metadata.modifiedTime)
    this.putEntry(this.entryFor(fileId, metadata, storedPath, md5))
    this.claims.release(storedPath, fileId)
    return true
  }

  /** A temporary file for one download_url of a planned file. */
  async openFile(fileId: string): Promise<StoredFileWriter> {
    this.assertOpen()
    while (this.committing.size >= COMMITS_BEHIND) await Promise.race(this.committing)
    const ahead = this.ahead.get(fileId)
    if (ahead) {
      this.ahead.delete(fileId)
      const error = await ahead
      if (error) throw error
    }
    const planned = this.planned.get(fileId)
    if (!planned) {
      throw new StoredPathError(
        `download_url for file ${fileId}, which Skwirl was not about to download`,
      )
    }
    // The temporary file made ahead (creating a file costs a few hundred µs on some file
    // systems: off the download's path), and the next one started.
    const spare = this.spare ?? this.newTemp()
    this.spare = this.newTemp()
    const temp = await spare
    if ('error' in temp) {
      const { error } = temp
      throw (
        (await destinationProblemOf(error, this.dir)) ??
        (errorCode(error) === 'EACCES' || errorCode(error) === 'EPERM'
          ? readOnlyError(this.dir, error)
          : error)
      )
    }
    return new TempFile(this, temp.fd, temp.path, fileId, planned, this.options.writeChunk)
  }

  /** Closes the temporary file made ahead for a download that did not come. */
  private async closeSpare(): Promise<void> {
    const spare = await this.spare
    this.spare = null
    try {
      if (spare && 'fd' in spare) closeSync(spare.fd)
    } catch {
      // Nothing was written in it; .skwirl/tmp is cleared by this run or the next.
    }
  }

  /** Creates a new temporary file in .skwirl/tmp. */
  private newTemp(): Promise<{ fd: number; path: string } | { error: unknown }> {
    const path = join(this.tmpDir, `${++this.tempCount}-${this.tempTag}.part`)
    return openAsync(path, 'wx').then(
      (fd) => ({ fd, path }),
      (error: unknown) => ({ error }),
    )
  }

  /** A TempFile's commit, started: its file's outcome waits for it. */
  noteCommit(fileId: string, commit: Promise<void>): void {
    const settled = commit.then(
      () => null,
      (error: unknown) => error,
    )
    this.commits.set(fileId, settled)
    this.committing.add(settled)
    void settled.then(() => this.committing.delete(settled))
  }

  /**
   * A file's outcome as the runner reports it, while its download may still be flushed and put
   * in place: false when nothing is under way (note the outcome now); otherwise true, and
   * `deliver` gets the outcome once the commit ended: as it was, or failed with the commit's
   * error (`problem` too when that error stops the run: the destination is full, gone…).
   */
  holdFile(
    result: FileResult,
    deliver: (result: FileResult, problem: DestinationError | null) => void,
  ): boolean {
    const commit = this.commits.get(result.fileId)
    if (!commit) return false
    const handed = commit.then((error) => {
      this.commits.delete(result.fileId)
      if (!error) return deliver(result, null)
      const message = error instanceof Error ? error.message : String(error)
      deliver(
        {
          ...result,
          outcome: 'failed',
          verified: false,
          error: { stage: 'download', message },
        },
        error instanceof DestinationError ? error : null,
      )
    })
    this.held.add(handed)
    void handed.finally(() => this.held.delete(handed))
    return true
  }

  /**
   * The runner is done: false when no outcome is held; otherwise true, and `deliver` is called
   * once every held outcome was handed on.
   */
  holdDone(deliver: () => void): boolean {
    if (this.held.size === 0) return false
    void Promise.allSettled([...this.held]).then(() => {
      if (!this.holdDone(deliver)) deliver()
    })
    return true
  }

  /** The file is done (whatever became of it): forget what was planned for it. */
  settle(fileId: string): void {
    const ahead = this.ahead.get(fileId)
    if (ahead) {
      // Its plan (made ahead) may still be under way: settled once it is made.
      this.ahead.delete(fileId)
      void ahead.then(() => this.settle(fileId))
      return
    }
    const planned = this.planned.get(fileId)
    if (!planned) return
    this.planned.delete(fileId)
    this.claims.release(planned.storedPath, fileId)
  }

  /**
   * Ends the run's use of the destination: a completed run marks the files the source no longer
   * lists as deleted (they stay) and prunes versions older than the retention. Releases the lock.
   */
  async close(result: {
    status: string
    downloaded: number
    unchanged: number
    failed: number
  }): Promise<DestinationSummary> {
    if (this.closed) return { deletedAtSource: 0, prunedVersions: 0 }
    this.closed = true
    const summary: DestinationSummary = { deletedAtSource: 0, prunedVersions: 0 }
    try {
      await Promise.allSettled([...this.inFlight])
      const completed = result.status === 'completed'
      if (completed) {
        summary.deletedAtSource = this.manifest.markDeleted(
          this.options.runId,
          new Date(this.now()).toISOString(),
        )
        summary.prunedVersions = await this.pruneVersions()
      }
      this.manifest.finishRun(this.options.runId, { ...result, ...summary })
      this.manifest.flush()
      await this.closeSpare()
      await rm(this.tmpDir, { recursive: true, force: true })
    } finally {
      await this.closeSpare()
      this.lock.release()
    }
    return summary
  }

  // ---- writing ------------------------------------------------------------------------------

  /** Called by a TempFile whose bytes are verified and flushed. */
  async commitFile(
    tempPath: string,
    fileId: string,
    planned: PlannedFile,
    result: DownloadResult,
  ): Promise<void> {
    const { storedPath, metadata, entry } = planned
    const target = this.absolute(storedPath)
    // What the kept copy's bytes are when verify-all read them (its version records that).
    let keptMd5: string | undefined
    if (this.options.verifyAll && result.md5) {
      const there = await lstatOrNull(target)
      if (there?.isFile()) keptMd5 = await md5OfFile(target, this.options.signal)
      if (there?.isFile() && there.size === result.bytes) {
        if (keptMd5 === result.md5) {
          // The kept copy is the source's bytes: it stays, the download goes.
          await rm(tempPath, { force: true })
          await setModifiedTime(target, metadata.modifiedTime)
          this.putEntry(this.entryFor(fileId, metadata, storedPath, result.md5, result.bytes))
          return
        }
        this.options.onNotice?.(
          `the kept copy of ${storedPath} did not match the source; replaced with the download (the old copy is kept in ${SKWIRL_FOLDER}/versions/${this.stamp}/)`,
        )
      }
    }
    if (entry && entry.storedPath !== storedPath) await this.keepOldCopy(entry, fileId)
    await this.install(tempPath, storedPath, fileId, keptMd5)
    this.putEntry(this.entryFor(fileId, metadata, storedPath, result.md5, result.bytes))
  }

  /** Puts a file at storedPath with one rename, keeping whatever was there as a version. */
  private async install(
    from: string,
    storedPath: string,
    fileId: string,
    keptMd5?: string,
  ): Promise<void> {
    await this.claims.makeFolders(storedPath)
    const target = this.absolute(storedPath)
    const there = await lstatOrNull(target)
    if (there?.isDirectory()) {
      throw new StoredPathError(`${storedPath} in the destination is a folder`)
    }
    if (there) await this.keepVersion(target, storedPath, there, fileId, 'link', keptMd5)
    // Synchronous: a rename is a metadata change of microseconds on a local drive, less than a
    // trip through libuv's thread pool (one a file, as the stat before it).
    renameSync(from, target)
  }

  /** A file moved at the source and changed: its old copy (at the old path) becomes a version. */
  private async keepOldCopy(entry: ManifestEntry, fileId: string): Promise<void> {
    const old = this.absolute(entry.storedPath)
    const there = await lstatOrNull(old)
    if (there && !there.isDirectory()) {
      await this.keepVersion(old, entry.storedPath, there, fileId, 'move')
    }
  }

  /**
   * Keeps the copy at `path` under .skwirl/versions/<run start>/<storedPath>. 'link' leaves the
   * copy where it is too (a hard link, or a copy where links are not supported), so that the path
   * always holds the old or the new file; 'move' takes it away.
   */
  private async keepVersion(
    path: string,
    storedPath: string,
    stats: Stats,
    fileId: string,
    how: 'link' | 'move',
    /** The copy's MD5 when it was just read; otherwise the manifest's for that path. */
    knownMd5?: string,
  ): Promise<void> {
    const versionPath = await this.freeVersionPath(storedPath)
    const versionAbsolute = this.absolute(versionPath)
    await mkdir(dirname(versionAbsolute), { recursive: true })
    if (how === 'move' || stats.isSymbolicLink()) {
      // A link is moved as a link: its target is never read.
      await rename(path, versionAbsolute)
    } else {
      try {
        await link(path, versionAbsolute)
      } catch (error) {
        if (
          !['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EMLINK', 'ENOSYS'].includes(
            errorCode(error) ?? '',
          )
        ) {
          throw error
        }
        // FAT and exFAT drives have no hard links.
        await copyFile(path, versionAbsolute, fsConstants.COPYFILE_EXCL)
      }
    }
    const ownerId = this.manifest.ownerOf(pathKey(storedPath))
    const owner = ownerId === null ? null : this.manifest.get(ownerId)
    const same = owner !== null && owner.storedPath === storedPath
    this.manifest.addVersion({
      versionPath,
      runStamp: this.stamp,
      fileId: ownerId ?? fileId,
      storedPath,
      md5: knownMd5 ?? (same ? owner.md5 : null),
      size: stats.isFile() ? stats.size : null,
      modifiedTime: same ? owner.modifiedTime : null,
    })
  }

  private async freeVersionPath(storedPath: string): Promise<string> {
    const base = `${SKWIRL_FOLDER}/versions/${this.stamp}/${storedPath}`
    if ((await lstatOrNull(this.absolute(base))) === null) return base
    const folder = base.slice(0, base.lastIndexOf('/'))
    const { stem, extension } = splitExtension(base.slice(base.lastIndexOf('/') + 1))
    for (let n = 2; ; n++) {
      const candidate = `${folder}/${stem} ~${n}${extension}`
      if ((await lstatOrNull(this.absolute(candidate))) === null) return candidate
    }
  }

  private async pruneVersions(): Promise<number> {
    const versionsDir = join(this.skwirlDir, 'versions')
    const cutoff = this.now() - this.options.retentionDays * DAY_MS
    let names: string[]
    try {
      names = await readdir(versionsDir)
    } catch (error) {
      if (errorCode(error) === 'ENOENT') names = []
      else throw error
    }
    const stale = new Set(
      names.filter((name) => {
        const time = stampTime(name)
        return time !== null && time < cutoff && name !== this.stamp
      }),
    )
    // Versions the manifest still lists whose folder is gone (removed by hand) go too.
    for (const stamp of this.manifest.versionStamps()) {
      const time = stampTime(stamp)
      if (time !== null && time < cutoff && stamp !== this.stamp) stale.add(stamp)
    }
    for (const stamp of stale) {
      await rm(join(versionsDir, stamp), { recursive: true, force: true })
      this.manifest.forgetVersions(stamp)
    }
    if (stale.size > 0) {
      this.options.onNotice?.(
        `removed ${stale.size} version folder(s) older than ${this.options.retentionDays} day(s)`,
      )
    }
    return stale.size
  }

  // ---- helpers ------------------------------------------------------------------------------

  private entryFor(
    fileId: string,
    metadata: FileMetadata,
    storedPath: string,
    md5: string | null,
    /** The bytes stored: the size when the metadata could not say it in advance (an export). */
    bytes: number | null = null,
  ): ManifestEntry {
    return {
      fileId,
      sourcePath: metadata.path,
      storedPath,
      name: metadata.name,
      // No checksum known in advance (an export): '' (such files compare by modified time).
      checksum: metadata.checksum ?? '',
      md5,
      size: metadata.size ?? bytes ?? 0,
      modifiedTime: metadata.modifiedTime,
      storedAt: new Date(this.now()).toISOString(),
      seenRun: this.options.runId,
      deletedAt: null,
    }
  }

  private putEntry(entry: ManifestEntry): void {
    this.manifest.put(entry, pathKey(entry.storedPath))
  }

  /**
   * A file bigger than the space left stops the run before it downloads a byte. The reading is
   * refreshed when it is old or when what was written since may have used it up.
   */
  private async ensureSpace(metadata: FileMetadata): Promise<void> {
    const size = metadata.size
    if (size === null || !(size > 0)) return
    const now = this.now()
    if (
      this.freeEstimate === null ||
      now - this.freeAt > FREE_SPACE_FRESH_MS ||
      this.freeEstimate < size + SPACE_MARGIN
    ) {
      this.freeEstimate = await freeBytes(this.dir)
      this.freeAt = now
    }
    if (this.freeEstimate === null) return
    if (this.freeEstimate < size + SPACE_MARGIN) {
      throw await fullError(
        this.dir,
        `; the next file, ${metadata.path || metadata.name}, needs ${formatBytes(size)}`,
      )
    }
    this.freeEstimate -= size
  }

  /** Runs a file operation, counted so that close() waits for it. */
  private track<T>(body: () => Promise<T>): Promise<T> {
    const promise = body()
    this.inFlight.add(promise)
    const forget = (): void => void this.inFlight.delete(promise)
    promise.then(forget, forget)
    return promise
  }

  trackWrite<T>(body: () => Promise<T>): Promise<T> {
    return this.track(body)
  }

  private assertOpen(): void {
    if (this.closed) throw new StoredPathError('the run has already finished with its destination')
  }

  private absolute(relative: string): string {
    return join(this.dir, ...relative.split('/'))
  }

  private now(): number {
    return this.options.now?.() ?? Date.now()
  }
}

/** Whether DIR holds nothing but Skwirl's own folder. */
async function onlySkwirlIn(dir: string): Promise<boolean> {
  const names = await readdir(dir)
  return names.every((name) => name === SKWIRL_FOLDER)
}

/** The same bytes: the same size and checksum (and, without a checksum, the same modified time). */
function sameContent(entry: ManifestEntry, metadata: FileMetadata): boolean {
  // Not known in advance (an export): the size and checksum of what was stored cannot be compared.
  if (metadata.size !== null && entry.size !== metadata.size) return false
  const checksum = metadata.checksum ?? ''
  if (checksum !== '' || entry.checksum !== '') return entry.checksum === checksum
  return entry.modifiedTime === metadata.modifiedTime
}

/** An fs error about one path, as a failure of that file with a message that names it. */
function asPathError(error: unknown): unknown {
  if (error instanceof StoredPathError || !errorCode(error)) return error
  return new StoredPathError(`the destination could not store the file: ${describeFsError(error)}`)
}

/** One download's temporary file. */
class TempFile implements StoredFileWriter {
  private done = false
  private open = true
  private readonly writeChunk: WriteChunk
  private readonly target: ChunkTarget = { write: (chunk) => writeAll(this.fd, chunk) }

  constructor(
    private readonly destination: DestinationRun,
    private fd: number,
    private readonly path: string,
    private readonly fileId: string,
    private readonly planned: PlannedFile,
    writeChunk: WriteChunk | undefined,
  ) {
    this.writeChunk = writeChunk ?? ((file, chunk) => file.write(chunk))
  }

  async write(chunk: Uint8Array): Promise<void> {
    try {
      await this.writeChunk(this.target, chunk)
    } catch (error) {
      throw (await destinationProblemOf(error, this.destination.dir)) ?? asPathError(error)
    }
  }

  async restart(): Promise<void> {
    try {
      // Reopened: a truncate alone would leave the write position where it was.
      this.close()
      this.fd = openSync(this.path, 'w')
      this.open = true
    } catch (error) {
      throw (await destinationProblemOf(error, this.destination.dir)) ?? asPathError(error)
    }
  }

  commit(result: DownloadResult): Promise<void> {
    this.done = true
    const commit = this.destination.trackWrite(async () => {
      try {
        await fdatasyncAsync(this.fd)
        const date = modifiedDate(this.planned.metadata.modifiedTime)
        // Synchronous, as the rename: the file's metadata, already flushed with its bytes.
        if (date) futimesSync(this.fd, new Date(), date)
        this.close()
        await this.destination.commitFile(this.path, this.fileId, this.planned, result)
      } catch (error) {
        this.closeQuietly()
        await rm(this.path, { force: true }).catch(() => undefined)
        throw (await destinationProblemOf(error, this.destination.dir)) ?? asPathError(error)
      }
    })
    this.destination.noteCommit(this.fileId, commit)
    return Promise.resolve()
  }

  discard(): Promise<void> {
    if (this.done) return Promise.resolve()
    this.done = true
    return this.destination.trackWrite(async () => {
      this.closeQuietly()
      await rm(this.path, { force: true }).catch(() => undefined)
    })
  }

  /** Closes the descriptor once (a number closed twice could be another file's by then). */
  private close(): void {
    if (!this.open) return
    this.open = false
    closeSync(this.fd)
  }

  private closeQuietly(): void {
    try {
      this.close()
    } catch {
      // Closing is all that is left to do with it.
    }
  }
}

const fdatasyncAsync = promisify(fdatasync)
const openAsync = promisify(fsOpen)
const writeAsync = promisify(fsWrite)

/** Writes all of a chunk (a write may take part of it). */
async function writeAll(fd: number, chunk: Uint8Array): Promise<void> {
  for (let done = 0; done < chunk.byteLength;) {
    const { bytesWritten } = await writeAsync(fd, chunk, done, chunk.byteLength - done, null)
    done += bytesWritten
  }
}

/**
 * The folder exists and is a folder (a missing one is an unplugged drive: never created here),
 * and .skwirl in it is a real folder Skwirl can write in.
 */
async function prepareFolder(dir: string, skwirlDir: string): Promise<void> {
  let stats: Stats
  try {
    stats = await stat(dir)
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') throw missingError(dir)
    throw (await destinationProblemOf(error, dir)) ?? error
  }
  if (!stats.isDirectory()) {
    throw new DestinationError('unusable', `destination unusable: ${dir} is not a folder`)
  }
  try {
    try {
      await mkdir(skwirlDir)
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error
    }
    const own = await lstat(skwirlDir)
    if (!own.isDirectory()) {
      throw new DestinationError(
        'unusable',
        `destination unusable: ${skwirlDir} is not a folder (Skwirl keeps its records there)`,
      )
    }
    const readme = join(skwirlDir, 'README.txt')
    if ((await lstatOrNull(readme)) === null) await writeFile(readme, README)
    // A write now tells a read-only drive from a busy lock before the lock is tried.
    const probe = join(skwirlDir, `probe-${process.pid}-${randomBytes(4).toString('hex')}`)
    await writeFile(probe, '')
    await rm(probe, { force: true })
  } catch (error) {
    if (error instanceof DestinationError) throw error
    const code = errorCode(error)
    if (code === 'EACCES' || code === 'EPERM') throw readOnlyError(dir, error)
    throw (await destinationProblemOf(error, dir)) ?? error
  }
}
