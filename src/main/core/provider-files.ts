// Providers in and out of .lua files: the desktop app's import and export (through the system
// dialogs the Electron shell lends the core) and the CLI's `provider add` and `provider export`.
import { randomBytes } from 'node:crypto'
import {
  openSync,
  closeSync,
  fstatSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type { ProviderInput } from '../../shared/api'
import {
  decodeProviderFile,
  fileTooBigMessage,
  MAX_PROVIDER_FILE_BYTES,
  ProviderFileError,
} from '../../shared/provider-rules'

/** The system's file dialogs; only the desktop app has them (browser mode uploads and downloads). */
export interface FileDialogs {
  /** The .lua file the person chose to import, or null when they cancelled. */
  chooseFileToImport(): Promise<string | null>
  /** Where the person chose to save a file suggested as `fileName`, or null when they cancelled. */
  chooseFileToExport(fileName: string): Promise<string | null>
  /** A folder for a provider's backups (the desktop app's folder dialog), or null when cancelled. */
  chooseFolder?(): Promise<string | null>
}

/** Reads a .lua file as a provider named after the file. Throws ProviderFileError. */
export function readProviderFile(path: string): ProviderInput {
  const name = basename(path)
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (error) {
    throw new ProviderFileError(`Couldn’t read ${name}: ${reason(error)}.`)
  }
  try {
    const stats = fstatSync(fd)
    if (!stats.isFile()) throw new ProviderFileError(`${name} is not a file.`)
    if (stats.size > MAX_PROVIDER_FILE_BYTES)
      throw new ProviderFileError(fileTooBigMessage(name, stats.size))
    const buffer = Buffer.alloc(stats.size)
    let length = 0
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null)
      if (read === 0) break
      length += read
    }
    return decodeProviderFile(new Uint8Array(buffer.buffer, buffer.byteOffset, length), name)
  } catch (error) {
    if (error instanceof ProviderFileError) throw error
    throw new ProviderFileError(`Couldn’t read ${name}: ${reason(error)}.`)
  } finally {
    closeSync(fd)
  }
}

/**
 * Writes the code to `path` whole or not at all: into a temporary file beside it, then renamed
 * over it, so a crash or a full disk never leaves half a provider in the file.
 */
export function writeProviderFile(path: string, code: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    writeFileSync(temporary, code, { encoding: 'utf8', flag: 'wx' })
    renameSync(temporary, path)
  } catch (error) {
    rmSync(temporary, { force: true })
    throw new ProviderFileError(`Couldn’t write ${basename(path)}: ${reason(error)}.`)
  }
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code
  switch (code) {
    case 'ENOENT':
      return 'there is no such file or folder'
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    case 'EISDIR':
      return 'it is a folder'
    case 'ENOSPC':
      return 'the disk is full'
    case 'EROFS':
      return 'the disk is read-only'
    default:
      return error instanceof Error ? error.message : String(error)
  }
}
