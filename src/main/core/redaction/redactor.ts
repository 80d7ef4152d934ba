// The one redaction mechanism: known secret values (registered as they become known) and the
// shapes of secrets (text-patterns.ts), applied to every text Skwirl writes out: log lines,
// `--json`, run records, the screen.
import { redactPatterns, REDACTED } from './text-patterns'

/** Shorter values are not masked as values (they would mask ordinary words and numbers). */
export const MIN_SECRET_LENGTH = 6
/** Longer values are not credentials (a provider decides what it sends); their shape still is. */
export const MAX_SECRET_LENGTH = 64 * 1024

let generation = 0

/**
 * Knows secret values and masks them, and every secret-shaped field, in text. The process has
 * one (the logger's); each run has a child that also knows what its provider sends (credential
 * headers, secret-named parameters and fields, URL userinfo) and the tokens servers hand it.
 * A child masks its parent's secrets too, including those registered after it was made.
 */
export class Redactor {
  private readonly values = new Set<string>()
  private matcher: RegExp | null = null
  private builtAt = -1

  constructor(private readonly parent: Redactor | null = null) {}

  /** A redactor that knows this one's secrets and its own (a run's). */
  child(): Redactor {
    return new Redactor(this)
  }

  /** Registers a secret value: masked wherever it appears, also URL-encoded or JSON-escaped. */
  add(value: string | null | undefined): void {
    if (typeof value !== 'string') return
    const secret = value.trim()
    if (secret.length < MIN_SECRET_LENGTH || secret.length > MAX_SECRET_LENGTH) return
    if (this.knows(secret)) return
    this.values.add(secret)
    for (const form of [encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]) {
      if (form !== secret) this.values.add(form)
    }
    generation++
  }

  /** The text with every known secret value and every secret-shaped field masked. */
  redact(text: string): string {
    const matcher = this.valueMatcher()
    const masked = matcher ? text.replace(matcher, REDACTED) : text
    return redactPatterns(masked)
  }

  private knows(value: string): boolean {
    return this.values.has(value) || (this.parent?.knows(value) ?? false)
  }

  private collect(into: string[]): void {
    this.parent?.collect(into)
    into.push(...this.values)
  }

  /** One regular expression of every value, longest first, rebuilt only after a registration. */
  private valueMatcher(): RegExp | null {
    if (this.builtAt !== generation) {
      const all: string[] = []
      this.collect(all)
      all.sort((a, b) => b.length - a.length)
      this.matcher = all.length === 0 ? null : new RegExp(all.map(escapeRegExp).join('|'), 'g')
      this.builtAt = generation
    }
    return this.matcher
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}
