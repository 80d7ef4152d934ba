// Where the CLI's words go. stdout: what the command answers (with --json, JSON and nothing
// else, errors included). stderr: messages, warnings, errors, the log's lines with --verbose, and
// the progress line, drawn only on a terminal and never with --quiet.
import { randomBytes } from 'node:crypto'
import { escapeControls } from '../core/redaction/controls'
import type { GlobalFlags } from './grammar'

/** Why a command failed, for scripts: the "code" of {"error":{"code","message"}}. */
export type ErrorCode =
  | 'usage'
  | 'not-found'
  | 'conflict'
  | 'invalid-argument'
  | 'file'
  | 'compile'
  | 'exists'
  | 'unsupported'
  | 'failed'
  | 'internal'

/** A failure the person can fix: one line, exit 1 (or the exit code given). */
export class CliError extends Error {
  override name = 'CliError'
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly exitCode = 1,
  ) {
    super(message)
  }
}

export interface Streams {
  stdout: NodeJS.WriteStream
  stderr: NodeJS.WriteStream
  env: NodeJS.ProcessEnv
}

/** NO_COLOR (https://no-color.org): set and not empty, no colours; only terminals get them. */
export function colorsFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb'
}

const CODES = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const
export type Color = keyof typeof CODES

export class Output {
  readonly json: boolean
  readonly quiet: boolean
  readonly verbose: boolean
  private progressShown = false
  private readonly mark = `\uE000${randomBytes(6).toString('hex')}`
  private readonly marks = new RegExp(`${this.mark}(\\d+)m`, 'g')

  constructor(
    flags: Pick<GlobalFlags, 'json' | 'quiet' | 'verbose'>,
    private readonly streams: Streams = {
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
    },
  ) {
    this.json = flags.json
    this.quiet = flags.quiet
    this.verbose = flags.verbose
  }

  /** Colours text for stdout (or stderr) when that stream is a terminal and NO_COLOR is unset. */
  paint(text: string, color: Color, stream: 'stdout' | 'stderr' = 'stdout'): string {
    if (this.json || !colorsFor(this.streams[stream], this.streams.env)) return text
    return `${this.mark}${CODES[color]}m${text}${this.mark}0m`
  }

  /**
   * Text as it may reach a terminal: every control character escaped (a provider's or a
   * server's text cannot move the cursor or retitle the window), then paint()'s marks turned
   * into colour codes. The mark holds a random nonce, so no provider's text can forge one.
   */
  private clean(text: string, keepLines = true): string {
    return escapeControls(text, keepLines).replace(this.marks, '\x1b[$1m')
  }

  /** The command's answer as JSON (one document, one line). */
  data(value: unknown): void {
    this.streams.stdout.write(`${this.clean(JSON.stringify(value))}\n`)
  }

  /** The command's answer as text; nothing with --json (the command prints data instead). */
  text(text: string): void {
    if (!this.json) this.streams.stdout.write(this.clean(text.endsWith('\n') ? text : `${text}\n`))
  }

  /** A message for the person (a summary, "Nothing is due."): stderr, not with --quiet. */
  say(text: string): void {
    if (this.quiet) return
    this.clearProgress()
    this.streams.stderr.write(`${this.clean(text)}\n`)
  }

  warn(text: string): void {
    this.clearProgress()
    this.streams.stderr.write(
      this.clean(`${this.paint('skwirl: warning:', 'yellow', 'stderr')} ${text}\n`),
    )
  }

  /** A failure: {"error":{…}} on stdout with --json, one line on stderr otherwise. */
  error(code: ErrorCode, message: string, hint?: string): void {
    this.clearProgress()
    if (this.json) {
      const more = hint
        ? `; ${hint.charAt(0).toLowerCase()}${hint.slice(1).replace(/\.$/, '')}`
        : ''
      this.data({ error: { code, message: `${message}${more}` } })
      return
    }
    this.streams.stderr.write(this.clean(`${this.paint('skwirl:', 'red', 'stderr')} ${message}\n`))
    if (hint) this.streams.stderr.write(`${this.clean(hint)}\n`)
  }

  /** A log line (--verbose): on stderr, above the progress line. */
  logLine(line: string): void {
    this.clearProgress()
    this.streams.stderr.write(`${this.clean(line)}\n`)
  }

  /** Whether the progress line is drawn: on a terminal, unless --quiet. */
  get showsProgress(): boolean {
    return !this.quiet && this.streams.stderr.isTTY === true
  }

  /** Draws the one progress line in place (a terminal only). */
  progress(line: (columns: number) => string): void {
    if (!this.showsProgress) return
    const columns = this.streams.stderr.columns || 80
    this.streams.stderr.write(`\r${this.clean(line(columns), false)}\x1b[K`)
    this.progressShown = true
  }

  clearProgress(): void {
    if (!this.progressShown) return
    this.streams.stderr.write('\r\x1b[K')
    this.progressShown = false
  }
}
