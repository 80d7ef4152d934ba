// Choosing a destination (the app's folder field, `skwirl provider set --dest`): the path must
// name a folder Skwirl can write in. A folder that does not exist yet is created here, where the
// person asked for it; a run never creates its destination (a missing one is an unplugged drive).
import { randomBytes } from 'node:crypto'
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import { errorCode } from './disk'

export class DestinationFolderError extends Error {
  override name = 'DestinationFolderError'
}

/** What folder a person's text names: "~/Backups" is in their home; relative needs a base. */
export function resolveFolderText(text: string, base: string | null): string {
  const trimmed = text.trim()
  if (trimmed === '') throw new DestinationFolderError('Choose a folder for the backup.')
  if (/[\0]/.test(trimmed)) throw new DestinationFolderError('A folder path cannot contain NUL.')
  if (trimmed === '~' || trimmed.startsWith('~/')) return join(homedir(), trimmed.slice(1))
  if (isAbsolute(trimmed)) return resolve(trimmed)
  if (base === null) {
    throw new DestinationFolderError(
      `Give the folder's full path (such as ${process.platform === 'win32' ? 'D:\\Backups\\Drive' : '/home/you/Backups/Drive'}), not "${trimmed}".`,
    )
  }
  return resolve(base, trimmed)
}

/**
 * Checks (and creates, when missing) a destination folder; answers its absolute path and whether
 * it was created. Throws DestinationFolderError with a sentence for the person.
 */
export function checkDestinationFolder(
  text: string,
  base: string | null = null,
): { path: string; created: boolean } {
  const path = resolveFolderText(text, base)
  let created = false
  try {
    const stats = statSync(path)
    if (!stats.isDirectory()) throw new DestinationFolderError(`${path} is a file, not a folder.`)
  } catch (error) {
    if (error instanceof DestinationFolderError) throw error
    if (errorCode(error) !== 'ENOENT') throw explain(path, error)
    try {
      mkdirSync(path, { recursive: true })
      created = true
    } catch (mkdirError) {
      throw explain(path, mkdirError)
    }
  }
  // Can Skwirl write there? Try it (permissions alone do not tell a read-only drive).
  const probe = join(path, `.skwirl-probe-${randomBytes(4).toString('hex')}`)
  try {
    writeFileSync(probe, '')
    rmSync(probe, { force: true })
  } catch (error) {
    throw explain(path, error)
  }
  return { path, created }
}

function explain(path: string, error: unknown): DestinationFolderError {
  switch (errorCode(error)) {
    case 'EACCES':
    case 'EPERM':
      return new DestinationFolderError(`Skwirl is not allowed to write in ${path}.`)
    case 'EROFS':
      return new DestinationFolderError(`${path} is on a read-only drive.`)
    case 'ENOTDIR':
      return new DestinationFolderError(`Part of ${path} is a file, not a folder.`)
    case 'ENOSPC':
      return new DestinationFolderError(`The drive of ${path} is full.`)
    default:
      return new DestinationFolderError(
        `${path} cannot be used: ${error instanceof Error ? error.message : String(error)}`,
      )
  }
}
