// The CLI's grammar: commands, their flags, and usage errors (exit 2).
import { LOG_LEVELS, RETENTION_DAYS_MAX, type LogLevel } from '../../shared/api'
import {
  parseScheduleSpec,
  ScheduleSpecError,
  SCHEDULE_SPEC_HELP,
  type Schedule,
} from '../../shared/schedule'

export const USAGE = `Usage: skwirl <command> [options]

Commands:
  serve [--port N] [--host ADDR]     Run Skwirl in your browser (binds 127.0.0.1 by default)
  provider list [--json]             List the stored providers
  provider add <name> <file.lua>     Add a provider from a Lua file (it must compile)
  provider export <name> [file.lua] [--force]
                                     Write a provider's Lua to a file (stdout without one;
                                     --force replaces an existing file)
  provider remove <name>             Delete a provider
  provider set <name> [--schedule SPEC] [--dest DIR | --no-dest] [--retention DAYS]
                   [--setting KEY=VALUE]... [--setting-stdin KEY] [--clear-setting KEY]...
                                     Schedule a provider's backups: off, hourly, "every 6h",
                                     "daily 02:30" or "weekly sun 02:30" (local time); where its
                                     runs keep their files (--no-dest: check only), and how many
                                     days old versions are kept; its settings (--setting-stdin
                                     reads one value, a secret say, from stdin; --clear-setting
                                     unsets one)
  provider settings <name> [--json]  Show a provider's settings (secret ones only as set or
                                     not), its sign-in and how secrets are protected here
  auth <name> [--sign-out]           Sign the provider in: prints the URL to open, waits for
                                     the browser, exits 0 once signed in (--sign-out forgets
                                     the sign-in)
  run <name | file.lua> [--dest DIR | --no-dest] [--verify] [--json]
                                     Run a provider's backup workflow headless; --dest keeps the
                                     files in DIR for this run, --verify downloads every file
                                     again and compares it with the kept copy
  run --due [--json]                 Run every provider whose schedule is due, one after
                                     another (for cron and systemd timers)
  runs [--provider NAME] [--limit N] [--json]
                                     List recorded runs, newest first (20 unless --limit)
  verify <DIR> [--json]              Check a backup folder's files against its manifest
  help                               Show this help

Options:
  -h, --help       Show this help
  -v, --version    Print Skwirl's version
  --log-level L    What the log records: debug, info, warn or error (default: the app's
                   setting, info unless changed; SKWIRL_LOG_LEVEL sets it too)

Exit codes: 0 success, 1 failure, 2 usage error, 3 a run completed with some files failed,
130 interrupted (Ctrl-C), 143 terminated. verify: 0 when every file matches, 1 otherwise.

Data lives in $SKWIRL_DATA_DIR when set, otherwise in the desktop app's data directory.`

/** How many runs `skwirl runs` lists without --limit. */
export const RUNS_LIMIT = 20

export class UsageError extends Error {
  override name = 'UsageError'
}

export type Command =
  | { name: 'help' }
  | { name: 'version' }
  | { name: 'serve'; port: number; host: string }
  | { name: 'provider-list'; json: boolean }
  | { name: 'provider-add'; provider: string; file: string }
  | { name: 'provider-export'; provider: string; file: string | null; force: boolean }
  | { name: 'provider-remove'; provider: string }
  | { name: 'provider-settings'; provider: string; json: boolean }
  | {
      name: 'provider-set'
      provider: string
      /** undefined: unchanged. */
      schedule: Schedule | undefined
      /** undefined: unchanged; null: check only (--no-dest). */
      destination: string | null | undefined
      retentionDays: number | undefined
      /** Settings KEY → value, in the order given (null clears). */
      settings: Array<[string, string | null]>
      /** A setting whose value is read from stdin. */
      stdinKey: string | null
    }
  | { name: 'auth'; provider: string; signOut: boolean }
  | {
      name: 'run'
      target: string
      json: boolean
      /** undefined: the provider's own; null: check only (--no-dest); a path for this run. */
      destination: string | null | undefined
      verify: boolean
    }
  | { name: 'run-due'; json: boolean }
  | { name: 'runs'; provider: string | null; limit: number; json: boolean }
  | { name: 'verify'; dir: string; json: boolean }

interface FlagSpec {
  /** 'values': may be given more than once; its values are kept in order in `lists`. */
  [flag: string]: 'boolean' | 'value' | 'values'
}

function parseFlags(
  args: string[],
  spec: FlagSpec,
): { flags: Map<string, string | true>; lists: Map<string, string[]>; positional: string[] } {
  const flags = new Map<string, string | true>()
  const lists = new Map<string, string[]>()
  const positional: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    if (arg === '--') {
      // The end of options: everything after it is an argument, even if it starts with --.
      positional.push(...args.slice(i + 1))
      break
    }
    if (!arg.startsWith('--')) {
      positional.push(arg)
      continue
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined]
    const kind = spec[name]
    if (!kind) throw new UsageError(`unknown option --${name}`)
    if (kind === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`)
      flags.set(name, true)
    } else {
      const value = inline ?? args[++i]
      if (value === undefined || value.startsWith('--'))
        throw new UsageError(`--${name} needs a value`)
      if (kind === 'values') lists.set(name, [...(lists.get(name) ?? []), value])
      else flags.set(name, value)
    }
  }
  return { flags, lists, positional }
}

const SETTING_KEY = /^[a-z][a-z0-9_]*$/

function settingKey(flag: string, key: string): string {
  if (!SETTING_KEY.test(key)) {
    throw new UsageError(
      `${flag} needs a setting key (a-z, 0-9 and _, starting with a letter), got "${key}"`,
    )
  }
  return key
}

function parseProviderCommand([sub, ...rest]: string[]): Command {
  switch (sub) {
    case 'list': {
      const { flags, positional } = parseFlags(rest, { json: 'boolean' })
      if (positional.length > 0)
        throw new UsageError(`provider list takes no arguments, got ${positional[0]}`)
      return { name: 'provider-list', json: flags.has('json') }
    }
    case 'add': {
      const { positional } = parseFlags(rest, {})
      if (positional.length !== 2)
        throw new UsageError(
          `provider add needs a name and a .lua file, got ${countOf(positional.length)}`,
        )
      const [provider, file] = positional as [string, string]
      return { name: 'provider-add', provider, file }
    }
    case 'export': {
      const { flags, positional } = parseFlags(rest, { force: 'boolean' })
      if (positional.length < 1 || positional.length > 2)
        throw new UsageError(
          `provider export needs a name and at most one file, got ${countOf(positional.length)}`,
        )
      const file = positional[1] ?? null
      if (flags.has('force') && file === null)
        throw new UsageError('--force is for replacing a file; there is none to replace')
      return {
        name: 'provider-export',
        provider: positional[0] as string,
        file,
        force: flags.has('force'),
      }
    }
    case 'remove': {
      const { positional } = parseFlags(rest, {})
      if (positional.length !== 1)
        throw new UsageError(`provider remove needs one name, got ${countOf(positional.length)}`)
      return { name: 'provider-remove', provider: positional[0] as string }
    }
    case 'settings': {
      const { flags, positional } = parseFlags(rest, { json: 'boolean' })
      if (positional.length !== 1)
        throw new UsageError(`provider settings needs one name, got ${countOf(positional.length)}`)
      return {
        name: 'provider-settings',
        provider: positional[0] as string,
        json: flags.has('json'),
      }
    }
    case 'set': {
      const { flags, lists, positional } = parseFlags(rest, {
        schedule: 'value',
        dest: 'value',
        'no-dest': 'boolean',
        retention: 'value',
        setting: 'values',
        'setting-stdin': 'value',
        'clear-setting': 'values',
      })
      if (positional.length !== 1)
        throw new UsageError(`provider set needs one name, got ${countOf(positional.length)}`)
      const settings: Array<[string, string | null]> = []
      for (const pair of lists.get('setting') ?? []) {
        const at = pair.indexOf('=')
        if (at < 0) {
          throw new UsageError(
            `--setting takes KEY=VALUE, got "${pair}" (for a secret, --setting-stdin KEY reads it from stdin)`,
          )
        }
        settings.push([settingKey('--setting', pair.slice(0, at)), pair.slice(at + 1)])
      }
      for (const key of lists.get('clear-setting') ?? []) {
        settings.push([settingKey('--clear-setting', key), null])
      }
      const stdin = flags.get('setting-stdin') as string | undefined
      const stdinKey = stdin === undefined ? null : settingKey('--setting-stdin', stdin)
      const keys = [...settings.map(([key]) => key), ...(stdinKey ? [stdinKey] : [])]
      const twice = keys.find((key, index) => keys.indexOf(key) !== index)
      if (twice) throw new UsageError(`the setting ${twice} is given more than once`)
      const spec = flags.get('schedule') as string | undefined
      const destination = destinationFlag(flags)
      const retentionText = flags.get('retention') as string | undefined
      if (
        spec === undefined &&
        destination === undefined &&
        retentionText === undefined &&
        keys.length === 0
      )
        throw new UsageError(
          `provider set needs something to set: --schedule ${SCHEDULE_SPEC_HELP}, --dest DIR, --no-dest, --retention DAYS, --setting KEY=VALUE, --setting-stdin KEY or --clear-setting KEY`,
        )
      let schedule: Schedule | undefined
      if (spec !== undefined) {
        try {
          schedule = parseScheduleSpec(spec)
        } catch (error) {
          if (error instanceof ScheduleSpecError)
            throw new UsageError(`--schedule ${JSON.stringify(spec)}: ${error.message}`)
          throw error
        }
      }
      let retentionDays: number | undefined
      if (retentionText !== undefined) {
        if (!/^\d+$/.test(retentionText) || Number(retentionText) > RETENTION_DAYS_MAX)
          throw new UsageError(
            `--retention must be a number of days from 0 to ${RETENTION_DAYS_MAX}, got ${retentionText}`,
          )
        retentionDays = Number(retentionText)
      }
      return {
        name: 'provider-set',
        provider: positional[0] as string,
        schedule,
        destination,
        retentionDays,
        settings,
        stdinKey,
      }
    }
    default:
      throw new UsageError(
        sub
          ? `unknown provider command ${sub}`
          : 'provider needs a command: list, add, export, remove, settings or set',
      )
  }
}

/** --dest DIR, --no-dest, or neither (undefined); both is a usage error. */
function destinationFlag(flags: Map<string, string | true>): string | null | undefined {
  const dest = flags.get('dest') as string | undefined
  if (dest !== undefined && flags.has('no-dest'))
    throw new UsageError('--dest and --no-dest contradict each other; give one')
  if (flags.has('no-dest')) return null
  if (dest !== undefined && dest.trim() === '') throw new UsageError('--dest needs a folder')
  return dest
}

function countOf(n: number): string {
  return n === 0 ? 'none' : n === 1 ? 'one' : `${n}`
}

/**
 * Options that hold for every command, wherever they stand: --log-level LEVEL (or =LEVEL).
 * Answers them and the arguments without them.
 */
export function takeGlobalOptions(argv: string[]): { argv: string[]; logLevel: LogLevel | null } {
  const rest: string[] = []
  let logLevel: LogLevel | null = null
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--') {
      rest.push(...argv.slice(i))
      break
    }
    if (arg !== '--log-level' && !arg.startsWith('--log-level=')) {
      rest.push(arg)
      continue
    }
    const value = arg === '--log-level' ? argv[++i] : arg.slice('--log-level='.length)
    if (value === undefined || !(LOG_LEVELS as readonly string[]).includes(value))
      throw new UsageError(
        `--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${value === undefined ? 'nothing' : value}`,
      )
    logLevel = value as LogLevel
  }
  return { argv: rest, logLevel }
}

export function parseArgs(argv: string[]): Command {
  const [command, ...rest] = argv
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    if (rest.length > 0 && command !== 'help')
      throw new UsageError(`unexpected argument ${rest[0]}`)
    return { name: 'help' }
  }
  if (rest.includes('--help') || rest.includes('-h')) return { name: 'help' }
  if (command === '--version' || command === '-v') return { name: 'version' }
  switch (command) {
    case 'serve': {
      const { flags, positional } = parseFlags(rest, { port: 'value', host: 'value' })
      if (positional.length > 0)
        throw new UsageError(`serve takes no arguments, got ${positional[0]}`)
      const portText = (flags.get('port') as string | undefined) ?? '0'
      const port = Number(portText)
      if (!/^\d+$/.test(portText) || port > 65535)
        throw new UsageError(`--port must be a number from 0 to 65535, got ${portText}`)
      const host = (flags.get('host') as string | undefined) ?? '127.0.0.1'
      return { name: 'serve', port, host }
    }
    case 'provider':
      return parseProviderCommand(rest)
    case 'run': {
      const { flags, positional } = parseFlags(rest, {
        json: 'boolean',
        due: 'boolean',
        dest: 'value',
        'no-dest': 'boolean',
        verify: 'boolean',
      })
      if (flags.has('due')) {
        if (positional.length > 0)
          throw new UsageError(
            `run --due runs the providers that are due; it takes no provider, got ${positional[0]}`,
          )
        return { name: 'run-due', json: flags.has('json') }
      }
      if (positional.length !== 1) {
        throw new UsageError(
          positional.length === 0
            ? 'run needs a provider name or a .lua file'
            : `run takes one provider, got ${positional.length}`,
        )
      }
      const destination = destinationFlag(flags)
      if (flags.has('verify') && destination === null)
        throw new UsageError('--verify compares with the kept copies; it needs a destination')
      return {
        name: 'run',
        target: positional[0] as string,
        json: flags.has('json'),
        destination,
        verify: flags.has('verify'),
      }
    }
    case 'verify': {
      const { flags, positional } = parseFlags(rest, { json: 'boolean' })
      if (positional.length !== 1)
        throw new UsageError(`verify needs one backup folder, got ${countOf(positional.length)}`)
      return { name: 'verify', dir: positional[0] as string, json: flags.has('json') }
    }
    case 'auth': {
      const { flags, positional } = parseFlags(rest, { 'sign-out': 'boolean' })
      if (positional.length !== 1)
        throw new UsageError(`auth needs one provider name, got ${countOf(positional.length)}`)
      return { name: 'auth', provider: positional[0] as string, signOut: flags.has('sign-out') }
    }
    case 'runs': {
      const { flags, positional } = parseFlags(rest, {
        provider: 'value',
        limit: 'value',
        json: 'boolean',
      })
      if (positional.length > 0)
        throw new UsageError(`runs takes no arguments, got ${positional[0]} (use --provider NAME)`)
      const limitText = (flags.get('limit') as string | undefined) ?? String(RUNS_LIMIT)
      if (!/^\d+$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 100_000)
        throw new UsageError(`--limit must be a number from 1 to 100000, got ${limitText}`)
      return {
        name: 'runs',
        provider: (flags.get('provider') as string | undefined) ?? null,
        limit: Number(limitText),
        json: flags.has('json'),
      }
    }
    default:
      throw new UsageError(`unknown command ${command}`)
  }
}
