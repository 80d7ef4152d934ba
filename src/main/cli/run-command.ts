// `skwirl run`: one provider, or every provider whose schedule is due; the progress line, the
// summary or JSON report, and the exit code (restic's: 3 when some files failed).
import { existsSync, readFileSync } from 'node:fs'
import { basename, extname, resolve } from 'node:path'
import { DEFAULT_RETENTION_DAYS, DEFAULT_TRANSFERS } from '../../shared/api'
import { formatCount } from '../../shared/format'
import type { RunOptions, RunOutcome, RunnableProvider } from '../core/run-manager'
import type { SkwirlCore } from '../core/skwirl-core'
import { CliError, type Output } from './output'
import { progressLine } from './progress'
import { countsText } from './tables'

/** Set by Ctrl-C (130) or SIGTERM (143): the run is cancelled, and no other starts. */
let interruptCode = 0

const PROGRESS_EVERY_MS = 250

/**
 * 0 every file backed up; 3 completed with failed files; 1 failed, or not recorded (its history
 * is missing); 130/143 interrupted.
 */
export function exitCodeFor(outcome: RunOutcome): number {
  if (outcome.status === 'cancelled') return interruptCode || 130
  if (outcome.status === 'failed' || outcome.recordError !== null) return 1
  return outcome.failed > 0 ? 3 : 0
}

/** Of several runs' exit codes, the one that says the most went wrong. */
const SEVERITY = [0, 3, 1, 130, 143]
export function worstExitCode(codes: readonly number[]): number {
  return codes.reduce(
    (worst, code) => (SEVERITY.indexOf(code) > SEVERITY.indexOf(worst) ? code : worst),
    0,
  )
}

/** The run report of `run --json` (and each entry of `run --due --json`). */
export function jsonReport(outcome: RunOutcome) {
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
    errorsOmitted: outcome.errorsOmitted,
    recorded: outcome.recordError === null,
  }
}

/** Said whatever the output: the history (`skwirl runs`, the app) will not have this run. */
function warnIfUnrecorded(out: Output, outcome: RunOutcome): void {
  if (outcome.recordError === null) return
  out.warn(
    `${outcome.providerName}: this run could not be recorded (${outcome.recordError}); the run history will not show it as it ended. Check the disk and the data directory.`,
  )
}

/** A stored provider by name, or a .lua file run as it is. */
export function findRunnable(core: SkwirlCore, target: string): RunnableProvider {
  const stored = core.providers.findByName(target)
  if (stored) return stored
  if (extname(target) === '.lua' && existsSync(target)) {
    const path = resolve(target)
    return { id: `file:${path}`, name: basename(target, '.lua'), code: readFileSync(path, 'utf8') }
  }
  throw new CliError(
    'not-found',
    `no provider named "${target}" and no such .lua file. \`skwirl provider list\` shows the providers.`,
  )
}

/** Draws the progress line until the run ends; Ctrl-C (130) or SIGTERM (143) cancels it. */
async function follow(
  core: SkwirlCore,
  out: Output,
  run: { runId: string; done: Promise<RunOutcome> },
): Promise<RunOutcome> {
  const { runId, done } = run
  const stop = (code: number) => (): void => {
    interruptCode = code
    core.runs.cancel(runId)
  }
  const onInterrupt = stop(130)
  const onTerminate = stop(143)
  process.once('SIGINT', onInterrupt)
  process.once('SIGTERM', onTerminate)
  let saidWaiting: string | null = null
  const draw = (): void => {
    const state = core.runs.list().find((r) => r.runId === runId)
    if (!state) return
    const waiting = state.live?.waitingFor ?? null
    if (waiting !== null && waiting !== saidWaiting) {
      // Said once per holder, on its own line: the run is not stuck, it waits its turn.
      saidWaiting = waiting
      out.say(`skwirl: ${state.destination} is in use; waiting for ${waiting} to finish…`)
    }
    if (waiting === null) out.progress((columns) => progressLine(state, columns))
  }
  // The wait for a destination is said even off a terminal; the progress line only on one.
  const timer = setInterval(draw, PROGRESS_EVERY_MS)
  try {
    return await done
  } finally {
    clearInterval(timer)
    out.clearProgress()
    process.removeListener('SIGINT', onInterrupt)
    process.removeListener('SIGTERM', onTerminate)
  }
}

/** "Google Drive: completed with 1 failed. 3 listed, 2 downloaded, 0 unchanged, 1 failed, 12 kB." */
function summary(out: Output, outcome: RunOutcome): string {
  const { status, failed } = outcome
  const said =
    status === 'completed' && failed > 0
      ? out.paint(`completed with ${formatCount(failed)} failed`, 'yellow', 'stderr')
      : status === 'completed'
        ? out.paint('completed', 'green', 'stderr')
        : status === 'failed'
          ? out.paint('failed', 'red', 'stderr')
          : out.paint(status, 'yellow', 'stderr')
  return `${outcome.providerName}: ${said}. ${countsText(outcome)}.`
}

function tell(out: Output, core: SkwirlCore, outcome: RunOutcome): void {
  out.say(summary(out, outcome))
  if (outcome.problem) out.say(outcome.problem)
  if (outcome.destination !== null && outcome.status === 'completed') {
    out.say(`Backup in ${outcome.destination}`)
  }
  if (outcome.errors.length > 0) out.say(`Errors are in ${core.logger.file}`)
}

/** What the command line says about the destination: a folder, check only (null), or nothing. */
export interface RunFlags {
  destination: string | null | undefined
  verify: boolean
  /** --transfers N for this run; undefined: the provider's own (1 for a .lua file). */
  transfers?: number
}

/** A stored provider's destination, retention and transfers, unless the command line says otherwise. */
function runOptionsFor(core: SkwirlCore, provider: RunnableProvider, flags: RunFlags): RunOptions {
  const stored = provider.id.startsWith('file:') ? null : core.options.runOptions(provider.id)
  const given = flags.destination
  const options: RunOptions = {
    destination:
      given === undefined ? (stored?.destination ?? null) : given === null ? null : resolve(given),
    retentionDays: stored?.retentionDays ?? DEFAULT_RETENTION_DAYS,
    verifyAll: flags.verify,
    transfers: flags.transfers ?? stored?.transfers ?? DEFAULT_TRANSFERS,
  }
  if (options.verifyAll && !options.destination) {
    throw new CliError(
      'invalid-argument',
      `--verify compares fresh downloads with the kept copies: give --dest DIR, or set the provider's destination with \`skwirl provider set "${provider.name}" --dest DIR\`.`,
    )
  }
  return options
}

export async function runOne(
  core: SkwirlCore,
  out: Output,
  target: string,
  flags: RunFlags,
): Promise<number> {
  const provider = findRunnable(core, target)
  const options = runOptionsFor(core, provider, flags)
  const outcome = await follow(core, out, core.runs.start(provider, options))
  warnIfUnrecorded(out, outcome)
  if (out.json) out.data(jsonReport(outcome))
  else tell(out, core, outcome)
  return exitCodeFor(outcome)
}

/** `run --due`: every provider whose schedule is due, one after another; the worst exit code. */
export async function runDue(core: SkwirlCore, out: Output): Promise<number> {
  const due = core.scheduler.due()
  const names = new Map(core.providers.list().map((p) => [p.id, p.name]))
  const reports: unknown[] = []
  const codes: number[] = []
  for (const stored of due) {
    if (interruptCode) break
    const slot = core.scheduler.takeUp(stored)
    if (slot.status === 'skipped') {
      out.say(
        `${names.get(stored.providerId) ?? stored.providerId}: skipped; its previous run is still going.`,
      )
      continue
    }
    if (slot.status !== 'started') continue // another Skwirl took it up, or it is gone
    const outcome = await follow(core, out, slot)
    reports.push(jsonReport(outcome))
    warnIfUnrecorded(out, outcome)
    if (!out.json) tell(out, core, outcome)
    codes.push(exitCodeFor(outcome))
  }
  if (out.json) out.data(reports)
  else if (due.length === 0) out.say('Nothing is due.')
  return worstExitCode(codes)
}
