// The CLI's grammar, read from one table of commands: `skwirl [global options] <command>
// [options] [arguments]`, parsed with node:util's parseArgs (short forms, --flag=value, `--` to
// end options), help text for each command, and usage errors that say one thing and a hint.
import { parseArgs } from 'node:util'
import { LOG_LEVELS, type LogLevel } from '../../shared/api'

export interface OptionSpec {
  type: 'boolean' | 'string'
  short?: string
  /** The value's name in help: N, ADDR, SPEC. */
  value?: string
  help: string
  /** May be given more than once (each value kept, in order). */
  multiple?: boolean
}

export interface ArgSpec {
  /** As help shows it: "<name>", "<file.lua>". */
  name: string
  optional?: boolean
}

/** What a command's handler gets: its options' values and its arguments. */
export interface ParsedInput {
  values: Record<string, string | boolean | string[] | undefined>
  args: string[]
}

export interface CommandSpec<Context> {
  /** The words that name it: ['provider', 'list']. */
  name: readonly string[]
  summary: string
  /** Lines of usage after `skwirl <name>`, when the arguments alone do not say it. */
  usage?: readonly string[]
  /** Paragraphs for `skwirl <command> --help`. */
  description?: string
  args?: readonly ArgSpec[]
  options?: Readonly<Record<string, OptionSpec>>
  /** What completes the arguments: files, or a fixed list of words. */
  complete?: 'files' | readonly string[]
  /** Checks beyond the counts (which options go together): a usage error's message, or null. */
  check?(input: ParsedInput): string | null
  run(context: Context, input: ParsedInput): Promise<number>
}

/** Options every command takes, before or after its name. */
export const GLOBAL_OPTIONS = {
  help: {
    type: 'boolean',
    short: 'h',
    help: 'Show help (`skwirl <command> --help` for one command)',
  },
  version: { type: 'boolean', short: 'V', help: 'Print Skwirl’s version' },
  json: {
    type: 'boolean',
    help: 'Print JSON on stdout and nothing else; errors as {"error":{"code","message"}}',
  },
  quiet: { type: 'boolean', short: 'q', help: 'Print only errors: no progress, no summaries' },
  verbose: {
    type: 'boolean',
    short: 'v',
    help: 'Print the log’s lines on stderr as they are written',
  },
  'log-level': {
    type: 'string',
    value: 'LEVEL',
    help: 'What the log records: debug, info, warn or error (default: the app’s setting)',
  },
} as const satisfies Record<string, OptionSpec>

export const LOG_LEVEL_VALUES: readonly string[] = LOG_LEVELS

export interface GlobalFlags {
  json: boolean
  quiet: boolean
  verbose: boolean
  logLevel: LogLevel | null
}

export const EXIT_CODES: ReadonlyArray<readonly [number, string]> = [
  [0, 'success'],
  [1, 'failure: a run failed, a provider or a file is missing, a file cannot be written…'],
  [2, 'usage error: an unknown command or flag, a missing or bad argument'],
  [3, 'a run completed, but some files failed'],
  [130, 'interrupted (Ctrl-C); the run is recorded cancelled'],
  [143, 'terminated (SIGTERM); the run is recorded cancelled'],
]

/** A mistake on the command line: exit 2, one line and a hint. */
export class UsageError extends Error {
  override name = 'UsageError'
  constructor(
    message: string,
    /** What to run for help ("skwirl run --help"). */
    readonly helpCommand = 'skwirl --help',
  ) {
    super(message)
  }
}

export type ParsedCommandLine<Context> =
  | { kind: 'version'; global: GlobalFlags }
  | {
      kind: 'help'
      command: CommandSpec<Context> | null
      group: string | null
      global: GlobalFlags
    }
  | { kind: 'command'; command: CommandSpec<Context>; input: ParsedInput; global: GlobalFlags }

const isOption = (token: string): boolean => token.startsWith('-') && token !== '-'

const GLOBAL_SHORTS: string = Object.values(GLOBAL_OPTIONS as Record<string, OptionSpec>)
  .map((o) => o.short ?? '')
  .join('')

/** --json, --log-level=x, -q, -qv: global options, which may stand before the command. */
function isGlobalToken(token: string): boolean {
  if (token.startsWith('--')) return (token.slice(2).split('=')[0] as string) in GLOBAL_OPTIONS
  return [...token.slice(1)].every((letter) => GLOBAL_SHORTS.includes(letter))
}

/** The edit distance between two short words (for "did you mean"). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        previous + (a[i - 1] === b[j - 1] ? 0 : 1),
      )
      previous = current
    }
  }
  return row[b.length] as number
}

/** ' (did you mean "run"?)' for a near miss, or ''. */
export function suggestion(word: string, candidates: readonly string[], prefix = ''): string {
  const near = candidates
    .map((candidate) => ({ candidate, d: distance(word, candidate) }))
    .filter(({ d, candidate }) => d <= Math.max(1, Math.floor(candidate.length / 3)))
    .sort((a, b) => a.d - b.d)[0]
  return near ? ` (did you mean "${prefix}${near.candidate}"?)` : ''
}

export function commandName(command: { name: readonly string[] }): string {
  return command.name.join(' ')
}

function globalFlagsFrom(values: ParsedInput['values'], argv: readonly string[]): GlobalFlags {
  const level = values['log-level']
  if (level !== undefined && !(LOG_LEVELS as readonly unknown[]).includes(level)) {
    throw new UsageError(
      `--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`,
    )
  }
  return {
    // --json counts even when the rest of the line could not be read: errors come as JSON.
    json: values.json === true || argv.includes('--json'),
    quiet: values.quiet === true,
    verbose: values.verbose === true,
    logLevel: (level as LogLevel | undefined) ?? null,
  }
}

/** What parseArgs throws, said as a person would. */
function usageFromParseError(error: unknown, optionNames: readonly string[], help: string): never {
  const code = (error as { code?: string }).code
  const message = error instanceof Error ? error.message : String(error)
  const flag = /'(-[^' ,]*)(?:, (--[^' ]+))?/.exec(message)
  const name = flag?.[2] ?? flag?.[1] ?? '?'
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const bare = name.replace(/^-+/, '')
    throw new UsageError(`unknown flag ${name}${suggestion(bare, optionNames, '--')}`, help)
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take an argument/.test(message))
      throw new UsageError(`${name} takes no value`, help)
    if (/ambiguous/.test(message))
      throw new UsageError(
        `${name} needs a value (for one that starts with "-", write ${name}=VALUE)`,
        help,
      )
    throw new UsageError(`${name} needs a value`, help)
  }
  throw new UsageError(message, help)
}

function argsProblem(command: CommandSpec<unknown>, args: readonly string[]): string | null {
  const specs = command.args ?? []
  const required = specs.filter((a) => !a.optional)
  const name = commandName(command)
  if (args.length < required.length) {
    const missing = required.slice(args.length).map((a) => a.name)
    return `${name} needs ${missing.join(' and ')}`
  }
  if (args.length > specs.length) {
    const extra = args[specs.length] as string
    return specs.length === 0
      ? `${name} takes no arguments, got "${extra}"`
      : `${name} takes ${specs.map((a) => a.name).join(' ')}; "${extra}" is one argument too many`
  }
  return null
}

/**
 * Reads a command line against the table. Global options may stand anywhere; --version anywhere
 * wins; a command's own options come after its name; `--` ends the options.
 */
export function parseCommandLine<Context>(
  argv: readonly string[],
  commands: ReadonlyArray<CommandSpec<Context>>,
): ParsedCommandLine<Context> {
  const end = argv.indexOf('--')
  const head = end === -1 ? [...argv] : argv.slice(0, end)
  const globalNames = Object.keys(GLOBAL_OPTIONS)
  // Global options alone first: --version and --help anywhere, the log level, --json for errors.
  let globals: ParsedInput['values']
  try {
    globals = parseArgs({
      args: head,
      options: GLOBAL_OPTIONS,
      strict: false,
      allowPositionals: true,
    }).values as ParsedInput['values']
  } catch (error) {
    usageFromParseError(error, globalNames, 'skwirl --help')
  }
  const global = globalFlagsFrom(globals, head)
  if (globals.version === true) return { kind: 'version', global }

  // The command's words: the first words that are not options (global options may come first).
  const wordAt: number[] = []
  for (let i = 0; i < head.length; i++) {
    const token = head[i] as string
    if (token === '--log-level') {
      i++ // its value
      continue
    }
    if (isOption(token)) {
      if (isGlobalToken(token)) continue
      if (wordAt.length === 0) {
        const flag = token.split('=')[0] as string
        throw new UsageError(
          `${flag} goes after the command it belongs to (skwirl <command> ${flag})`,
        )
      }
      break
    }
    wordAt.push(i)
    const isGroup = commands.some(
      (c) => c.name[0] === head[wordAt[0] as number] && c.name.length > 1,
    )
    if (wordAt.length === 2 || !isGroup) break
  }
  const words = wordAt.map((i) => head[i] as string)
  const tops = [...new Set(commands.map((c) => c.name[0] as string))]

  if (words[0] === 'help') {
    const rest = head.filter((token, i) => i > (wordAt[0] as number) && !isOption(token))
    return helpFor(rest, commands, global)
  }
  if (words.length === 0) return { kind: 'help', command: null, group: null, global }
  const first = words[0] as string
  const group = commands.filter((c) => c.name[0] === first)
  if (group.length === 0) {
    throw new UsageError(`unknown command "${first}"${suggestion(first, [...tops, 'help'])}`)
  }
  let command = group.find((c) => c.name.length === 1)
  if (!command) {
    const second = words[1]
    const subs = group.map((c) => c.name[1] as string)
    if (second === undefined) {
      if (globals.help === true) return { kind: 'help', command: null, group: first, global }
      throw new UsageError(`${first} needs a command: ${subs.join(', ')}`, `skwirl ${first} --help`)
    }
    command = group.find((c) => c.name[1] === second)
    if (!command) {
      throw new UsageError(
        `unknown command "${first} ${second}"${suggestion(second, subs, `${first} `)}`,
        `skwirl ${first} --help`,
      )
    }
  }
  const help = `skwirl ${commandName(command)} --help`
  if (globals.help === true) return { kind: 'help', command, group: null, global }

  const rest = head.filter((_, i) => !wordAt.includes(i))
  const options = { ...GLOBAL_OPTIONS, ...command.options }
  let parsed: { values: ParsedInput['values']; positionals: string[] }
  try {
    parsed = parseArgs({
      args: end === -1 ? rest : [...rest, ...argv.slice(end)],
      options,
      strict: true,
      allowPositionals: true,
    }) as typeof parsed
  } catch (error) {
    usageFromParseError(error, Object.keys(options), help)
  }
  const input: ParsedInput = { values: parsed.values, args: parsed.positionals }
  const problem = command.check?.(input) ?? argsProblem(command as CommandSpec<unknown>, input.args)
  if (problem) throw new UsageError(problem, help)
  return { kind: 'command', command, input, global }
}

function helpFor<Context>(
  words: readonly string[],
  commands: ReadonlyArray<CommandSpec<Context>>,
  global: GlobalFlags,
): ParsedCommandLine<Context> {
  if (words.length === 0) return { kind: 'help', command: null, group: null, global }
  const matching = commands.filter((c) => words.every((word, i) => c.name[i] === word))
  const exact = matching.find((c) => c.name.length === words.length) ?? null
  if (exact) return { kind: 'help', command: exact, group: null, global }
  if (matching.length > 0 && words.length === 1) {
    return { kind: 'help', command: null, group: words[0] as string, global }
  }
  throw new UsageError(`no help for "${words.join(' ')}": there is no such command`)
}

// Help text.

function optionLabel(name: string, spec: OptionSpec): string {
  const short = spec.short ? `-${spec.short}, ` : '    '
  return `${short}--${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`
}

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  const entries = Object.entries(options)
  const width = Math.max(...entries.map(([name, spec]) => optionLabel(name, spec).length))
  return entries.map(([name, spec]) => `  ${optionLabel(name, spec).padEnd(width)}  ${spec.help}`)
}

/** `skwirl provider export <name> [file.lua]`, and any other ways it is used. */
export function usageLines(command: CommandSpec<unknown>): string[] {
  const base = `skwirl ${commandName(command)}`
  if (command.usage) return command.usage.map((line) => `${base} ${line}`.trimEnd())
  const args = (command.args ?? []).map((a) => (a.optional ? `[${a.name}]` : a.name))
  return [[base, ...args, command.options ? '[options]' : ''].filter(Boolean).join(' ')]
}

function exitCodeLines(): string[] {
  return EXIT_CODES.map(([code, meaning]) => `  ${String(code).padEnd(3)}  ${meaning}`)
}

export function commandHelp(command: CommandSpec<unknown>): string {
  const lines = usageLines(command).map((line, i) => `${i === 0 ? 'Usage: ' : '       '}${line}`)
  lines.push('', command.summary)
  if (command.description) lines.push('', command.description)
  if (command.options) lines.push('', 'Options:', ...optionLines(command.options))
  lines.push('', 'Global options:', ...optionLines(GLOBAL_OPTIONS))
  lines.push('', 'Exit codes:', ...exitCodeLines())
  return `${lines.join('\n')}\n`
}

export function generalHelp(
  commands: ReadonlyArray<CommandSpec<unknown>>,
  group: string | null = null,
): string {
  const shown = group ? commands.filter((c) => c.name[0] === group) : commands
  const names = shown.map((c) => commandName(c))
  const width = Math.max(...names.map((n) => n.length))
  const lines = [
    group
      ? `Usage: skwirl ${group} <command> [options] [arguments]`
      : 'Usage: skwirl [options] <command> [options] [arguments]',
    '',
    ...(group
      ? []
      : ['Skwirl backs up the files of your cloud services, with providers written in Lua.', '']),
    'Commands:',
    ...shown.map((c, i) => `  ${(names[i] as string).padEnd(width)}  ${c.summary}`),
  ]
  if (!group) lines.push(`  ${'help [command]'.padEnd(width)}  Show this help, or a command's`)
  lines.push('', 'Global options (anywhere on the line):', ...optionLines(GLOBAL_OPTIONS))
  lines.push(
    '',
    'Environment:',
    '  SKWIRL_DATA_DIR   Where the database and the log live (default: the desktop app’s data)',
    '  SKWIRL_LOG_LEVEL  Like --log-level',
    '  NO_COLOR          Set to anything to print without colours',
    '',
    'Exit codes:',
    ...exitCodeLines(),
    '',
    "Run 'skwirl <command> --help' for a command's options and arguments.",
  )
  return `${lines.join('\n')}\n`
}
