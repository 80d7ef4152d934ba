// `npx skwirl …`: the same core as the desktop app, headless. Exit codes: 0 ok, 1 failure,
// 2 usage error, 130 interrupted.
import { existsSync, readFileSync } from 'node:fs'
import { basename, extname, join, resolve } from 'node:path'
import { startBrowserServer } from '../core/browser-server'
import { resolveDataDir } from '../core/data-dir'
import { createLogger, type Logger } from '../core/logger'
import { childProcessLauncher } from '../core/runner-process'
import { createCore, limitsFromEnv, type SkwirlCore } from '../core/skwirl-core'
import type { RunOutcome } from '../core/run-manager'
import type { EventName, SkwirlEvents } from '../../shared/api'
import { parseArgs, UsageError, USAGE, type Command } from './args'
import { formatBytes } from '../../shared/format'

const OUT_MAIN = __dirname
const RESOURCES_DIR = join(OUT_MAIN, '..', '..', 'resources')
const RENDERER_DIR = join(OUT_MAIN, '..', 'renderer')
const RUNNER_SCRIPT = join(OUT_MAIN, 'runner.js')

async function main(argv: string[]): Promise<number> {
  let command: Command
  try {
    command = parseArgs(argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`skwirl: ${error.message}\n\n${USAGE}\n`)
    return 2
  }
  switch (command.name) {
    case 'help':
      process.stdout.write(`${USAGE}\n`)
      return 0
    case 'version':
      process.stdout.write(`${readVersion()}\n`)
      return 0
    case 'provider-list':
      return withCore('stderr', undefined, async (core) => {
        const providers = core.providers.list()
        if (command.json) process.stdout.write(`${JSON.stringify(providers, null, 2)}\n`)
        else if (providers.length === 0) process.stdout.write('No providers.\n')
        else for (const p of providers) process.stdout.write(`${p.name}\n`)
        return 0
      })
    case 'run':
      return runCommand(command.target, command.json)
    case 'serve':
      return serveCommand(command.port, command.host)
  }
}

function openCore(
  consoleTarget: 'stdout' | 'stderr',
  emit?: Parameters<typeof createCore>[0]['emit'],
): SkwirlCore {
  const dataDir = resolveDataDir()
  const logger = createLogger({ dataDir, console: consoleTarget, consoleLevel: 'warn' })
  return createCore({
    dataDir,
    resourcesDir: RESOURCES_DIR,
    logger,
    launchRunner: childProcessLauncher(RUNNER_SCRIPT),
    limits: limitsFromEnv(),
    emit,
  })
}

async function withCore(
  consoleTarget: 'stdout' | 'stderr',
  emit: Parameters<typeof createCore>[0]['emit'],
  body: (core: SkwirlCore) => Promise<number>,
): Promise<number> {
  const core = openCore(consoleTarget, emit)
  try {
    return await body(core)
  } finally {
    await core.close()
  }
}

async function runCommand(target: string, json: boolean): Promise<number> {
  const core = openCoreQuiet()
  try {
    const provider = findProvider(core, target)
    if (!provider) {
      process.stderr.write(
        `skwirl: no provider named "${target}" and no such .lua file. \`skwirl provider list\` shows the providers.\n`,
      )
      return 1
    }
    const { done, runId } = core.runs.start(provider)
    const onInterrupt = (): void => {
      core.runs.cancel(runId)
    }
    process.once('SIGINT', onInterrupt)
    process.once('SIGTERM', onInterrupt)
    const progress = setInterval(() => writeProgress(core, runId), 500)
    const outcome = await done
    clearInterval(progress)
    process.removeListener('SIGINT', onInterrupt)
    process.removeListener('SIGTERM', onInterrupt)
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K')
    reportOutcome(outcome, json, core.logger)
    if (outcome.status === 'cancelled') return 130
    return outcome.status === 'completed' ? 0 : 1
  } finally {
    await core.close()
  }
}

function openCoreQuiet(): SkwirlCore {
  // Run errors go to the log file and the JSON report, not as log lines on the terminal.
  const dataDir = resolveDataDir()
  const logger = createLogger({ dataDir, console: false })
  return createCore({
    dataDir,
    resourcesDir: RESOURCES_DIR,
    logger,
    launchRunner: childProcessLauncher(RUNNER_SCRIPT),
    limits: limitsFromEnv(),
  })
}

function findProvider(
  core: SkwirlCore,
  target: string,
): { id: string; name: string; code: string } | null {
  const stored = core.providers.findByName(target)
  if (stored) return stored
  if (extname(target) === '.lua' && existsSync(target)) {
    const path = resolve(target)
    return { id: `file:${path}`, name: basename(target, '.lua'), code: readFileSync(path, 'utf8') }
  }
  return null
}

function writeProgress(core: SkwirlCore, runId: string): void {
  const state = core.runs.list().find((run) => run.runId === runId)
  if (!state) return
  const line = `${state.providerName}: ${state.listed} listed, ${state.downloaded} downloaded, ${state.failed} failed, ${formatBytes(state.bytes)}`
  process.stderr.write(process.stderr.isTTY ? `\r\x1b[K${line}` : `${line}\n`)
}

function reportOutcome(outcome: RunOutcome, json: boolean, logger: Logger): void {
  if (json) {
    const report = {
      runId: outcome.runId,
      provider: outcome.providerName,
      status: outcome.status,
      listed: outcome.listed,
      downloaded: outcome.downloaded,
      failed: outcome.failed,
      bytes: outcome.bytes,
      errors: outcome.errors.map((e) => ({ fileId: e.fileId, stage: e.stage, message: e.message })),
    }
    process.stdout.write(`${JSON.stringify(report)}\n`)
    return
  }
  process.stderr.write(
    `${outcome.providerName}: ${outcome.status}. ${outcome.listed} listed, ${outcome.downloaded} downloaded, ${outcome.failed} failed, ${formatBytes(outcome.bytes)}.\n`,
  )
  if (outcome.errors.length > 0) process.stderr.write(`Errors are in ${logger.file}\n`)
}

async function serveCommand(port: number, host: string): Promise<number> {
  const listeners = new Set<(event: EventName, payload: SkwirlEvents[EventName]) => void>()
  const core = openCore('stdout', (event, payload) => listeners.forEach((l) => l(event, payload)))
  let server
  try {
    server = await startBrowserServer({
      handlers: core.handlers,
      logger: core.logger,
      rendererDir: RENDERER_DIR,
      host,
      port,
    })
  } catch (error) {
    await core.close()
    process.stderr.write(
      `skwirl: could not listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}\n`,
    )
    return 1
  }
  const running = server
  listeners.add((event, payload) => running.broadcast(event, payload))
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
    process.stderr.write('skwirl: the app is not built yet; run `npm run build` first.\n')
  }
  process.stdout.write(`Skwirl is at ${running.url}\n`)
  process.stdout.write('Press Ctrl-C to stop.\n')
  await new Promise<void>((resolveStop) => {
    process.once('SIGINT', resolveStop)
    process.once('SIGTERM', resolveStop)
  })
  await running.close()
  await core.close()
  return 0
}

function readVersion(): string {
  const pkg = JSON.parse(readFileSync(join(OUT_MAIN, '..', '..', 'package.json'), 'utf8')) as {
    version: string
  }
  return pkg.version
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`skwirl: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  },
)
