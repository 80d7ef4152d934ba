// The rules every provider obeys, wherever it is written (editor, import, CLI): the store enforces
// them, and the renderer uses the same functions to say so before a round trip.
import type { ProviderInput } from './api'

export const MAX_PROVIDER_NAME_LENGTH = 80
/** Characters of Lua; the shipped Google Drive provider is about 3 000. */
export const MAX_PROVIDER_CODE_LENGTH = 1_000_000
/** Bytes of a .lua file to import: UTF-8 takes up to 4 bytes a character, 1 MB is plenty. */
export const MAX_PROVIDER_FILE_BYTES = 4 * 1024 * 1024

/** The name as it is stored: Unicode NFC, without surrounding white space. */
export function normalizeProviderName(name: string): string {
  return name.normalize('NFC').trim()
}

/**
 * What makes two names the same name: case folded over all of Unicode (not only ASCII, as SQLite's
 * NOCASE does), so "Über" and "über", or "STRASSE" and "Straße", cannot both exist. The database
 * keeps this key in a unique column; if it ever changes, a migration must recompute that column.
 */
export function providerNameKey(name: string): string {
  return normalizeProviderName(name).toUpperCase().toLowerCase()
}

/** Why a (normalized) name cannot be used, in words for the person typing it; null when fine. */
export function providerNameProblem(name: string): string | null {
  if (name.length === 0) return 'A provider needs a name.'
  if ([...name].length > MAX_PROVIDER_NAME_LENGTH)
    return `A name can be at most ${MAX_PROVIDER_NAME_LENGTH} characters long.`
  // Names go into log lines and file names: no line breaks, tabs or invisible control characters.
  if (/[\p{Cc}\p{Zl}\p{Zp}]/u.test(name)) return 'A name cannot contain line breaks or tabs.'
  return null
}

export function nameTakenMessage(name: string): string {
  return `A provider named “${name}” already exists. Choose another name.`
}

/** A file name for a provider's code: its name without the characters file systems refuse. */
export function providerFileName(name: string): string {
  const base = normalizeProviderName(name)
    .replace(/[\p{Cc}/\\:*?"<>|]+/gu, '-')
    .replace(/^[.\s-]+|[.\s]+$/g, '')
  return `${base || 'provider'}.lua`
}

export function fileTooBigMessage(fileName: string, bytes: number): string {
  return `${fileName} is too big for a provider (${Math.ceil(bytes / 1024).toLocaleString('en-US')} KB; the limit is ${MAX_PROVIDER_FILE_BYTES / 1024 / 1024} MB).`
}

export class ProviderFileError extends Error {
  override name = 'ProviderFileError'
}

/**
 * A .lua file's bytes as a provider: UTF-8 text (a byte-order mark is dropped, as Lua would
 * choke on it), named after the file. Throws ProviderFileError with a message for the person.
 */
export function decodeProviderFile(bytes: Uint8Array, fileName: string): ProviderInput {
  if (bytes.byteLength > MAX_PROVIDER_FILE_BYTES) {
    throw new ProviderFileError(fileTooBigMessage(fileName, bytes.byteLength))
  }
  let code: string
  try {
    code = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new ProviderFileError(`${fileName} is not UTF-8 text, so it cannot be Lua code.`)
  }
  if (code.length > MAX_PROVIDER_CODE_LENGTH) {
    throw new ProviderFileError(
      `${fileName} is too long for a provider (the limit is ${MAX_PROVIDER_CODE_LENGTH.toLocaleString('en-US')} characters).`,
    )
  }
  const stem = fileName.replace(/^.*[\\/]/, '').replace(/\.lua$/i, '')
  const name = normalizeProviderName(stem).replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ')
  return { name: [...name].slice(0, MAX_PROVIDER_NAME_LENGTH).join(''), code }
}
