// `skwirl verify DIR` and the app's "Check backup": re-hash every stored file (and every kept
// version) against the manifest, without the network. Holds the destination's lock while it reads,
// so that it never sees a file half-replaced by a run.
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { formatBytes } from '../../../shared/format'
import { destinationProblemOf, DestinationError, missingError } from './disk'
import { md5OfFile } from './files'
import { lockDestination } from './lock'
import { MANIFEST_FILE, type Manifest } from './manifest'
import { lstatOrNull } from './path-claims'
import { SKWIRL_FOLDER } from './paths'

export type VerifyProblemKind = 'missing' | 'not-a-file' | 'size' | 'checksum'

export interface VerifyProblem {
  /** Relative to the backup folder, '/'-separated. */
  path: string
  fileId: string
  /** A current file, or a previous copy under .skwirl/versions. */
  kind: 'file' | 'version'
  problem: VerifyProblemKind
  /** The file is marked deleted at the source (its copy is still expected here). */
  deletedAtSource: boolean
}

export interface VerifyProgress {
  checked: number
  total: number
  bytes: number
}

export interface VerifyReport {
  dir: string
  files: number
  versions: number
  checked: number
  bytes: number
  problems: VerifyProblem[]
}

export interface VerifyOptions {
  onWaiting?: (holder: string) => void
  onProgress?: (progress: VerifyProgress) => void
  signal?: AbortSignal
}

/** Not a backup folder (no manifest): nothing to verify. */
export class NotABackupError extends DestinationError {
  constructor(dir: string) {
    super(
      'unusable',
      `${dir} is not a Skwirl backup: it has no ${SKWIRL_FOLDER}/${MANIFEST_FILE}. Give the folder a run backed up into (the provider's destination).`,
    )
  }
}

export async function verifyDestination(
  folder: string,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const dir = resolve(folder)
  const skwirlDir = join(dir, SKWIRL_FOLDER)
  if (!existsSync(dir)) throw missingError(dir)
  if (!existsSync(join(skwirlDir, MANIFEST_FILE))) throw new NotABackupError(dir)
  let lock
  try {
    lock = await lockDestination({
      skwirlDir,
      purpose: 'verify',
      provider: null,
      onWaiting: options.onWaiting,
      signal: options.signal,
    })
  } catch (error) {
    throw (await destinationProblemOf(error, dir)) ?? error
  }
  try {
    return await check(dir, lock.manifest, options)
  } finally {
    lock.release()
  }
}

async function check(
  dir: string,
  manifest: Manifest,
  options: VerifyOptions,
): Promise<VerifyReport> {
  const counts = manifest.counts()
  const report: VerifyReport = {
    dir,
    files: counts.files,
    versions: counts.versions,
    checked: 0,
    bytes: 0,
    problems: [],
  }
  const total = counts.files + counts.versions
  const progress = (): void =>
    options.onProgress?.({ checked: report.checked, total, bytes: report.bytes })
  const one = async (
    path: string,
    fileId: string,
    kind: 'file' | 'version',
    size: number | null,
    md5: string | null,
    deletedAtSource: boolean,
  ): Promise<void> => {
    options.signal?.throwIfAborted()
    const problem = await checkOne(join(dir, ...path.split('/')), size, md5, options.signal)
    report.checked++
    if (size !== null && problem !== 'missing' && problem !== 'not-a-file') report.bytes += size
    if (problem) report.problems.push({ path, fileId, kind, problem, deletedAtSource })
    progress()
  }
  progress()
  for (const entry of manifest.entries()) {
    await one(
      entry.storedPath,
      entry.fileId,
      'file',
      entry.size,
      entry.md5,
      entry.deletedAt !== null,
    )
  }
  for (const version of manifest.versions()) {
    await one(version.versionPath, version.fileId, 'version', version.size, version.md5, false)
  }
  return report
}

async function checkOne(
  path: string,
  size: number | null,
  md5: string | null,
  signal: AbortSignal | undefined,
): Promise<VerifyProblemKind | null> {
  const stats = await lstatOrNull(path)
  if (stats === null) return 'missing'
  // A link is never followed: what it points at is not the backup.
  if (!stats.isFile()) return 'not-a-file'
  if (size !== null && stats.size !== size) return 'size'
  if (md5 !== null && (await md5OfFile(path, signal)) !== md5) return 'checksum'
  return null
}

/** "missing", "a different size", … for a line of the CLI's list. */
export function describeProblem(problem: VerifyProblem): string {
  const what = {
    missing: 'missing',
    'not-a-file': 'not a regular file (a link or a folder)',
    size: 'a different size',
    checksum: 'different bytes (checksum)',
  }[problem.problem]
  const notes = [
    problem.kind === 'version' ? 'a previous version' : null,
    problem.deletedAtSource ? 'deleted at the source' : null,
  ].filter(Boolean)
  return `${problem.path}: ${what}${notes.length ? ` (${notes.join(', ')})` : ''}`
}

export function verifySummary(report: VerifyReport): string {
  const bad = report.problems.length
  return bad === 0
    ? `All ${report.checked} file(s) match the manifest (${formatBytes(report.bytes)}) in ${report.dir}.`
    : `${bad} of ${report.checked} file(s) missing or different in ${report.dir}.`
}
