// Every `skwirl` command, one entry each: its name, arguments, options, help and handler. The
// parser, the help, the completion scripts and the README's list are read from this table, so
// adding a command is adding an entry here.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import {
  RETENTION_DAYS_MAX,
  TEST_LIMIT_DEFAULT,
  TEST_LIMIT_MAX,
  TRANSFERS_MAX,
  type Provider,
  type RunState,
} from '../../shared/api'
import { formatBytes, formatCount } from '../../shared/format'
import { ApiError } from '../../shared/errors'
import { ProviderFileError, providerNameKey } from '../../shared/provider-rules'
import {
  describeSchedule,
  formatScheduleSpec,
  parseScheduleSpec,
  SCHEDULE_SPEC_HELP,
  ScheduleSpecError,
} from '../../shared/schedule'
import { startBrowserServer } from '../core/browser-server'
import {
  DestinationError,
  describeProblem,
  verifyDestination,
  verifySummary,
  type VerifyReport,
} from '../core/destination'
import { checkLuaCode } from '../core/lua-check'
import { readProviderFile, writeProviderFile } from '../core/provider-files'
import type { CoreOptions, SkwirlCore } from '../core/skwirl-core'
import { completionScript, SHELLS, type Shell } from './completion'
import {
  authCommand,
  readStdinValue,
  setSettings,
  showSettings,
  type CliIo,
} from './settings-commands'
import { type CommandSpec, type GlobalFlags, type ParsedInput, UsageError } from './grammar'
import { CliError, type ErrorCode, type Output } from './output'
import { runDue, runOne } from './run-command'
import { testOne } from './test-command'
import { localTime, runReport, runsTable, statusText, table, type Cell } from './tables'

export interface CliContext {
  out: Output
  global: GlobalFlags
  /** The same core as the app's; `logs` puts the log's lines on stderr (serve does). */
  openCore(options?: { emit?: CoreOptions['emit']; logs?: boolean }): SkwirlCore
  rendererDir: string
  /** The table itself, for `completion`. */
  commands: ReadonlyArray<Command>
}

export type Command = CommandSpec<CliContext>

/** How many runs `skwirl runs` lists without --limit. */
export const RUNS_LIMIT = 20

const str = (input: ParsedInput, name: string): string | undefined => {
  const value = input.values[name]
  return typeof value === 'string' ? value : undefined
}
const flag = (input: ParsedInput, name: string): boolean => input.values[name] === true

async function withCore<T>(
  context: CliContext,
  body: (core: SkwirlCore) => Promise<T> | T,
): Promise<T> {
  const core = context.openCore()
  try {
    return await body(core)
  } finally {
    await core.close()
  }
}

function storedProvider(core: SkwirlCore, name: string): Provider {
  const provider = core.providers.findByName(name)
  if (!provider) {
    throw new CliError(
      'not-found',
      `no provider named "${name}". \`skwirl provider list\` shows the providers.`,
    )
  }
  return provider
}

/** Main's errors (a name taken, a file unreadable) as the CLI says them. */
function asCliError(error: unknown): never {
  if (error instanceof ProviderFileError) throw new CliError('file', error.message)
  if (error instanceof ApiError) {
    const codes: Record<string, ErrorCode> = {
      conflict: 'conflict',
      'not-found': 'not-found',
      'invalid-argument': 'invalid-argument',
      unsupported: 'unsupported',
    }
    throw new CliError(codes[error.code] ?? 'internal', error.message)
  }
  throw error
}

function summaryOf(provider: Provider) {
  const { id, name, createdAt, updatedAt } = provider
  return { id, name, createdAt, updatedAt }
}

/** The streams settings-commands.ts writes to. */
function ioFor(out: Output): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => out.say(text.replace(/\n$/, '')),
    json: out.json,
  }
}

const SETTING_KEY = /^[a-z][a-z0-9_]*$/

/** --setting KEY=VALUE…, --clear-setting KEY…, --setting-stdin KEY; or what is wrong with them. */
function settingsOf(
  input: ParsedInput,
): { changes: Array<[string, string | null]>; stdinKey: string | null; keys: string[] } | string {
  const list = (name: string): string[] => {
    const value = input.values[name]
    return Array.isArray(value) ? value : typeof value === 'string' ? [value] : []
  }
  const badKey = (flagName: string, key: string): string | null =>
    SETTING_KEY.test(key)
      ? null
      : `${flagName} needs a setting key (a-z, 0-9 and _, starting with a letter), got "${key}"`
  const changes: Array<[string, string | null]> = []
  for (const pair of list('setting')) {
    const at = pair.indexOf('=')
    if (at < 0)
      return `--setting takes KEY=VALUE, got "${pair}" (for a secret, --setting-stdin KEY reads it from stdin)`
    const problem = badKey('--setting', pair.slice(0, at))
    if (problem) return problem
    changes.push([pair.slice(0, at), pair.slice(at + 1)])
  }
  for (const key of list('clear-setting')) {
    const problem = badKey('--clear-setting', key)
    if (problem) return problem
    changes.push([key, null])
  }
  const stdinKey = str(input, 'setting-stdin') ?? null
  if (stdinKey !== null) {
    const problem = badKey('--setting-stdin', stdinKey)
    if (problem) return problem
  }
  const keys = [...changes.map(([key]) => key), ...(stdinKey ? [stdinKey] : [])]
  const twice = keys.find((key, index) => keys.indexOf(key) !== index)
  if (twice) return `the setting ${twice} is given more than once`
  return { changes, stdinKey, keys }
}

/** --dest DIR, --no-dest (null), or neither (undefined). */
function destinationOf(input: ParsedInput): string | null | undefined {
  if (flag(input, 'no-dest')) return null
  return str(input, 'dest')
}

/** --dest and --no-dest contradict; --dest needs a folder. */
function destinationProblem(input: ParsedInput): string | null {
  const dest = str(input, 'dest')
  if (dest !== undefined && flag(input, 'no-dest'))
    return '--dest and --no-dest contradict each other; give one'
  if (dest !== undefined && dest.trim() === '') return '--dest needs a folder'
  return null
}

/** --transfers N: a whole number from 1 to TRANSFERS_MAX, or undefined when not given. */
function transfersOf(input: ParsedInput): number | undefined {
  const text = str(input, 'transfers')
  return text === undefined ? undefined : Number(text)
}

function transfersProblemOf(input: ParsedInput): string | null {
  const text = str(input, 'transfers')
  if (text === undefined) return null
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > TRANSFERS_MAX)
    return `--transfers must be a whole number of files at once, from 1 (one at a time, the default) to ${TRANSFERS_MAX}, got ${text}`
  return null
}

const TRANSFERS_OPTION = {
  type: 'string',
  value: 'N',
  help: `How many files at once, metadata then download for each (1 to ${TRANSFERS_MAX}; default 1)`,
} as const

const DESTINATION_OPTIONS = {
  dest: { type: 'string', value: 'DIR', help: 'The folder its runs keep the files in' },
  'no-dest': { type: 'boolean', help: 'Check only: verify the files without keeping them' },
} as const

function readPort(text: string | undefined): number {
  const value = text ?? '0'
  const port = Number(value)
  if (!/^\d+$/.test(value) || port > 65535)
    throw new UsageError(
      `--port must be a number from 0 to 65535, got ${value}`,
      'skwirl serve --help',
    )
  return port
}

export const COMMANDS: ReadonlyArray<Command> = [
  {
    name: ['serve'],
    summary: 'Run Skwirl in your browser, and run the schedules while it is up',
    description:
      'Prints the address to open (with its token) and serves the app on 127.0.0.1 unless told\n' +
      'otherwise. It runs the providers’ schedules too, for headless boxes. Ctrl-C stops it.',
    options: {
      port: { type: 'string', short: 'p', value: 'N', help: 'The port (default: a free one)' },
      host: {
        type: 'string',
        value: 'ADDR',
        help: 'The address to listen on (default: 127.0.0.1)',
      },
    },
    check: (input) => {
      readPort(str(input, 'port'))
      return null
    },
    run: (context, input) =>
      serve(context, readPort(str(input, 'port')), str(input, 'host') ?? '127.0.0.1'),
  },
  {
    name: ['provider', 'list'],
    summary: 'List the providers: schedule, next run, last run, last good backup',
    run: (context) => withCore(context, (core) => listProviders(core, context.out)),
  },
  {
    name: ['provider', 'add'],
    summary: 'Add a provider from a Lua file (it must compile)',
    args: [{ name: '<name>' }, { name: '<file.lua>' }],
    complete: 'files',
    run: (context, input) =>
      withCore(context, (core) =>
        addProvider(core, context.out, input.args[0] as string, input.args[1] as string),
      ),
  },
  {
    name: ['provider', 'export'],
    summary: 'Write a provider’s Lua to a file, or to stdout without one',
    args: [{ name: '<name>' }, { name: '<file.lua>', optional: true }],
    options: { force: { type: 'boolean', short: 'f', help: 'Replace the file if it exists' } },
    complete: 'files',
    check: (input) =>
      flag(input, 'force') && input.args.length < 2
        ? '--force is for replacing a file; there is none to replace'
        : null,
    run: (context, input) =>
      withCore(context, (core) =>
        exportProvider(
          core,
          context.out,
          input.args[0] as string,
          input.args[1] ?? null,
          flag(input, 'force'),
        ),
      ),
  },
  {
    name: ['provider', 'remove'],
    summary: 'Delete a provider (its recorded runs stay in the history)',
    args: [{ name: '<name>' }],
    run: (context, input) =>
      withCore(context, (core) => {
        const provider = storedProvider(core, input.args[0] as string)
        core.providers.delete(provider.id)
        if (context.out.json) context.out.data({ removed: summaryOf(provider) })
        else context.out.text(`Removed provider "${provider.name}".`)
        return 0
      }),
  },
  {
    name: ['provider', 'set'],
    summary:
      'Change a provider’s options: its schedule, its destination, how long versions stay, transfers',
    args: [{ name: '<name>' }],
    options: {
      schedule: {
        type: 'string',
        short: 's',
        value: 'SPEC',
        help: `When to back it up: ${SCHEDULE_SPEC_HELP}`,
      },
      ...DESTINATION_OPTIONS,
      retention: {
        type: 'string',
        value: 'DAYS',
        help: `How many days old versions are kept (0 to ${RETENTION_DAYS_MAX})`,
      },
      transfers: TRANSFERS_OPTION,
      setting: {
        type: 'string',
        value: 'KEY=VALUE',
        multiple: true,
        help: 'Set one of its settings (again for more)',
      },
      'setting-stdin': {
        type: 'string',
        value: 'KEY',
        help: 'Read one setting’s value, a secret say, from stdin (not shown as you type)',
      },
      'clear-setting': {
        type: 'string',
        value: 'KEY',
        multiple: true,
        help: 'Unset one of its settings (again for more)',
      },
    },
    complete: 'files',
    check: (input) => {
      const spec = str(input, 'schedule')
      const retention = str(input, 'retention')
      const settings = settingsOf(input)
      if (typeof settings === 'string') return settings
      if (
        spec === undefined &&
        destinationOf(input) === undefined &&
        retention === undefined &&
        str(input, 'transfers') === undefined &&
        settings.keys.length === 0
      )
        return `provider set needs something to set: --schedule ${SCHEDULE_SPEC_HELP}, --dest DIR, --no-dest, --retention DAYS, --transfers N, --setting KEY=VALUE, --setting-stdin KEY or --clear-setting KEY`
      if (spec !== undefined) {
        try {
          parseScheduleSpec(spec)
        } catch (error) {
          if (error instanceof ScheduleSpecError)
            return `--schedule ${JSON.stringify(spec)}: ${error.message}`
          throw error
        }
      }
      if (
        retention !== undefined &&
        (!/^\d+$/.test(retention) || Number(retention) > RETENTION_DAYS_MAX)
      )
        return `--retention must be a number of days from 0 to ${RETENTION_DAYS_MAX}, got ${retention}`
      return transfersProblemOf(input) ?? destinationProblem(input)
    },
    run: (context, input) => withCore(context, (core) => setProvider(core, context.out, input)),
  },
  {
    name: ['provider', 'settings'],
    summary: 'Show a provider’s settings (secret ones only as set or not) and its sign-in',
    description: 'Also says how secrets are protected on this machine.',
    args: [{ name: '<name>' }],
    run: (context, input) =>
      withCore(context, (core) =>
        showSettings(
          core,
          storedProvider(core, input.args[0] as string),
          context.out.json,
          ioFor(context.out),
        ),
      ),
  },
  {
    name: ['auth'],
    summary: 'Sign a provider in (or out, with --sign-out)',
    description:
      'Prints the address to open on stdout (with --json, {"url"}), waits for the browser to\n' +
      'come back, and exits 0 once signed in (then {"provider","signedIn":true} with --json).',
    args: [{ name: '<name>' }],
    options: {
      'sign-out': { type: 'boolean', help: 'Forget the sign-in (its tokens)' },
    },
    run: (context, input) =>
      withCore(context, (core) =>
        authCommand(
          core,
          storedProvider(core, input.args[0] as string),
          flag(input, 'sign-out'),
          ioFor(context.out),
        ),
      ),
  },
  {
    name: ['run'],
    summary: 'Run a provider’s backup headless, or every provider whose schedule is due',
    usage: ['<name | file.lua> [options]', '--due [options]'],
    description:
      'Shows one progress line on a terminal and a summary at the end (--json: one report).\n' +
      '--due runs the providers whose schedule is due one after another, for cron or a systemd\n' +
      'timer (for example `*/15 * * * * skwirl run --due`), and exits with the worst code.',
    args: [{ name: '<name | file.lua>', optional: true }],
    options: {
      due: { type: 'boolean', help: 'Run every provider whose schedule is due, one after another' },
      dest: { type: 'string', value: 'DIR', help: 'Keep the files in DIR for this run' },
      'no-dest': { type: 'boolean', help: 'Check only, for this run: verify, keep nothing' },
      verify: {
        type: 'boolean',
        help: 'Download every file again and compare it with the kept copy',
      },
      transfers: { ...TRANSFERS_OPTION, help: `${TRANSFERS_OPTION.help}, for this run` },
    },
    complete: 'files',
    check: (input) => {
      if (flag(input, 'due')) {
        if (input.args.length > 0)
          return `run --due runs the providers that are due; it takes no provider, got "${input.args[0]}"`
        if (
          destinationOf(input) !== undefined ||
          flag(input, 'verify') ||
          str(input, 'transfers') !== undefined
        )
          return 'run --due runs each provider with its own options; --dest, --no-dest, --verify and --transfers are for one provider (set them with `skwirl provider set NAME`)'
        return null
      }
      if (input.args.length === 0) return 'run needs a provider name or a .lua file (or --due)'
      if (input.args.length > 1) return `run takes one provider, got ${input.args.length}`
      if (flag(input, 'verify') && flag(input, 'no-dest'))
        return '--verify compares with the kept copies; it needs a destination'
      return transfersProblemOf(input) ?? destinationProblem(input)
    },
    run: (context, input) =>
      withCore(context, (core) =>
        flag(input, 'due')
          ? runDue(core, context.out)
          : runOne(core, context.out, input.args[0] as string, {
              destination: destinationOf(input),
              verify: flag(input, 'verify'),
              transfers: transfersOf(input),
            }),
      ),
  },
  {
    name: ['test'],
    summary: 'Try a provider as a dry run: a few ids, their metadata, one download',
    usage: ['<name | file.lua> [--limit N]'],
    description:
      'Runs list_file_ids until N ids (20 by default), get_file_metadata for the first 3 and\n' +
      'download_file for one, and prints what happened: print and log output, each HTTP call\n' +
      '(method, URL with secrets masked, status, time), the metadata as inspect shows it, errors\n' +
      'with their line. Nothing is recorded as a run and nothing is kept; skwirl.storage writes\n' +
      'last for the test only. Exit 0 when every step worked, 3 when a file’s step failed, 1\n' +
      'when the test failed.',
    args: [{ name: '<name | file.lua>' }],
    options: {
      limit: {
        type: 'string',
        short: 'n',
        value: 'N',
        help: `List until N ids (default ${TEST_LIMIT_DEFAULT}, at most ${TEST_LIMIT_MAX})`,
      },
    },
    complete: 'files',
    check: (input) => {
      if (input.args.length > 1) return `test takes one provider, got ${input.args.length}`
      const limit = str(input, 'limit')
      if (
        limit !== undefined &&
        (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > TEST_LIMIT_MAX)
      )
        return `--limit must be a number from 1 to ${TEST_LIMIT_MAX}, got ${limit}`
      return null
    },
    run: (context, input) =>
      withCore(context, (core) =>
        testOne(
          core,
          context.out,
          input.args[0] as string,
          Number(str(input, 'limit') ?? TEST_LIMIT_DEFAULT),
        ),
      ),
  },
  {
    name: ['verify'],
    summary: 'Check a backup folder’s files against its manifest',
    description:
      'Re-hashes every stored file and every kept version and lists those missing or different\n' +
      '(stdout), with a summary on stderr. Exit 0 when every file matches, 1 otherwise.',
    args: [{ name: '<DIR>' }],
    complete: 'files',
    run: (context, input) => verify(context.out, input.args[0] as string),
  },
  {
    name: ['runs'],
    summary: 'List recorded runs, newest first',
    options: {
      provider: { type: 'string', short: 'P', value: 'NAME', help: 'Only this provider’s runs' },
      limit: {
        type: 'string',
        short: 'n',
        value: 'N',
        help: `How many (default ${RUNS_LIMIT}, at most 100000)`,
      },
    },
    check: (input) => {
      const limit = str(input, 'limit')
      if (
        limit !== undefined &&
        (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 100_000)
      )
        return `--limit must be a number from 1 to 100000, got ${limit}`
      if (input.args.length > 0)
        return `runs takes no arguments, got "${input.args[0]}" (use --provider NAME)`
      return null
    },
    run: (context, input) =>
      withCore(context, (core) =>
        listRuns(
          core,
          context.out,
          str(input, 'provider') ?? null,
          Number(str(input, 'limit') ?? RUNS_LIMIT),
        ),
      ),
  },
  {
    name: ['completion'],
    summary: 'Print a completion script for bash, zsh or fish',
    description:
      'For example, in ~/.bashrc: source <(skwirl completion bash)\n' +
      'zsh: skwirl completion zsh > "${fpath[1]}/_skwirl"\n' +
      'fish: skwirl completion fish > ~/.config/fish/completions/skwirl.fish',
    args: [{ name: '<bash | zsh | fish>' }],
    complete: SHELLS,
    check: (input) => {
      const shell = input.args[0]
      if (shell !== undefined && !(SHELLS as readonly string[]).includes(shell))
        return `completion knows bash, zsh and fish, not "${shell}"`
      if (input.values.json === true) return 'completion prints a shell script, not JSON'
      return null
    },
    run: async (context, input) => {
      context.out.text(completionScript(input.args[0] as Shell, context.commands))
      return 0
    },
  },
]

/** `provider list`: each provider with its schedule, next run, last run and last good backup. */
function listProviders(core: SkwirlCore, out: Output): number {
  const providers = core.providers.list()
  const status = new Map(core.backupOverview().providers.map((s) => [s.providerId, s]))
  const lastRuns = new Map<string, RunState>()
  // latestPerProvider also answers each provider's last backup: keep the newest run.
  for (const run of core.runRecords.latestPerProvider()) {
    const seen = lastRuns.get(run.providerId)
    if (!seen || seen.startedAt < run.startedAt) lastRuns.set(run.providerId, run)
  }
  const options = core.options.all(providers.map((p) => p.id))
  const rows = providers.map((provider) => {
    const s = status.get(provider.id)
    const lastRun = lastRuns.get(provider.id)
    return {
      ...provider,
      options: options[provider.id],
      nextRunAt: s?.nextRunAt ?? null,
      lastRun: lastRun ? runReport(lastRun) : null,
      lastGoodBackupAt: s?.lastGoodBackupAt ?? null,
      overdue: s?.overdue ?? false,
    }
  })
  if (out.json) {
    out.data(rows)
    return 0
  }
  if (rows.length === 0) {
    out.text('No providers.')
    return 0
  }
  const now = Date.now()
  out.text(
    table(
      ['NAME', 'SCHEDULE', 'NEXT RUN', 'LAST RUN', 'LAST GOOD BACKUP', 'BACKS UP TO'],
      rows.map((row): Cell[] => [
        row.name,
        formatScheduleSpec(row.options?.schedule ?? { kind: 'off' }),
        row.nextRunAt ? (Date.parse(row.nextRunAt) <= now ? 'due' : localTime(row.nextRunAt)) : '—',
        row.lastRun
          ? {
              text: `${localTime(row.lastRun.startedAt)} ${statusText(lastRuns.get(row.id) as RunState)}`,
              paint: (text) => (row.lastRun?.status === 'failed' ? out.paint(text, 'red') : text),
            }
          : 'never',
        {
          text: `${row.lastGoodBackupAt ? localTime(row.lastGoodBackupAt) : 'never'}${row.overdue ? ' (overdue)' : ''}`,
          paint: (text) => (row.overdue ? out.paint(text, 'yellow') : text),
        },
        row.options?.destination ?? '(check only)',
      ]),
    ),
  )
  return 0
}

/** `provider set`: its schedule, its destination and retention, whichever were given. */
async function setProvider(core: SkwirlCore, out: Output, input: ParsedInput): Promise<number> {
  const provider = storedProvider(core, input.args[0] as string)
  const destination = destinationOf(input)
  const retention = str(input, 'retention')
  const transfers = transfersOf(input)
  const spec = str(input, 'schedule')
  const settings = settingsOf(input)
  if (typeof settings === 'string') throw new UsageError(settings, 'skwirl provider set --help')
  let settingsSet: { set: string[]; cleared: string[] } | null = null
  if (settings.keys.length > 0) {
    settingsSet = await setSettings(
      core,
      provider,
      settings.changes,
      settings.stdinKey,
      ioFor(out),
      readStdinValue,
    )
  }
  if (
    destination === undefined &&
    retention === undefined &&
    transfers === undefined &&
    spec === undefined
  ) {
    if (out.json) out.data({ provider: provider.name, settings: settingsSet })
    return 0
  }
  let set
  try {
    set = core.setOptions(
      provider.id,
      {
        destination,
        retentionDays: retention === undefined ? undefined : Number(retention),
        transfers,
        schedule: spec === undefined ? undefined : parseScheduleSpec(spec),
      },
      process.cwd(),
    )
  } catch (error) {
    asCliError(error)
  }
  const status = core.backupOverview().providers.find((s) => s.providerId === provider.id)
  if (out.json) {
    const { destination: dest, retentionDays, transfers: n, schedule } = set
    out.data({
      provider: provider.name,
      options: { destination: dest, retentionDays, transfers: n, schedule },
      nextRunAt: status?.nextRunAt ?? null,
      ...(settingsSet ? { settings: settingsSet } : {}),
    })
    return 0
  }
  if (destination !== undefined || retention !== undefined) {
    out.text(
      `${provider.name}: ${
        set.destination === null
          ? 'check only: its runs verify the files without keeping them'
          : `its runs keep the files in ${set.destination}${set.created ? ' (created)' : ''}`
      }; old versions are kept ${set.retentionDays} day(s).`,
    )
  }
  if (transfers !== undefined) {
    out.text(
      `${provider.name}: its runs back up ${set.transfers === 1 ? 'one file at a time' : `${set.transfers} files at a time`}.`,
    )
  }
  if (spec !== undefined) {
    const next = status?.nextRunAt ? `; next run ${localTime(status.nextRunAt)}` : ''
    out.text(`${provider.name}: ${describeSchedule(set.schedule).toLowerCase()}${next}.`)
  }
  return 0
}

/** `skwirl verify DIR`: every stored file against the manifest; exit 0 when all match. */
async function verify(out: Output, dir: string): Promise<number> {
  const controller = new AbortController()
  const stop = (): void => controller.abort()
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  let report: VerifyReport
  try {
    report = await verifyDestination(dir, {
      signal: controller.signal,
      onWaiting: (holder) => out.say(`skwirl: waiting for ${holder} to finish…`),
      onProgress: (progress) =>
        out.progress(
          () =>
            `checked ${formatCount(progress.checked)} of ${formatCount(progress.total)} files, ${formatBytes(progress.bytes)}`,
        ),
    })
  } catch (error) {
    if (error instanceof DestinationError) throw new CliError('failed', error.message)
    if (controller.signal.aborted) throw new CliError('failed', 'verify stopped before it finished')
    throw error
  } finally {
    process.removeListener('SIGINT', stop)
    process.removeListener('SIGTERM', stop)
    out.clearProgress()
  }
  if (out.json) {
    const { problems, ...counts } = report
    out.data({ ...counts, ok: problems.length === 0, problems })
  } else {
    for (const problem of report.problems) out.text(describeProblem(problem))
    out.say(verifySummary(report))
  }
  return report.problems.length === 0 ? 0 : 1
}

function addProvider(core: SkwirlCore, out: Output, name: string, file: string): number {
  let code: string
  try {
    code = readProviderFile(file).code
  } catch (error) {
    asCliError(error)
  }
  const check = checkLuaCode(name, code)
  if (check.syntaxError) {
    const { line, message } = check.syntaxError
    throw new CliError(
      'compile',
      `${file}${line === null ? '' : `:${line}`}: ${message}\nNothing was added: the code must compile.`,
    )
  }
  let added: Provider
  try {
    added = core.providers.create({ name, code })
  } catch (error) {
    asCliError(error)
  }
  const warnings = check.missingFunctions.map(
    (missing) =>
      `${file} does not define ${missing}() as a global function; runs will fail without it.`,
  )
  for (const warning of warnings) out.warn(warning)
  if (out.json) out.data({ added: summaryOf(added), warnings })
  else out.text(`Added provider "${added.name}".`)
  return 0
}

function exportProvider(
  core: SkwirlCore,
  out: Output,
  name: string,
  file: string | null,
  force: boolean,
): number {
  const provider = storedProvider(core, name)
  if (file === null) {
    if (out.json) out.data({ name: provider.name, code: provider.code })
    else process.stdout.write(provider.code)
    return 0
  }
  if (!force && existsSync(file))
    throw new CliError('exists', `${file} already exists; add --force to replace it.`)
  try {
    writeProviderFile(file, provider.code)
  } catch (error) {
    asCliError(error)
  }
  if (out.json) out.data({ exported: provider.name, file })
  else out.text(`Exported provider "${provider.name}" to ${file}.`)
  return 0
}

/** `skwirl runs`: the recorded runs, newest first, as a table or as JSON. */
function listRuns(
  core: SkwirlCore,
  out: Output,
  providerName: string | null,
  limit: number,
): number {
  let providerIds: string[] | undefined
  if (providerName !== null) {
    // The stored provider of that name, and runs recorded under that name (of a provider since
    // deleted, or run from a .lua file).
    const key = providerNameKey(providerName.trim())
    const ids = new Set<string>()
    const stored = core.providers.findByName(providerName)
    if (stored) ids.add(stored.id)
    for (const recorded of core.runRecords.providersWithRuns()) {
      if (providerNameKey(recorded.providerName) === key) ids.add(recorded.providerId)
    }
    if (ids.size === 0) {
      throw new CliError(
        'not-found',
        `no provider named "${providerName}" and no runs under that name. \`skwirl provider list\` shows the providers.`,
      )
    }
    providerIds = [...ids]
  }
  // One more than asked, to tell whether there are more.
  const runs = core.runRecords.recent(limit + 1, providerIds)
  const shown = runs.slice(0, limit)
  if (out.json) {
    out.data(shown.map(runReport))
    return 0
  }
  if (shown.length === 0) {
    out.text('No runs recorded yet.')
    return 0
  }
  out.text(
    runsTable(shown, (run, text) =>
      run.status === 'failed'
        ? out.paint(text, 'red')
        : run.status === 'completed' && run.failed === 0
          ? out.paint(text, 'green')
          : out.paint(text, 'yellow'),
    ),
  )
  if (runs.length > limit) out.say(`(the newest ${limit}; --limit N shows more)`)
  return 0
}

async function serve(context: CliContext, port: number, host: string): Promise<number> {
  const { out } = context
  const listeners = new Set<(event: string, payload: unknown) => void>()
  const core = context.openCore({
    logs: true,
    emit: (event, payload) => listeners.forEach((listener) => listener(event, payload)),
  })
  let server
  try {
    server = await startBrowserServer({
      handlers: core.handlers,
      logger: core.logger,
      rendererDir: context.rendererDir,
      host,
      port,
    })
  } catch (error) {
    await core.close()
    throw new CliError(
      'failed',
      `could not listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`,
    )
  }
  const running = server
  // A long-lived server stays up whatever one request or run does; such a failure is a bug of
  // Skwirl's, and the log says so.
  process.on('uncaughtException', (error) =>
    core.logger.error(`bug: uncaught exception: ${error.stack ?? error.message}`),
  )
  process.on('unhandledRejection', (reason) =>
    core.logger.error(
      `bug: unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`,
    ),
  )
  if (!isLoopback(host)) {
    out.warn(
      `listening on ${host}${isAnyAddress(host) ? ' (every network interface)' : ''} over plain HTTP. Anyone who can reach this machine can try to connect, and the access token travels in clear text. Prefer the default 127.0.0.1 with an SSH tunnel (ssh -L ${running.port}:127.0.0.1:${running.port} this-host), or an HTTPS reverse proxy in front.`,
    )
  }
  listeners.add((event, payload) => running.broadcast(event as never, payload as never))
  if (!existsSync(join(context.rendererDir, 'index.html'))) {
    out.warn('the app is not built yet; run `npm run build` first.')
  }
  if (out.json) out.data({ url: running.url })
  else out.text(`Skwirl is at ${running.url}`)
  // Browser mode runs the schedules too, for headless boxes.
  core.scheduler.start()
  const scheduled = core.schedules.all().length
  out.say(
    scheduled === 0
      ? 'No provider has a schedule; set one in the app or with `skwirl provider set`.'
      : `Running the schedules of ${scheduled} provider${scheduled === 1 ? '' : 's'} while it is up.`,
  )
  out.say('Press Ctrl-C to stop.')
  await new Promise<void>((resolveStop) => {
    process.once('SIGINT', resolveStop)
    process.once('SIGTERM', resolveStop)
  })
  await running.close()
  await core.close()
  return 0
}

/** 127.0.0.0/8, ::1 and localhost: addresses no other machine can reach. */
function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase()
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare)
}

function isAnyAddress(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '')
  return bare === '0.0.0.0' || bare === '::' || bare === '0:0:0:0:0:0:0:0'
}
