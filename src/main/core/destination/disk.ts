// What a destination's disk can do to a run: be missing (an unplugged drive), read-only, or full.
// Those stop the run with a reason the person can act on; a problem with one path fails one file.
import { statfs, stat } from 'node:fs/promises'
import { formatBytes } from '../../../shared/format'

export type DestinationProblem = 'missing' | 'read-only' | 'full' | 'unusable'

/** A problem with the whole destination: the run stops, with this message on its record. */
export class DestinationError extends Error {
  override name = 'DestinationError'
  constructor(
    readonly problem: DestinationProblem,
    message: string,
  ) {
    super(message)
  }
}

/** A problem with one file's place in the destination: that file fails, the run goes on. */
export class StoredPathError extends Error {
  override name = 'StoredPathError'
}

export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

/** Bytes free for this user in the file system that holds dir; null when it cannot be told. */
export async function freeBytes(dir: string): Promise<number | null> {
  try {
    const stats = await statfs(dir)
    return stats.bavail * stats.bsize
  } catch {
    return null
  }
}

export async function fullError(dir: string, detail = ''): Promise<DestinationError> {
  const free = await freeBytes(dir)
  return new DestinationError(
    'full',
    `destination full: ${free === null ? 'no space' : `${formatBytes(free)} free`} in ${dir}${detail}`,
  )
}

export function readOnlyError(dir: string, error?: unknown): DestinationError {
  const code = errorCode(error)
  return new DestinationError(
    'read-only',
    `destination read-only: Skwirl cannot write in ${dir}${code ? ` (${code})` : ''}; check that the drive is writable and the folder's permissions`,
  )
}

export function missingError(dir: string): DestinationError {
  return new DestinationError(
    'missing',
    `destination missing: ${dir} does not exist; connect the drive it is on, or choose another folder`,
  )
}

/**
 * The whole-destination problem an fs error shows, or null when it concerns one path only.
 * `dir` is checked again for an error that may mean the drive went away.
 */
export async function destinationProblemOf(
  error: unknown,
  dir: string,
): Promise<DestinationError | null> {
  if (error instanceof DestinationError) return error
  switch (errorCode(error)) {
    case 'ENOSPC':
    case 'EDQUOT':
    case 'SQLITE_FULL':
      return fullError(dir)
    case 'EROFS':
    case 'SQLITE_READONLY':
    case 'SQLITE_READONLY_DBMOVED':
      return readOnlyError(dir, error)
    case 'ENOENT':
    case 'EIO':
    case 'ENXIO':
    case 'ENODEV':
    case 'ESTALE':
    case 'SQLITE_IOERR':
    case 'SQLITE_CANTOPEN':
      try {
        await stat(dir)
      } catch {
        return missingError(dir)
      }
      return errorCode(error) === 'ENOENT'
        ? null
        : new DestinationError(
            'unusable',
            `destination unusable: reading or writing ${dir} failed (${errorCode(error)}); check the drive`,
          )
    default:
      return null
  }
}

/** An fs error as a short reason: "permission denied (EACCES)". */
export function describeFsError(error: unknown): string {
  const code = errorCode(error)
  const message = error instanceof Error ? error.message : String(error)
  // Node's messages read "EACCES: permission denied, open '/x'": the words without the path.
  const words = /^[A-Z]+: ([^,]+)/.exec(message)?.[1]
  return words && code ? `${words} (${code})` : message
}
