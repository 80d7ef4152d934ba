// The CLI's grammar: commands, their flags, and usage errors (exit 2).

export const USAGE = `Usage: skwirl <command> [options]

Commands:
  serve [--port N] [--host ADDR]     Run Skwirl in your browser (binds 127.0.0.1 by default)
  provider list [--json]             List the stored providers
  run <name | file.lua> [--json]     Run a provider's backup workflow headless
  help                               Show this help

Options:
  -h, --help       Show this help
  -v, --version    Print Skwirl's version

Data lives in $SKWIRL_DATA_DIR when set, otherwise in the desktop app's data directory.`

export class UsageError extends Error {
  override name = 'UsageError'
}

export type Command =
  | { name: 'help' }
  | { name: 'version' }
  | { name: 'serve'; port: number; host: string }
  | { name: 'provider-list'; json: boolean }
  | { name: 'run'; target: string; json: boolean }

interface FlagSpec {
  [flag: string]: 'boolean' | 'value'
}

function parseFlags(
  args: string[],
  spec: FlagSpec,
): { flags: Map<string, string | true>; positional: string[] } {
  const flags = new Map<string, string | true>()
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
      flags.set(name, value)
    }
  }
  return { flags, positional }
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
    case 'provider': {
      const [sub, ...subRest] = rest
      if (sub !== 'list')
        throw new UsageError(
          sub ? `unknown provider command ${sub}` : 'provider needs a command: list',
        )
      const { flags, positional } = parseFlags(subRest, { json: 'boolean' })
      if (positional.length > 0)
        throw new UsageError(`provider list takes no arguments, got ${positional[0]}`)
      return { name: 'provider-list', json: flags.has('json') }
    }
    case 'run': {
      const { flags, positional } = parseFlags(rest, { json: 'boolean' })
      if (positional.length !== 1) {
        throw new UsageError(
          positional.length === 0
            ? 'run needs a provider name or a .lua file'
            : `run takes one provider, got ${positional.length}`,
        )
      }
      return { name: 'run', target: positional[0] as string, json: flags.has('json') }
    }
    default:
      throw new UsageError(`unknown command ${command}`)
  }
}
