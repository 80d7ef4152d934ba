// How much text from a provider or a server Skwirl takes in. Longer text is cut, with a marker
// saying how much, at the boundary where it arrives (the runner, then main again, the broker).

export const TEXT_LIMITS = {
  /** Characters of an error message or of one log or print line. */
  message: 8192,
  /** Characters of a file id and of each metadata string (name, path, checksum, modified_time). */
  fileText: 4096,
  /** File errors a run keeps and `skwirl run --json` prints; the counts stay exact. */
  errorEntries: 100,
  /** Bytes of an HTTP error response read for its message. */
  errorBodyBytes: 64 * 1024,
} as const

/** Room kept for the marker, so that a capped text is never longer than its limit. */
const MARKER_ROOM = 48

/**
 * The text, or as much of it as fits in `max` characters with a marker saying how many were
 * cut. Capping twice at the same limit changes nothing.
 */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text
  let keep = Math.max(0, max - MARKER_ROOM)
  // Never split a surrogate pair.
  if (/[\uD800-\uDBFF]/.test(text.charAt(keep - 1))) keep--
  return `${text.slice(0, keep)}… [${(text.length - keep).toLocaleString('en-US')} more characters cut]`
}
