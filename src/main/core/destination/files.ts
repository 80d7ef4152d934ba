// Small file operations the destination shares: hashing a stored copy, setting its mtime, and
// the run stamp that names a run's versions folder.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { utimes } from 'node:fs/promises'

/** An MD5 in hex, as Drive's md5Checksum (and Skwirl's manifest) write it. */
export function isMd5(checksum: string): boolean {
  return /^[0-9a-f]{32}$/i.test(checksum)
}

export async function md5OfFile(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('md5')
  for await (const chunk of createReadStream(path, { signal, highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer)
  }
  return hash.digest('hex')
}

/** The metadata's modified_time as a Date, or null when it is not a time. */
export function modifiedDate(modifiedTime: string): Date | null {
  const time = Date.parse(modifiedTime)
  return Number.isNaN(time) ? null : new Date(time)
}

export async function setModifiedTime(path: string, modifiedTime: string): Promise<void> {
  const date = modifiedDate(modifiedTime)
  if (date) await utimes(path, new Date(), date)
}

/** A run's start time as a folder name on every OS: 2026-01-04T08-00-00.123Z (no colons). */
export function runStamp(startedAt: string): string {
  return new Date(startedAt).toISOString().replaceAll(':', '-')
}

/** The time a run stamp names; null for a folder name that is not one. */
export function stampTime(stamp: string): number | null {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2}(?:\.\d+)?Z)$/.exec(stamp)
  if (!match) return null
  const time = Date.parse(`${match[1]}:${match[2]}:${match[3]}`)
  return Number.isNaN(time) ? null : time
}
