// A provider's path is untrusted text: these map it to a relative path that is safe on every OS
// (the same way on Linux, macOS and Windows, so that a backup made on one restores on the others).
// Pure functions: the claim of a path in a real folder (collisions, what is on disk) is paths-claim.ts.
import { createHash } from 'node:crypto'

/** The folder inside a destination that holds Skwirl's own files (manifest, versions, temp). */
export const SKWIRL_FOLDER = '.skwirl'

/** The longest file name (one segment) in UTF-8 bytes: ext4, APFS and NTFS all stop near 255. */
export const MAX_NAME_BYTES = 255

// Characters Windows refuses in names, as the full-width look-alikes rclone also uses: the name
// still reads the same in a file manager.
const RESERVED_CHARACTERS: Record<string, string> = {
  '<': '＜',
  '>': '＞',
  ':': '：',
  '"': '＂',
  '\\': '＼',
  '|': '｜',
  '?': '？',
  '*': '＊',
}

// CON, PRN, AUX, NUL, COM1-9, LPT1-9 (with superscript digits too): reserved whatever the
// extension and the case ("con.txt", "Aux .log").
const RESERVED_NAME = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i

/** How long a kept extension may be when a long name is shortened. */
const MAX_EXTENSION_BYTES = 16

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}

/** Control characters as their Unicode pictures (␀ ␁ … ␟, ␡), reserved ones as look-alikes. */
function replaceCharacters(name: string): string {
  let out = ''
  for (const char of name) {
    const code = char.codePointAt(0) as number
    if (code < 0x20) out += String.fromCodePoint(0x2400 + code)
    else if (code === 0x7f) out += '\u2421'
    else out += RESERVED_CHARACTERS[char] ?? char
  }
  return out
}

/**
 * One name made safe, or null for a segment that names nothing ("" and "."). ".." and other
 * names ending in a dot or a space keep their text with the last character as a look-alike
 * ("..", "a." → ".．", "a．"), as Windows would drop it.
 */
export function safeName(segment: string): string | null {
  let name = replaceCharacters(wellFormed(segment).normalize('NFC'))
  if (name === '' || name === '.') return null
  if (name.endsWith('.')) name = `${name.slice(0, -1)}．`
  else if (name.endsWith(' ')) name = `${name.slice(0, -1)}\u2420`
  // Windows reads the device name up to the first dot ("CON.tar.gz" is CON).
  const firstDot = name.indexOf('.')
  const device = firstDot < 0 ? name : name.slice(0, firstDot)
  if (RESERVED_NAME.test(device.replace(/ +$/, ''))) name = `${device}_${name.slice(device.length)}`
  if (utf8Length(name) > MAX_NAME_BYTES) name = shortened(name, hashTag(segment))
  return name
}

/** Lone UTF-16 surrogates (text that was not valid UTF-8) as U+FFFD, as a file system would want. */
function wellFormed(text: string): string {
  return text.replace(
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '\uFFFD',
  )
}

/** "report.pdf" → { stem: "report", extension: ".pdf" }; a leading dot is part of the stem. */
export function splitExtension(name: string): { stem: string; extension: string } {
  const dot = name.lastIndexOf('.')
  if (dot <= 0) return { stem: name, extension: '' }
  return { stem: name.slice(0, dot), extension: name.slice(dot) }
}

/** A name cut to MAX_NAME_BYTES with " ~tag" before its extension, at a character boundary. */
function shortened(name: string, tag: string): string {
  let { stem, extension } = splitExtension(name)
  if (utf8Length(extension) > MAX_EXTENSION_BYTES) {
    stem = name
    extension = ''
  }
  const suffix = ` ~${tag}${extension}`
  const room = MAX_NAME_BYTES - utf8Length(suffix)
  let cut = ''
  let bytes = 0
  for (const char of stem) {
    const size = utf8Length(char)
    if (bytes + size > room) break
    cut += char
    bytes += size
  }
  return `${cut}${suffix}`
}

/** Eight hex digits of SHA-256: a short tag that stays the same for the same text. */
export function hashTag(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 8)
}

/** A name made distinct with a tag: "report.pdf" → "report ~1a2b3c4d.pdf", within 255 bytes. */
export function taggedName(name: string, tag: string): string {
  const { stem, extension } = splitExtension(name)
  const tagged = `${stem} ~${tag}${extension}`
  return utf8Length(tagged) > MAX_NAME_BYTES ? shortened(name, tag) : tagged
}

/**
 * A provider's path as safe segments: split at "/", empty and "." segments dropped (so an
 * absolute path becomes relative), every name made safe, and a first segment that would be
 * Skwirl's own folder renamed. Empty when nothing usable is left.
 */
export function safeSegments(path: string): string[] {
  const segments: string[] = []
  for (const part of path.split('/')) {
    const name = safeName(part)
    if (name !== null) segments.push(name)
  }
  if (segments.length > 0 && pathKey(segments[0] as string) === SKWIRL_FOLDER) {
    segments[0] = `${segments[0]}_`
  }
  return segments
}

/**
 * What makes two paths the same path somewhere: case folded over all of Unicode and normalised
 * (NFC), as macOS and Windows compare names. Two stored files never share a key.
 */
export function pathKey(path: string): string {
  return path.normalize('NFC').toUpperCase().toLowerCase()
}
