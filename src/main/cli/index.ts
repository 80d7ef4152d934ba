// `npx skwirl …`: the same core as the desktop app, headless, on restic's and rclone's
// conventions: exit codes 0 ok, 1 failure, 2 usage error, 3 completed with failed files, 130
// interrupted (143 on SIGTERM); --json puts only JSON on stdout.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { resolveDataDir } from '../core/data-dir'
import { createLogger, logLevelFromEnv, type LogLevel } from '../core/logger'
import { childProcessLauncher } from '../core/runner-process'
import {
  createCore,
  httpTimingFromEnv,
  limitsFromEnv,
  recordRunsFromEnv,
  scheduleHourMsFromEnv,
} from '../core/skwirl-core'
import { COMMANDS, type CliContext } from './commands'
import {
  commandHelp,
  generalHelp,
  parseCommandLine,
  UsageError,
  type GlobalFlags,
  type ParsedCommandLine,
} from './grammar'
import { CliError, Output } from './output'

const OUT_MAIN = __dirname
const RESOURCES_DIR = join(OUT_MAIN, '..', '..', 'resources')
const RENDERER_DIR = join(OUT_MAIN, '..', 'renderer')
const RUNNER_SCRIPT = join(OUT_MAIN, 'runner.js')

function readVersion(): string {
  const pkg = JSON.parse(readFileSync(join(OUT_MAIN, '..', '..', 'package.json'), 'utf8')) as {
    version: string
  }
  return pkg.version
}

function contextFor(out: Output, global: GlobalFlags, logLevel: LogLevel | null): CliContext {
  return {
    out,
    global,
    rendererDir: RENDERER_DIR,
    commands: COMMANDS,
    openCore: ({ emit, logs = false } = {}) => {
      const dataDir = resolveDataDir()
      // The log's lines on stderr: with --verbose (down to the log's level), and serve's from
      // info up (errors only with --quiet). Other commands say what went wrong themselves.
      const consoleLevel = out.verbose ? 'debug' : logs ? (out.quiet ? 'error' : 'info') : null
      const logger = createLogger({
        dataDir,
        console: consoleLevel ? 'stderr' : false,
        consoleLevel: consoleLevel ?? undefined,
        consoleWrite: (line) => out.logLine(line),
      })
      return createCore({
        dataDir,
        resourcesDir: RESOURCES_DIR,
        logger,
        launchRunner: childProcessLauncher(RUNNER_SCRIPT),
        limits: limitsFromEnv(),
        httpTiming: httpTimingFromEnv(),
        recordRuns: recordRunsFromEnv(),
        emit,
        scheduleHourMs: scheduleHourMsFromEnv(),
        logLevelOverride: logLevel,
      })
    },
  }
}

async function main(argv: string[]): Promise<number> {
  let parsed: ParsedCommandLine<CliContext>
  // Until the line is read, errors are JSON when --json is on it.
  let out = new Output({ json: argv.includes('--json'), quiet: false, verbose: false })
  let logLevel: LogLevel | null
  try {
    parsed = parseCommandLine(argv, COMMANDS)
    out = new Output(parsed.global)
    try {
      logLevel = parsed.global.logLevel ?? logLevelFromEnv()
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error))
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    out.error('usage', error.message, `Run '${error.helpCommand}' for help.`)
    return 2
  }
  switch (parsed.kind) {
    case 'version':
      if (out.json) out.data({ version: readVersion() })
      else out.text(readVersion())
      return 0
    case 'help': {
      const text = parsed.command
        ? commandHelp(parsed.command as never)
        : generalHelp(COMMANDS as never, parsed.group)
      if (out.json) out.data({ help: text })
      else out.text(text)
      return 0
    }
    case 'command':
      try {
        return await parsed.command.run(contextFor(out, parsed.global, logLevel), parsed.input)
      } catch (error) {
        if (error instanceof UsageError) {
          out.error('usage', error.message, `Run '${error.helpCommand}' for help.`)
          return 2
        }
        if (error instanceof CliError) {
          out.error(error.code, error.message)
          return error.exitCode
        }
        throw error
      }
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error)
    new Output({ json: process.argv.includes('--json'), quiet: false, verbose: false }).error(
      'internal',
      message,
    )
    process.exitCode = 1
  },
)
