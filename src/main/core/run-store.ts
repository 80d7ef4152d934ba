// Run records in SQLite: each run and each file it reached, written as the run goes. A recorder
// queues a run's changes and writes them in one transaction every FLUSH_EVERY_MS (or every
// BATCH_ROWS files), so recording costs a run little and a crash loses at most that moment.
import type { Database, Statement } from 'better-sqlite3'
import {
  LOG_LEVELS,
  RUN_FILE_LISTS_KEPT,
  RUN_HISTORY_MAX,
  type FileOutcome,
  RUN_LOG_LINES_KEPT,
  type LogLevel,
  type RunEndReason,
  type RunLogLine,
  type RunLogPage,
  type RunLogQuery,
  type RunFailure,
  type RunFile,
  type RunFilesPage,
  type RunFilesQuery,
  type RunPhase,
  type RunState,
  type RunStatus,
} from '../../shared/api'
import type { FileMetadata, SkipNotice, Stage } from '../../shared/runner-protocol'
import { ownerLiveness, type OwnerLiveness, type ProcessOwner } from './process-owner'
import { providerLine } from './run-problem'

export const FLUSH_EVERY_MS = 500
export const BATCH_ROWS = 2000
/** A run with nothing new still says it is alive this often (its last sign of life is kept). */
export const HEARTBEAT_MS = 10_000

export interface RunStoreOptions {
  flushEveryMs?: number
  batchRows?: number
  historyMax?: number
  fileListsKept?: number
  /** Lines of one run's log kept in the database (the log file keeps them all). */
  logLinesKept?: number
}

/** A line of a run's log as the run wrote it (already redacted and cut to length). */
export interface RecordedLogLine {
  at: string
  level: LogLevel
  stage: Stage | null
  fileId: string | null
  message: string
}

/** A file as a run finished with it. */
export interface RecordedFile {
  fileId: string
  metadata: FileMetadata | null
  outcome: FileOutcome
  failedAt: 'metadata' | 'download' | null
  /** A skipped file's reason; the name and path it gave stand in for metadata. */
  skip: SkipNotice | null
  /** Whether a download matched an MD5 (null when not downloaded). */
  verified: boolean | null
  bytes: number
}

/** A run found 'running' whose process is gone, now recorded failed (interrupted). */
export interface InterruptedRun {
  runId: string
  providerName: string
  ownerPid: number
}

interface RunRow {
  key: number
  id: string
  provider_id: string
  provider_name: string
  status: RunStatus
  phase: RunPhase
  reason: RunEndReason | null
  started_at: string
  finished_at: string | null
  listed: number
  downloaded: number
  unchanged: number
  skipped: number
  failed: number
  bytes: number
  unchanged_bytes: number
  retries: number
  destination: string | null
  problem: string | null
  files_kept: number
  failure: string | null
  log_dropped: number
  updated_at: string
  owner_pid: number
  owner_host: string
  owner_start: string | null
}

interface FileRow {
  position: number
  file_id: string
  name: string | null
  path: string | null
  size: number | null
  checksum: string | null
  modified_time: string | null
  outcome: FileOutcome
  failed_at: 'metadata' | 'download' | null
  skip_reason: string | null
  verified: 0 | 1 | null
  bytes: number
}

interface LogRow {
  seq: number
  at: string
  level: LogLevel
  stage: Stage | null
  file_id: string | null
  message: string
}

const RUN_COLUMNS = `key, id, provider_id, provider_name, status, phase, reason, started_at,
  finished_at, listed, downloaded, unchanged, skipped, failed, bytes, unchanged_bytes, retries,
  destination, problem, failure, files_kept, log_dropped, updated_at, owner_pid, owner_host,
  owner_start`

function toState(row: RunRow): RunState {
  return {
    runId: row.id,
    providerId: row.provider_id,
    providerName: row.provider_name,
    status: row.status,
    phase: row.phase,
    reason: row.reason,
    failure: row.failure === null ? null : (JSON.parse(row.failure) as RunFailure),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    listed: row.listed,
    downloaded: row.downloaded,
    unchanged: row.unchanged,
    skipped: row.skipped,
    failed: row.failed,
    bytes: row.bytes,
    unchangedBytes: row.unchanged_bytes,
    retries: row.retries,
    destination: row.destination,
    problem: row.problem,
    live: null,
  }
}

function toFile(row: FileRow): RunFile {
  return {
    position: row.position,
    fileId: row.file_id,
    name: row.name,
    path: row.path,
    size: row.size,
    checksum: row.checksum,
    modifiedTime: row.modified_time,
    outcome: row.outcome,
    failedAt: row.failed_at,
    skipReason: row.skip_reason,
    verified: row.verified === null ? null : row.verified === 1,
    bytes: row.bytes,
  }
}

/** The columns a run's progress fills (better-sqlite3 wants exactly the names it binds). */
function progressParams(state: RunState): Record<string, string | number | null> {
  return {
    status: state.status,
    phase: state.phase,
    reason: state.reason,
    failure: state.failure === null ? null : JSON.stringify(state.failure),
    finishedAt: state.finishedAt,
    listed: state.listed,
    downloaded: state.downloaded,
    unchanged: state.unchanged,
    skipped: state.skipped,
    failed: state.failed,
    bytes: state.bytes,
    unchangedBytes: state.unchangedBytes,
    retries: state.retries,
    problem: state.problem,
    updatedAt: new Date().toISOString(),
  }
}

export class RunStore {
  private readonly insertRun: Statement
  private readonly updateRun: Statement
  private readonly insertFile: Statement
  private readonly insertLog: Statement
  private readonly selectRun: Statement
  private readonly selectHistory: Statement
  private readonly selectLatest: Statement
  private readonly selectRecent: Statement
  private readonly selectFiles: Statement
  private readonly selectFailedFiles: Statement
  private readonly selectSkippedFiles: Statement
  private readonly selectRunning: Statement
  private readonly markInterrupted: Statement
  private readonly options: Required<RunStoreOptions>

  constructor(
    private readonly db: Database,
    options: RunStoreOptions = {},
  ) {
    this.options = {
      flushEveryMs: options.flushEveryMs ?? FLUSH_EVERY_MS,
      batchRows: options.batchRows ?? BATCH_ROWS,
      historyMax: options.historyMax ?? RUN_HISTORY_MAX,
      fileListsKept: options.fileListsKept ?? RUN_FILE_LISTS_KEPT,
      logLinesKept: options.logLinesKept ?? RUN_LOG_LINES_KEPT,
    }
    // Search ignores case in all of Unicode (SQLite's lower() folds ASCII only).
    db.function('skwirl_fold', { deterministic: true }, (text: unknown) =>
      typeof text === 'string' ? text.toLowerCase() : text,
    )
    this.insertRun = db.prepare(`
      INSERT INTO runs (id, provider_id, provider_name, status, phase, reason, started_at,
        finished_at, listed, downloaded, unchanged, skipped, failed, bytes, unchanged_bytes, retries,
        destination, problem, failure, updated_at, owner_pid, owner_host, owner_start)
      VALUES (@runId, @providerId, @providerName, @status, @phase, @reason, @startedAt,
        @finishedAt, @listed, @downloaded, @unchanged, @skipped, @failed, @bytes, @unchangedBytes,
        @retries, @destination, @problem, @failure, @updatedAt, @ownerPid, @ownerHost, @ownerStart)`)
    this.updateRun = db.prepare(`
      UPDATE runs SET status = @status, phase = @phase, reason = @reason, finished_at = @finishedAt,
        listed = @listed, downloaded = @downloaded, unchanged = @unchanged, skipped = @skipped,
        failed = @failed, bytes = @bytes, unchanged_bytes = @unchangedBytes, retries = @retries,
        problem = @problem, failure = @failure, log_dropped = @logDropped, updated_at = @updatedAt
      WHERE key = @key`)
    this.insertFile = db.prepare(`
      INSERT INTO run_files (run_key, position, file_id, name, path, size, checksum, modified_time,
        outcome, failed_at, skip_reason, verified, bytes)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    this.insertLog = db.prepare(`
      INSERT INTO run_log (run_key, seq, at, level, stage, file_id, message)
      VALUES (?, ?, ?, ?, ?, ?, ?)`)
    this.selectRun = db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`)
    this.selectHistory = db.prepare(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE provider_id = ?
       ORDER BY started_at DESC, key DESC LIMIT ?`,
    )
    // The newest run of each provider, and its newest backup (a completed run with a
    // destination) when that is an older run: the card shows both.
    this.selectLatest = db.prepare(`
      SELECT ${RUN_COLUMNS} FROM runs WHERE key IN (
        SELECT (SELECT key FROM runs AS newest WHERE newest.provider_id = providers.provider_id
                ORDER BY started_at DESC, key DESC LIMIT 1)
        FROM (SELECT DISTINCT provider_id FROM runs) AS providers
        UNION
        SELECT (SELECT key FROM runs AS backup WHERE backup.provider_id = providers.provider_id
                  AND backup.destination IS NOT NULL AND backup.status = 'completed'
                ORDER BY started_at DESC, key DESC LIMIT 1)
        FROM (SELECT DISTINCT provider_id FROM runs) AS providers)
      ORDER BY started_at DESC, key DESC`)
    this.selectRecent = db.prepare(
      `SELECT ${RUN_COLUMNS} FROM runs ORDER BY started_at DESC, key DESC LIMIT ?`,
    )
    this.selectFiles = db.prepare(
      `SELECT * FROM run_files WHERE run_key = ? AND position >= ? ORDER BY position LIMIT ?`,
    )
    this.selectFailedFiles = db.prepare(
      `SELECT * FROM run_files WHERE run_key = ? AND outcome = 'failed'
       ORDER BY position LIMIT ? OFFSET ?`,
    )
    this.selectSkippedFiles = db.prepare(
      `SELECT * FROM run_files WHERE run_key = ? AND outcome = 'skipped'
       ORDER BY position LIMIT ? OFFSET ?`,
    )
    this.selectRunning = db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE status = 'running'`)
    this.markInterrupted = db.prepare(`
      UPDATE runs SET status = 'failed', reason = 'interrupted', finished_at = updated_at
      WHERE key = ? AND status = 'running'`)
  }

  /** Records a run that is starting and answers the recorder that keeps its record up to date. */
  begin(
    state: RunState,
    owner: ProcessOwner,
    snapshot: () => RunState,
    onError: (error: unknown) => void,
  ): RunRecorder {
    const { lastInsertRowid } = this.insertRun.run({
      ...progressParams(state),
      runId: state.runId,
      providerId: state.providerId,
      providerName: state.providerName,
      startedAt: state.startedAt,
      destination: state.destination,
      ownerPid: owner.pid,
      ownerHost: owner.host,
      ownerStart: owner.startToken,
    })
    return new RunRecorder(
      Number(lastInsertRowid),
      snapshot,
      {
        write: (key, current, batch) => this.write(key, current, batch),
        prune: (providerId) => this.prune(providerId),
        onError,
      },
      this.options,
    )
  }

  get(runId: string): RunState | null {
    const row = this.selectRun.get(runId) as RunRow | undefined
    return row ? toState(row) : null
  }

  /**
   * The newest run of each provider (providers deleted since included), and each one's newest
   * backup (completed with a destination) when that is another run; newest first.
   */
  latestPerProvider(): RunState[] {
    return (this.selectLatest.all() as RunRow[]).map(toState)
  }

  /** A provider's runs, newest first. */
  history(providerId: string, limit = this.options.historyMax): RunState[] {
    return (this.selectHistory.all(providerId, limit) as RunRow[]).map(toState)
  }

  /** The newest runs of any provider, or of the given ones. */
  recent(limit: number, providerIds?: readonly string[]): RunState[] {
    if (!providerIds) return (this.selectRecent.all(limit) as RunRow[]).map(toState)
    if (providerIds.length === 0) return []
    const rows = this.db
      .prepare(
        `SELECT ${RUN_COLUMNS} FROM runs WHERE provider_id IN (${providerIds.map(() => '?').join(', ')})
         ORDER BY started_at DESC, key DESC LIMIT ?`,
      )
      .all(...providerIds, limit) as RunRow[]
    return rows.map(toState)
  }

  /**
   * When each provider's last good backup finished: its newest run that completed with no failed
   * file (files unchanged or skipped are fine). Providers without one are absent.
   */
  lastGoodPerProvider(): Map<string, string> {
    const rows = this.db
      .prepare(
        `SELECT provider_id AS providerId, MAX(finished_at) AS at FROM runs
         WHERE status = 'completed' AND failed = 0 GROUP BY provider_id`,
      )
      .all() as Array<{ providerId: string; at: string }>
    return new Map(rows.map((row) => [row.providerId, row.at]))
  }

  /** A provider's runs recorded as running (by any Skwirl process), newest first. */
  running(providerId: string): RunState[] {
    return (
      this.db
        .prepare(
          `SELECT ${RUN_COLUMNS} FROM runs WHERE status = 'running' AND provider_id = ?
           ORDER BY started_at DESC, key DESC`,
        )
        .all(providerId) as RunRow[]
    ).map(toState)
  }

  /** When each provider's newest run started. */
  lastStartPerProvider(): Map<string, string> {
    const rows = this.db
      .prepare(
        `SELECT provider_id AS providerId, MAX(started_at) AS at FROM runs GROUP BY provider_id`,
      )
      .all() as Array<{ providerId: string; at: string }>
    return new Map(rows.map((row) => [row.providerId, row.at]))
  }

  /** Every provider id and name runs were recorded under (a deleted provider's too). */
  providersWithRuns(): Array<{ providerId: string; providerName: string }> {
    return this.db
      .prepare(
        `SELECT provider_id AS providerId, provider_name AS providerName FROM runs
         GROUP BY provider_id, provider_name`,
      )
      .all() as Array<{ providerId: string; providerName: string }>
  }

  /** A page of a run's files; null when there is no such run. */
  files(query: RunFilesQuery): RunFilesPage | null {
    const row = this.selectRun.get(query.runId) as RunRow | undefined
    if (!row) return null
    const kept = row.files_kept === 1
    const totals = {
      all: row.downloaded + row.unchanged + row.skipped + row.failed,
      failed: row.failed,
      skipped: row.skipped,
    }
    const total = kept ? totals[query.filter] : 0
    if (!kept || query.limit === 0 || query.offset >= total) {
      return { total, offset: query.offset, files: [], kept }
    }
    // Positions run from 0 without gaps, so the whole list pages by position (an index lookup).
    const rows =
      query.filter === 'failed'
        ? this.selectFailedFiles.all(row.key, query.limit, query.offset)
        : query.filter === 'skipped'
          ? this.selectSkippedFiles.all(row.key, query.limit, query.offset)
          : this.selectFiles.all(row.key, query.offset, query.limit)
    return { total, offset: query.offset, files: (rows as FileRow[]).map(toFile), kept }
  }

  /** A page of a run's log lines; null when there is no such run. */
  log(query: RunLogQuery): RunLogPage | null {
    const row = this.selectRun.get(query.runId) as RunRow | undefined
    if (!row) return null
    const counts = Object.fromEntries(LOG_LEVELS.map((level) => [level, 0])) as Record<
      LogLevel,
      number
    >
    const kept = row.files_kept === 1
    const empty = {
      total: 0,
      offset: query.offset,
      lines: [],
      counts,
      kept,
      dropped: row.log_dropped,
    }
    if (!kept) return empty
    const levelCounts = this.db
      .prepare('SELECT level, count(*) AS n FROM run_log WHERE run_key = ? GROUP BY level')
      .all(row.key) as Array<{ level: LogLevel; n: number }>
    for (const { level, n } of levelCounts) counts[level] = n
    if (query.levels.length === 0) return empty
    const where = ['run_key = ?']
    const params: Array<string | number> = [row.key]
    if (query.levels.length < LOG_LEVELS.length) {
      where.push(`level IN (${query.levels.map(() => '?').join(', ')})`)
      params.push(...query.levels)
    }
    if (query.search !== '') {
      const text = query.search.toLowerCase()
      where.push(
        `(instr(skwirl_fold(message), ?) > 0 OR instr(skwirl_fold(coalesce(file_id, '')), ?) > 0)`,
      )
      params.push(text, text)
    }
    if (query.fileId !== null) {
      where.push('file_id = ?')
      params.push(query.fileId)
    }
    const clause = where.join(' AND ')
    const { total } = this.db
      .prepare(`SELECT count(*) AS total FROM run_log WHERE ${clause}`)
      .get(...params) as { total: number }
    const rows =
      query.limit === 0 || query.offset >= total
        ? []
        : (this.db
            .prepare(
              `SELECT seq, at, level, stage, file_id, message FROM run_log WHERE ${clause}
               ORDER BY seq LIMIT ? OFFSET ?`,
            )
            .all(...params, query.limit, query.offset) as LogRow[])
    const lines = rows.map((line): RunLogLine => ({
      seq: line.seq,
      at: line.at,
      level: line.level,
      stage: line.stage,
      fileId: line.file_id,
      message: line.message,
      line: providerLine(line.message, row.provider_name),
    }))
    return { total, offset: query.offset, lines, counts, kept, dropped: row.log_dropped }
  }

  /**
   * Marks failed (interrupted) every run left 'running' by a process that is gone; its finish time
   * is its last sign of life. Runs of a live process (the app while the CLI starts, and the other
   * way round) and of another machine are left alone.
   */
  recoverInterrupted(
    liveness: (owner: ProcessOwner) => OwnerLiveness = ownerLiveness,
  ): InterruptedRun[] {
    const interrupted: InterruptedRun[] = []
    this.db
      .transaction(() => {
        for (const row of this.selectRunning.all() as RunRow[]) {
          const owner = { pid: row.owner_pid, host: row.owner_host, startToken: row.owner_start }
          if (liveness(owner) !== 'gone') continue
          this.markInterrupted.run(row.key)
          interrupted.push({
            runId: row.id,
            providerName: row.provider_name,
            ownerPid: row.owner_pid,
          })
        }
      })
      .immediate()
    return interrupted
  }

  private write(key: number, state: RunState, batch: RecordBatch): void {
    this.db.transaction(() => {
      let at = batch.position
      for (const file of batch.files) {
        const m = file.metadata
        this.insertFile.run(
          key,
          at++,
          file.fileId,
          m?.name ?? file.skip?.name ?? null,
          m?.path ?? file.skip?.path ?? null,
          m?.size ?? null,
          m?.checksum ?? null,
          m?.modifiedTime ?? null,
          file.outcome,
          file.failedAt,
          file.skip?.reason ?? null,
          file.verified === null ? null : file.verified ? 1 : 0,
          file.bytes,
        )
      }
      let seq = batch.logPosition
      for (const line of batch.log) {
        this.insertLog.run(key, seq++, line.at, line.level, line.stage, line.fileId, line.message)
      }
      this.updateRun.run({ ...progressParams(state), logDropped: batch.logDropped, key })
    })()
  }

  /**
   * Keeps a provider's newest historyMax runs, and the files of its newest fileListsKept; its last
   * good backup's run stays whatever its age, so that "last good backup" never forgets.
   */
  private prune(providerId: string): void {
    const { historyMax, fileListsKept } = this.options
    const beyond = (offset: number): number[] =>
      (
        this.db
          .prepare(
            `SELECT key FROM runs WHERE provider_id = ? AND status != 'running'
             ORDER BY started_at DESC, key DESC LIMIT -1 OFFSET ?`,
          )
          .all(providerId, offset) as Array<{ key: number }>
      ).map((row) => row.key)
    // Immediate: it reads before it writes, and another Skwirl may write in between (a deferred
    // transaction would then fail at once with SQLITE_BUSY instead of waiting its turn).
    this.db
      .transaction(() => {
        const dropFiles = this.db.prepare('DELETE FROM run_files WHERE run_key = ?')
        const dropLog = this.db.prepare('DELETE FROM run_log WHERE run_key = ?')
        const notKept = this.db.prepare(
          'UPDATE runs SET files_kept = 0 WHERE key = ? AND files_kept = 1',
        )
        for (const key of beyond(fileListsKept)) {
          if (notKept.run(key).changes > 0) {
            dropFiles.run(key)
            dropLog.run(key)
          }
        }
        const lastGood = this.db
          .prepare(
            `SELECT key FROM runs WHERE provider_id = ? AND status = 'completed' AND failed = 0
           ORDER BY finished_at DESC, key DESC LIMIT 1`,
          )
          .get(providerId) as { key: number } | undefined
        const dropRun = this.db.prepare('DELETE FROM runs WHERE key = ?')
        for (const key of beyond(historyMax)) if (key !== lastGood?.key) dropRun.run(key)
      })
      .immediate()
  }
}

/** What one write adds: files from `position`, log lines from `logPosition`. */
interface RecordBatch {
  files: RecordedFile[]
  position: number
  log: RecordedLogLine[]
  logPosition: number
  logDropped: number
}

interface RecorderSink {
  write(key: number, state: RunState, batch: RecordBatch): void
  prune(providerId: string): void
  onError(error: unknown): void
}

/** Keeps one run's record up to date: batched while it runs, at once when it ends. */
export class RunRecorder {
  private pending: RecordedFile[] = []
  /** The position of the next file to write. */
  private written = 0
  private pendingLog: RecordedLogLine[] = []
  /** The seq of the next log line to write, and the lines past the cap. */
  private logWritten = 0
  private logDropped = 0
  private dirty = false
  private lastWrite = Date.now()
  private failing = false
  /** Why the last write failed (kept for when the run ends). */
  private lastError: unknown = null
  private finished = false
  private readonly timer: NodeJS.Timeout

  constructor(
    private readonly key: number,
    private readonly snapshot: () => RunState,
    private readonly sink: RecorderSink,
    private readonly options: Required<RunStoreOptions>,
  ) {
    this.timer = setInterval(() => this.tick(), options.flushEveryMs)
    // The recorder never keeps a process alive: the run's runner does that.
    this.timer.unref()
  }

  /** A file is done. */
  file(file: RecordedFile): void {
    if (this.finished) return
    this.pending.push(file)
    this.dirty = true
    if (this.pending.length >= this.options.batchRows) this.flush()
  }

  /** A line of the run's log; kept up to logLinesKept, counted beyond. */
  log(line: RecordedLogLine): void {
    if (this.finished) return
    this.dirty = true
    if (this.logWritten + this.pendingLog.length >= this.options.logLinesKept) this.logDropped++
    else this.pendingLog.push(line)
  }

  /** The run's counts or phase changed; written with the next batch. */
  changed(): void {
    this.dirty = true
  }

  /** Writes what is queued now (before a read of the record, for one). */
  flush(): void {
    if (this.finished || !this.dirty) return
    this.writeNow()
  }

  /**
   * The run has ended: its final state goes in at once, with every file still queued. Answers
   * why it could not be (the error), or null when the record is complete.
   */
  finish(): unknown {
    if (this.finished) return null
    clearInterval(this.timer)
    this.writeNow()
    this.finished = true
    if (this.failing) return this.lastError ?? new Error('the record could not be written')
    try {
      this.sink.prune(this.snapshot().providerId)
    } catch (error) {
      // The record is whole; only older runs were not pruned this time.
      this.sink.onError(error)
    }
    return null
  }

  private tick(): void {
    if (this.dirty || Date.now() - this.lastWrite >= HEARTBEAT_MS) this.writeNow()
  }

  private writeNow(): void {
    const files = this.pending
    const log = this.pendingLog
    try {
      this.sink.write(this.key, this.snapshot(), {
        files,
        position: this.written,
        log,
        logPosition: this.logWritten,
        logDropped: this.logDropped,
      })
    } catch (error) {
      // Kept for the next try (a database busy with another Skwirl process, a full disk…).
      if (!this.failing) this.sink.onError(error)
      this.failing = true
      this.lastError = error
      return
    }
    this.failing = false
    this.written += files.length
    this.pending = []
    this.logWritten += log.length
    this.pendingLog = []
    this.dirty = false
    this.lastWrite = Date.now()
  }
}
