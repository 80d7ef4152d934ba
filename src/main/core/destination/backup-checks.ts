// The app's "Check backup": verifyDestination for a provider's folder, in the background, with
// its progress sent to the screen a few times a second. One check per provider at a time.
import { randomUUID } from 'node:crypto'
import { BACKUP_CHECK_LIST_MAX, type BackupCheckState } from '../../../shared/api'
import type { Logger } from '../logger'
import { DestinationError } from './disk'
import { describeProblem, verifyDestination } from './verify'

const UPDATE_EVERY_MS = 250

export class BackupChecks {
  private readonly running = new Map<
    string,
    { state: BackupCheckState; controller: AbortController; done: Promise<void> }
  >()

  constructor(
    private readonly emit: (state: BackupCheckState) => void,
    private readonly logger: Logger,
  ) {}

  /** Starts checking a provider's folder (or answers the check already going). */
  start(providerId: string, providerName: string, dir: string): { checkId: string } {
    const going = this.running.get(providerId)
    if (going) return { checkId: going.state.checkId }
    const state: BackupCheckState = {
      checkId: randomUUID(),
      providerId,
      dir,
      status: 'checking',
      waitingFor: null,
      checked: 0,
      total: 0,
      bytes: 0,
      problems: 0,
      problemPaths: [],
      error: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
    }
    const controller = new AbortController()
    let last = 0
    const send = (now: boolean): void => {
      if (!now && Date.now() - last < UPDATE_EVERY_MS) return
      last = Date.now()
      this.emit({ ...state, problemPaths: [...state.problemPaths] })
    }
    const fields = { provider: providerName }
    this.logger.info(`checking the backup in ${dir} against its manifest`, fields)
    const done = verifyDestination(dir, {
      signal: controller.signal,
      onWaiting: (holder) => {
        state.status = 'waiting'
        state.waitingFor = holder
        send(true)
      },
      onProgress: (progress) => {
        state.status = 'checking'
        state.waitingFor = null
        state.checked = progress.checked
        state.total = progress.total
        state.bytes = progress.bytes
        send(false)
      },
    })
      .then((report) => {
        state.status = 'done'
        state.checked = report.checked
        state.bytes = report.bytes
        state.problems = report.problems.length
        state.problemPaths = report.problems.slice(0, BACKUP_CHECK_LIST_MAX).map((problem) => ({
          path: problem.path,
          problem: describeProblem(problem).slice(problem.path.length + 2),
        }))
        for (const problem of report.problems) {
          this.logger.warn(`check of ${dir}: ${describeProblem(problem)}`, fields)
        }
        this.logger.info(
          `checked ${report.checked} file(s) in ${dir}: ${report.problems.length} missing or different`,
          fields,
        )
      })
      .catch((error: unknown) => {
        state.status = 'failed'
        state.error =
          error instanceof DestinationError
            ? error.message
            : controller.signal.aborted
              ? 'The check was stopped.'
              : 'The check could not finish; the log says why.'
        this.logger.error(
          `check of ${dir} failed: ${error instanceof Error ? error.message : String(error)}`,
          fields,
        )
      })
      .finally(() => {
        state.finishedAt = new Date().toISOString()
        state.waitingFor = null
        this.running.delete(providerId)
        send(true)
      })
    this.running.set(providerId, { state, controller, done })
    send(true)
    return { checkId: state.checkId }
  }

  /** Stops every check (Skwirl is closing) and waits for them to let go of their folders. */
  async cancelAll(): Promise<void> {
    const all = [...this.running.values()]
    for (const check of all) check.controller.abort()
    await Promise.all(all.map((check) => check.done))
  }
}
