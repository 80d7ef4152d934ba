import { join } from 'node:path'
import electronLog from 'electron-log/node'
import { LOG_LEVELS, type LogLevel } from '../../shared/api'
import { capText } from '../../shared/text-limits'
import { escapeControls, Redactor } from './redaction'

export type { LogLevel }

/** Facts a line is about; every line about a run carries its run id and provider name. */
export interface LogFields {
  runId?: string
  provider?: string
  fileId?: string | null
  stage?: string | null
  /** The redactor that knows this line's secrets (a run's); the logger's own otherwise. */
  redactor?: Redactor
}

export interface Logger {
  readonly file: string
  /** The least severe level the log records (info unless set). */
  readonly level: LogLevel
  setLevel(level: LogLevel): void
  /** The process's redactor: every line passes it (or a child of it, given in the fields). */
  readonly redactor: Redactor
  log(level: LogLevel, message: string, fields?: LogFields): void
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
}

export interface LoggerOptions {
  dataDir: string
  /** 'stderr' for the CLI (stdout is for --json), 'stdout' for the app, or off. */
  console: 'stdout' | 'stderr' | false
  /** The least severe level the console shows (never below the log's level). */
  consoleLevel?: LogLevel
  /** What the log records; info by default (debug lines are off). */
  level?: LogLevel
  /** Where 'stderr' lines go (the CLI draws them above its progress line). */
  consoleWrite?: (line: string) => void
  /** The process's redactor (a new one by default). */
  redactor?: Redactor
}

/** True when a line at `level` passes a threshold of `threshold`. */
export function levelPasses(level: LogLevel, threshold: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(threshold)
}

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value)
}

/**
 * SKWIRL_LOG_LEVEL, when set: the level for this process, over the app's setting. An unknown
 * value is reported rather than ignored.
 */
export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel | null {
  const value = env.SKWIRL_LOG_LEVEL?.trim().toLowerCase()
  if (!value) return null
  if (!isLogLevel(value)) {
    throw new Error(
      `SKWIRL_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(env.SKWIRL_LOG_LEVEL)}`,
    )
  }
  return value
}

/** Characters a log line may have; a longer one is cut with a marker. */
export const LOG_LINE_MAX = 16_384

let instance = 0

/** One electron-log instance writing to <dataDir>/logs/main.log (and the console when asked). */
export function createLogger(options: LoggerOptions): Logger {
  const file = join(options.dataDir, 'logs', 'main.log')
  const log = electronLog.create({ logId: `skwirl-${++instance}` })
  log.transports.file.resolvePathFn = () => file
  log.transports.file.maxSize = 10 * 1024 * 1024
  const consoleTransport = log.transports.console
  let level: LogLevel = options.level ?? 'info'
  const applyLevel = (): void => {
    log.transports.file.level = level
    if (options.console === false) return
    const consoleLevel = options.consoleLevel ?? 'info'
    consoleTransport.level = levelPasses(consoleLevel, level) ? consoleLevel : level
  }
  if (options.console === false) {
    consoleTransport.level = false
  } else {
    if (options.console === 'stderr') {
      const write = options.consoleWrite ?? ((line: string) => process.stderr.write(`${line}\n`))
      // "info: [run=…] …": the level says what it is; the time is in the log file.
      consoleTransport.format = '{text}'
      consoleTransport.writeFn = ({ message }) => {
        write(`${message.level}: ${message.data.map(String).join(' ')}`)
      }
    }
  }
  applyLevel()

  const redactor = options.redactor ?? new Redactor()
  // Every line, whoever wrote it: one line, secrets masked, control characters escaped, capped.
  // A line below the log's level (the console's is never lower) costs nothing.
  const write = (at: LogLevel, message: string, fields?: LogFields): void => {
    if (!levelPasses(at, level)) return
    const line = (fields?.redactor ?? redactor).redact(formatLine(message, fields))
    log[at](capText(escapeControls(line, false), LOG_LINE_MAX))
  }
  return {
    file,
    get level() {
      return level
    },
    setLevel(next) {
      level = next
      applyLevel()
    },
    redactor,
    log: write,
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  }
}

export function formatLine(message: string, fields: LogFields = {}): string {
  const parts: string[] = []
  if (fields.runId) parts.push(`run=${fields.runId}`)
  if (fields.provider) parts.push(`provider=${JSON.stringify(fields.provider)}`)
  if (fields.fileId) parts.push(`file=${fields.fileId}`)
  if (fields.stage) parts.push(`stage=${fields.stage}`)
  const line = parts.length > 0 ? `[${parts.join(' ')}] ${message}` : message
  // One entry, one line: a line break in a Lua error or a print must not start a line of its own
  // (it would carry no run id, and a script could forge entries).
  return line.replace(/\r\n|\r|\n/g, '\\n')
}
