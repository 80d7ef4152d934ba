// `npx skwirl …`: the same core as the desktop app, headless. Exit codes: 0 ok, 1 failure,
// 2 usage error, 3 a run completed with some files failed, 130 interrupted (143 on SIGTERM).
import { existsSync, readFileSync } from 'node:fs'
import { basename, extname, join, resolve } from 'node:path'
import { startBrowserServer } from '../core/browser-server'
import { resolveDataDir } from '../core/data-dir'
import { createLogger, type Logger } from '../core/logger'
import { childProcessLauncher } from '../core/runner-process'
import {
  createCore,
  httpTimingFromEnv,
  limitsFromEnv,
  recordRunsFromEnv,
  type SkwirlCore,
} from '../core/skwirl-core'
import type { RunOptions, RunOutcome } from '../core/run-manager'
import {
  DestinationError,
  describeProblem,
  verifyDestination,
  verifySummary,
  type VerifyReport,
} from '../core/destination'
import {
  DEFAULT_RETENTION_DAYS,
  type EventName,
  type Provider,
  type RunState,
  type SkwirlEvents,
} from '../../shared/api'
import { ApiError } from '../../shared/errors'
import { ProviderFileError } from '../../shared/provider-rules'
import { checkLuaCode } from '../core/lua-check'
import { readProviderFile, writeProviderFile } from '../core/provider-files'
import { parseArgs, takeGlobalOptions, UsageError, USAGE, type Command } from './args'
import {
  authCommand,
  readStdinValue,
  setSettings,
  showSettings,
  type CliIo,
} from './settings-commands'
import { formatBytes, formatCount, formatDuration } from '../../shared/format'
import { providerNameKey } from '../../shared/provider-rules'
import { describeSchedule, formatScheduleSpec } from '../../shared/schedule'
import { logLevelFromEnv, type LogLevel } from '../core/logger'
import { scheduleHourMsFromEnv } from '../core/skwirl-core'

const OUT_MAIN = __dirname
const RESOURCES_DIR = join(OUT_MAIN, '..', '..', 'resources')
const RENDERER_DIR = join(OUT_MAIN, '..', 'renderer')
const RUNNER_SCRIPT = join(OUT_MAIN, 'runner.js')

/** --log-level or SKWIRL_LOG_LEVEL: this process's log level, over the app's setting. */
let logLevelOverride: LogLevel | null = null

async function main(argv: string[]): Promise<number> {
  let command: Command
  try {
    const global = takeGlobalOptions(argv)
    command = parseArgs(global.argv)
    try {
      logLevelOverride = global.logLevel ?? logLevelFromEnv()
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error))
    }
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
      return withCore('stderr', undefined, async (core) => listProviders(core, command.json))
    case 'provider-set':
      return withCore('stderr', undefined, async (core) => setProvider(core, command))
    case 'provider-add':
      return withCore('stderr', undefined, async (core) =>
        addProvider(core, command.provider, command.file),
      )
    case 'provider-export':
      return withCore('stderr', undefined, async (core) =>
        exportProvider(core, command.provider, command.file, command.force),
      )
    case 'provider-remove':
      return withCore('stderr', undefined, async (core) => {
        const provider = storedProvider(core, command.provider)
        if (!provider) return 1
        core.providers.delete(provider.id)
        process.stdout.write(`Removed provider "${provider.name}".\n`)
        return 0
      })
    case 'provider-settings':
      return withCore('stderr', undefined, async (core) => {
        const provider = storedProvider(core, command.provider)
        return provider ? showSettings(core, provider, command.json, STDIO) : 1
      })
    case 'auth':
      return withCore('stderr', undefined, async (core) => {
        const provider = storedProvider(core, command.provider)
        return provider ? authCommand(core, provider, command.signOut, STDIO) : 1
      })
    case 'run':
      return runCommand(command)
    case 'verify':
      return verifyCommand(command.dir, command.json)
    case 'run-due':
      return runDueCommand(command.json)
    case 'runs':
      return withCore('stderr', undefined, async (core) =>
        listRuns(core, command.provider, command.limit, command.json),
      )
    case 'serve':
      return serveCommand(command.port, command.host)
  }
}

const STDIO: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}

/** A failure the person can fix: one line on stderr, exit 1. */
function fail(message: string): number {
  process.stderr.write(`skwirl: ${message}\n`)
  return 1
}

function storedProvider(core: SkwirlCore, name: string): Provider | null {
  const provider = core.providers.findByName(name)
  if (!provider) fail(`no provider named "${name}". \`skwirl provider list\` shows the providers.`)
  return provider
}

/** `provider set`: its settings, schedule, destination and retention, whichever were given. */
async function setProvider(
  core: SkwirlCore,
  command: Extract<Command, { name: 'provider-set' }>,
): Promise<number> {
  const provider = storedProvider(core, command.provider)
  if (!provider) return 1
  if (command.settings.length > 0 || command.stdinKey !== null) {
    const code = await setSettings(
      core,
      provider,
      command.settings,
      command.stdinKey,
      STDIO,
      readStdinValue,
    )
    if (code !== 0) return code
  }
  if (command.destination !== undefined || command.retentionDays !== undefined) {
    let set
    try {
      set = core.options.set(
        provider.id,
        { destination: command.destination, retentionDays: command.retentionDays },
        process.cwd(),
      )
    } catch (error) {
      if (error instanceof ApiError) return fail(error.message)
      throw error
    }
    const where =
      set.destination === null
        ? 'check only: its runs verify the files without keeping them'
        : `its runs keep the files in ${set.destination}${set.created ? ' (created)' : ''}`
    process.stdout.write(
      `${provider.name}: ${where}; old versions are kept ${set.retentionDays} day(s).\n`,
    )
  }
  if (command.schedule !== undefined) {
    const status = core.setSchedule(provider.id, command.schedule)
    const next = status.nextRunAt ? `; next run ${localTime(status.nextRunAt)}` : ''
    process.stdout.write(
      `${provider.name}: ${describeSchedule(status.schedule).toLowerCase()}${next}.\n`,
    )
  }
  return 0
}

function addProvider(core: SkwirlCore, name: string, file: string): number {
  let code: string
  try {
    code = readProviderFile(file).code
  } catch (error) {
    if (error instanceof ProviderFileError) return fail(error.message)
    throw error
  }
  const check = checkLuaCode(name, code)
  if (check.syntaxError) {
    const { line, message } = check.syntaxError
    return fail(
      `${file}${line === null ? '' : `:${line}`}: ${message}\nNothing was added: the code must compile.`,
    )
  }
  let added: Provider
  try {
    added = core.providers.create({ name, code })
  } catch (error) {
    if (error instanceof ApiError) return fail(error.message)
    throw error
  }
  for (const missing of check.missingFunctions) {
    process.stderr.write(
      `skwirl: warning: ${file} does not define ${missing}() as a global function; runs will fail without it.\n`,
    )
  }
  process.stdout.write(`Added provider "${added.name}".\n`)
  return 0
}

function exportProvider(
  core: SkwirlCore,
  name: string,
  file: string | null,
  force: boolean,
): number {
  const provider = storedProvider(core, name)
  if (!provider) return 1
  if (file === null) {
    process.stdout.write(provider.code)
    return 0
  }
  if (!force && existsSync(file)) return fail(`${file} already exists; add --force to replace it.`)
  try {
    writeProviderFile(file, provider.code)
  } catch (error) {
    if (error instanceof ProviderFileError) return fail(error.message)
    throw error
  }
  process.stdout.write(`Exported provider "${provider.name}" to ${file}.\n`)
  return 0
}

/** consoleTarget false: log lines go to the log file only (run errors are in the JSON report). */
function openCore(
  consoleTarget: 'stdout' | 'stderr' | false,
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
    httpTiming: httpTimingFromEnv(),
    recordRuns: recordRunsFromEnv(),
    emit,
    scheduleHourMs: scheduleHourMsFromEnv(),
    logLevelOverride,
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

async function runCommand(command: Extract<Command, { name: 'run' }>): Promise<number> {
  const { target, json } = command
  const core = openCore(false)
  try {
    const provider = findProvider(core, target)
    if (!provider) {
      process.stderr.write(
        `skwirl: no provider named "${target}" and no such .lua file. \`skwirl provider list\` shows the providers.\n`,
      )
      return 1
    }
    const runOptions = runOptionsFor(core, provider.id, command)
    if (runOptions.verifyAll && !runOptions.destination) {
      return fail(
        `--verify compares fresh downloads with the kept copies: give --dest DIR, or set the provider's destination with \`skwirl provider set "${provider.name}" --dest DIR\`.`,
      )
    }
    const outcome = await followRun(core, core.runs.start(provider, runOptions))
    reportOutcome(outcome, json, core.logger)
    return exitCodeFor(outcome)
  } finally {
    await core.close()
  }
}

/** A stored provider's destination and retention, unless the command line says otherwise. */
function runOptionsFor(
  core: SkwirlCore,
  providerId: string,
  command: Extract<Command, { name: 'run' }>,
): RunOptions {
  const stored = providerId.startsWith('file:') ? null : core.options.runOptions(providerId)
  const given = command.destination
  return {
    destination:
      given === undefined ? (stored?.destination ?? null) : given === null ? null : resolve(given),
    retentionDays: stored?.retentionDays ?? DEFAULT_RETENTION_DAYS,
    verifyAll: command.verify,
  }
}

/** `skwirl verify DIR`: every stored file against the manifest; exit 0 when all match. */
async function verifyCommand(dir: string, json: boolean): Promise<number> {
  const controller = new AbortController()
  const stop = (): void => controller.abort()
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  let lastProgress = 0
  let report: VerifyReport
  try {
    report = await verifyDestination(dir, {
      signal: controller.signal,
      onWaiting: (holder) => process.stderr.write(`skwirl: waiting for ${holder} to finish…\n`),
      onProgress: (progress) => {
        const now = Date.now()
        if (now - lastProgress < 500 && progress.checked < progress.total) return
        lastProgress = now
        const line = `checked ${formatCount(progress.checked)} of ${formatCount(progress.total)} files, ${formatBytes(progress.bytes)}`
        process.stderr.write(process.stderr.isTTY ? `\r\x1b[K${line}` : `${line}\n`)
      },
    })
  } catch (error) {
    if (error instanceof DestinationError) return fail(error.message)
    if (controller.signal.aborted) return fail('verify stopped before it finished')
    throw error
  } finally {
    process.removeListener('SIGINT', stop)
    process.removeListener('SIGTERM', stop)
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K')
  }
  if (json) {
    const { problems, ...counts } = report
    process.stdout.write(`${JSON.stringify({ ...counts, ok: problems.length === 0, problems })}\n`)
  } else {
    for (const problem of report.problems) process.stdout.write(`${describeProblem(problem)}\n`)
    process.stderr.write(`${verifySummary(report)}\n`)
  }
  return report.problems.length === 0 ? 0 : 1
}

/** The shell's convention for a run cut short: 128 + the signal's number. */
let interruptCode = 0

/** Shows a run's progress until it ends; Ctrl-C (130) or SIGTERM (143) cancels it. */
async function followRun(
  core: SkwirlCore,
  run: { runId: string; done: Promise<RunOutcome> },
): Promise<RunOutcome> {
  const { runId, done } = run
  const onInterrupt = (): void => {
    interruptCode = 130
    core.runs.cancel(runId)
  }
  const onTerminate = (): void => {
    interruptCode = 143
    core.runs.cancel(runId)
  }
  process.once('SIGINT', onInterrupt)
  process.once('SIGTERM', onTerminate)
  const progress = setInterval(() => writeProgress(core, runId), 500)
  const outcome = await done
  clearInterval(progress)
  process.removeListener('SIGINT', onInterrupt)
  process.removeListener('SIGTERM', onTerminate)
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K')
  return outcome
}

/**
 * 0 when every file was downloaded or unchanged; 3 completed with some files failed (restic's
 * convention); 1 failed; 130/143 interrupted.
 */
function exitCodeFor(outcome: RunOutcome): number {
  if (outcome.status === 'cancelled') return interruptCode || 130
  if (outcome.status !== 'completed') return 1
  return outcome.failed > 0 ? 3 : 0
}

/** Of several runs' exit codes, the one that says the most is wrong. */
const SEVERITY = [0, 3, 1, 130, 143]
function worstExitCode(codes: number[]): number {
  return codes.reduce(
    (worst, code) => (SEVERITY.indexOf(code) > SEVERITY.indexOf(worst) ? code : worst),
    0,
  )
}

/** `run --due`: every provider whose schedule is due, one after another; the worst exit code. */
async function runDueCommand(json: boolean): Promise<number> {
  const core = openCore(false)
  try {
    const due = core.scheduler.due()
    const names = new Map(core.providers.list().map((p) => [p.id, p.name]))
    const reports: unknown[] = []
    const codes: number[] = []
    for (const stored of due) {
      if (interruptCode) break
      const name = names.get(stored.providerId) ?? stored.providerId
      const slot = core.scheduler.takeUp(stored)
      if (slot.status === 'skipped') {
        process.stderr.write(`${name}: skipped; its previous run is still going.\n`)
        continue
      }
      if (slot.status !== 'started') continue // another Skwirl took it up, or it is gone
      const outcome = await followRun(core, slot)
      reports.push(jsonReport(outcome))
      if (!json) reportOutcome(outcome, false, core.logger)
      codes.push(exitCodeFor(outcome))
    }
    if (json) process.stdout.write(`${JSON.stringify(reports)}\n`)
    else if (due.length === 0) process.stderr.write('Nothing is due.\n')
    return worstExitCode(codes)
  } finally {
    await core.close()
  }
}

/** `provider list`: each provider with its schedule, next run, last run and last good backup. */
function listProviders(core: SkwirlCore, json: boolean): number {
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
      schedule: s?.schedule ?? { kind: 'off' as const },
      nextRunAt: s?.nextRunAt ?? null,
      lastRun: lastRun ? runReport(lastRun) : null,
      lastGoodBackupAt: s?.lastGoodBackupAt ?? null,
      overdue: s?.overdue ?? false,
    }
  })
  if (json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`)
    return 0
  }
  if (rows.length === 0) {
    process.stdout.write('No providers.\n')
    return 0
  }
  process.stdout.write(
    table(
      ['NAME', 'SCHEDULE', 'NEXT RUN', 'LAST RUN', 'LAST GOOD BACKUP', 'BACKS UP TO'],
      rows.map((row) => [
        row.name,
        formatScheduleSpec(row.schedule),
        row.nextRunAt
          ? Date.parse(row.nextRunAt) <= Date.now()
            ? 'due'
            : localTime(row.nextRunAt)
          : '—',
        row.lastRun
          ? `${localTime(row.lastRun.startedAt)} ${statusText(lastRuns.get(row.id) as RunState)}`
          : 'never',
        `${row.lastGoodBackupAt ? localTime(row.lastGoodBackupAt) : 'never'}${row.overdue ? ' (overdue)' : ''}`,
        row.options?.destination ?? '(check only)',
      ]),
    ),
  )
  return 0
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

/** `skwirl runs`: the recorded runs, newest first, as a table or as JSON. */
function listRuns(
  core: SkwirlCore,
  providerName: string | null,
  limit: number,
  json: boolean,
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
      return fail(
        `no provider named "${providerName}" and no runs under that name. \`skwirl provider list\` shows the providers.`,
      )
    }
    providerIds = [...ids]
  }
  // One more than asked, to tell whether there are more.
  const runs = core.runRecords.recent(limit + 1, providerIds)
  const shown = runs.slice(0, limit)
  if (json) {
    process.stdout.write(`${JSON.stringify(shown.map(runReport), null, 2)}\n`)
    return 0
  }
  if (shown.length === 0) {
    process.stdout.write('No runs recorded yet.\n')
    return 0
  }
  process.stdout.write(runsTable(shown))
  if (runs.length > limit) {
    process.stderr.write(`(the newest ${limit}; --limit N shows more)\n`)
  }
  return 0
}

function runReport(run: RunState) {
  return {
    runId: run.runId,
    providerId: run.providerId,
    provider: run.providerName,
    status: run.status,
    reason: run.reason,
    phase: run.phase,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    listed: run.listed,
    downloaded: run.downloaded,
    unchanged: run.unchanged,
    skipped: run.skipped,
    failed: run.failed,
    bytes: run.bytes,
    retries: run.retries,
    destination: run.destination,
    problem: run.problem,
  }
}

/** "completed", "completed with 2 failed", "failed (destination)". */
function statusText(run: RunState): string {
  if (run.status === 'completed' && run.failed > 0) return `completed with ${run.failed} failed`
  return run.reason ? `${run.status} (${run.reason})` : run.status
}

function runsTable(runs: RunState[]): string {
  const header = [
    'STARTED',
    'PROVIDER',
    'STATUS',
    'DURATION',
    'LISTED',
    'DOWNLOADED',
    'UNCHANGED',
    'SKIPPED',
    'FAILED',
    'SIZE',
  ]
  const rows = runs.map((run) => [
    localTime(run.startedAt),
    run.providerName,
    statusText(run),
    run.finishedAt
      ? formatDuration(Date.parse(run.finishedAt) - Date.parse(run.startedAt))
      : 'running',
    formatCount(run.listed),
    formatCount(run.downloaded),
    formatCount(run.unchanged),
    formatCount(run.skipped),
    formatCount(run.failed),
    formatBytes(run.bytes),
  ])
  return table(header, rows, new Set([4, 5, 6, 7, 8, 9]))
}

/** Columns padded to their widest cell, two spaces apart; numeric ones aligned right. */
function table(header: string[], rows: string[][], numeric = new Set<number>()): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  )
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => {
        const width = widths[column] as number
        return numeric.has(column) ? cell.padStart(width) : cell.padEnd(width)
      })
      .join('  ')
      .trimEnd()
  return `${[header, ...rows].map(line).join('\n')}\n`
}

/** "2025-06-15 11:58" in the machine's time zone. */
function localTime(iso: string): string {
  const date = new Date(iso)
  const two = (n: number): string => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}`
}

/** "3 listed, 2 downloaded, 1 failed, 12 kB" (with "N unchanged" for a run into a destination). */
/** "12 listed, 9 downloaded[, 3 unchanged], 2 skipped, 1 failed, 3.4 MB[, 5 retries]". */
function countsText(run: RunState): string {
  const unchanged = run.destination === null ? '' : `${run.unchanged} unchanged, `
  const retries =
    run.retries > 0 ? `, ${run.retries} ${run.retries === 1 ? 'retry' : 'retries'}` : ''
  return `${run.listed} listed, ${run.downloaded} downloaded, ${unchanged}${run.skipped} skipped, ${run.failed} failed, ${formatBytes(run.bytes)}${retries}`
}

let saidWaiting: string | null = null

function writeProgress(core: SkwirlCore, runId: string): void {
  const state = core.runs.list().find((run) => run.runId === runId)
  if (!state) return
  const waiting = state.live?.waitingFor ?? null
  if (waiting !== null) {
    // Said once per holder, on its own line: the run is not stuck, it waits its turn.
    if (waiting !== saidWaiting) {
      saidWaiting = waiting
      process.stderr.write(
        `${process.stderr.isTTY ? '\r\x1b[K' : ''}skwirl: ${state.destination} is in use; waiting for ${waiting} to finish…\n`,
      )
    }
    return
  }
  const line = `${state.providerName}: ${countsText(state)}`
  process.stderr.write(process.stderr.isTTY ? `\r\x1b[K${line}` : `${line}\n`)
}

function jsonReport(outcome: RunOutcome) {
  return {
    runId: outcome.runId,
    provider: outcome.providerName,
    status: outcome.status,
    listed: outcome.listed,
    downloaded: outcome.downloaded,
    unchanged: outcome.unchanged,
    skipped: outcome.skipped,
    failed: outcome.failed,
    bytes: outcome.bytes,
    retries: outcome.retries,
    destination: outcome.destination,
    problem: outcome.problem,
    errors: outcome.errors.map((e) => ({ fileId: e.fileId, stage: e.stage, message: e.message })),
  }
}

function reportOutcome(outcome: RunOutcome, json: boolean, logger: Logger): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(jsonReport(outcome))}\n`)
    return
  }
  process.stderr.write(`${outcome.providerName}: ${statusText(outcome)}. ${countsText(outcome)}.\n`)
  if (outcome.problem) process.stderr.write(`${outcome.problem}\n`)
  if (outcome.destination !== null && outcome.status === 'completed') {
    process.stderr.write(`Backup in ${outcome.destination}\n`)
  }
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
  // Browser mode runs the schedules too, for headless boxes.
  core.scheduler.start()
  const scheduled = core.schedules.all().length
  process.stdout.write(
    scheduled === 0
      ? 'No provider has a schedule; set one in the app or with `skwirl provider set`.\n'
      : `Running the schedules of ${scheduled} provider${scheduled === 1 ? '' : 's'} while it is up.\n`,
  )
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
