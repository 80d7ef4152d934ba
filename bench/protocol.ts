// What the bench's processes say to each other: the orchestrator (bench/main.ts), the Drive
// double's process (bench/double-process.ts) and the Skwirl host (bench/skwirl-host.ts).
import { readFileSync } from 'node:fs'

/** The files the double serves: `count` generated files of minSize..maxSize bytes. */
export interface FileSetSpec {
  count: number
  minSize: number
  maxSize: number
  /** Compute (and cache) every MD5 before any timed run; listings never need them. */
  md5: boolean
  /** Answer every request after this many ms (a real API's latency); 0 or absent: at once. */
  latencyMs?: number
}

/**
 * A whole drive (test/drive-double/tree.ts's makeDrive: nested folders, shared drives, Docs,
 * shortcuts…), on a healthy Drive or a busy one (transient faults and a per-minute quota).
 */
export interface DriveSpec {
  items: number
  seed: number
  /** A share of requests fails as a busy Drive fails (0: none). */
  faultRate: number
  /** Requests admitted a minute (null: no quota). */
  quotaPerMinute: number | null
}

/** What a complete backup of that drive holds (the oracle's counts). */
export interface DriveExpected {
  items: number
  downloaded: number
  skipped: number
}

export type ToDouble =
  | { type: 'load'; files: FileSetSpec }
  | { type: 'load-drive'; drive: DriveSpec }
  | { type: 'reset' }
  | { type: 'stats' }

export interface DoubleStats {
  /** Requests since the last reset. */
  count: number
  /** SHA-1 over "METHOD path?query" of each request in order (pageToken values blanked). */
  digest: string
  /** The same for the listing requests alone (files.list). */
  listCount: number
  listDigest: string
  /** Arrival of the first request since the reset, in ms on the machine's monotonic clock. */
  firstAt: number | null
  /** Requests answered by an injected fault or the quota since the reset, by kind. */
  injected: Record<string, number>
  /** Downloads (alt=media) and exports since the reset. */
  downloads: number
}

export type FromDouble =
  | { type: 'listening'; url: string }
  | { type: 'loaded'; files: number; bytes: number }
  | ({ type: 'drive-loaded' } & DriveExpected)
  | { type: 'reset' }
  | ({ type: 'stats' } & DoubleStats)

/** What the Skwirl host is asked to do with one run of the shipped Google Drive provider. */
export interface HostTask {
  url: string
  /** 'workflow' runs to the end; 'list' cancels the run once list_file_ids has finished. */
  mode: 'workflow' | 'list'
  /** 'stand-in': bench/stand-in-runner.ts (the same messages, no Lua) instead of the real runner. */
  runner?: 'real' | 'stand-in'
  /** Also time `node -e 0` forked the way the runner is (the start-up scenario's baseline). */
  nodeBaseline?: boolean
  /** Keep the files in this folder (a run with a destination). */
  destination?: string
  /**
   * 'seed' (the default): the seed's provider, its token in the code. 'shipped': the shipped
   * provider with its settings' defaults, the double's token in place of its sign-in.
   * 'seed-page': the seed's text with its listing loop replaced by one skwirl.emit_file_ids
   * call per page (bench/seed-page.ts).
   */
  provider?: 'seed' | 'seed-page' | 'shipped'
  /**
   * The shipped provider without its pace (http.configure's 5.2 ms between requests): on
   * loopback the pace, not Skwirl, would set the time of a run that downloads.
   */
  unpaced?: boolean
  /** Files at a time (issue 15's transfers); absent: the default, one. */
  transfers?: number
  /**
   * The core keeps a runner started ahead (as the desktop app does): Execute comes once it is
   * ready, as it does in an app that sat idle before the click.
   */
  spareRunner?: boolean
}

export interface HostResult {
  status: string
  listed: number
  downloaded: number
  unchanged: number
  skipped: number
  failed: number
  bytes: number
  retries: number
  errors: string[]
  /** Execute (RunManager.start) → the run's end (or, in 'list' mode, the 'listed' message). */
  elapsedMs: number
  /** Monotonic-clock ms of Execute, to compare with the double's first arrival. */
  startedAt: number
  /** Execute → the runner's 'ready' message. */
  readyMs: number | null
  /** Execute → the first host call reaching main (the runner's start, with the provider's load). */
  firstCallMs?: number | null
  /** The download_url call reaching main → the file's result (the last download, if several). */
  downloadMs: number | null
  /** Peak resident memory (VmHWM) of this process (main) and of the runner, in bytes. */
  mainPeakBytes: number
  /**
   * The most main's JavaScript heap held right after a full collection during the run: what it
   * kept, without the garbage V8 lets pile up between collections (which the peak includes).
   */
  mainLiveHeapBytes: number
  runnerPeakBytes: number | null
  /** Host calls answered; the time main spent answering them (the HTTP work, call in → reply
   * out); and the time from each reply out to the runner's next call in (IPC both ways + Lua). */
  calls: number
  answeringMs: number
  betweenCallsMs: number
  /** CPU time (user + system) of the host process (main) and of the runner, for the run. */
  mainCpuMs?: number
  runnerCpuMs?: number | null
  /** `node -e 0`, spawned with the runner's options, from spawn to exit. */
  nodeMs?: number
}

/** Milliseconds on the monotonic clock every process on this machine shares (CLOCK_MONOTONIC). */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6
}

/** A process's peak resident set (VmHWM) in bytes, or null when it cannot be read. */
export function peakResidentBytes(pid: number | 'self'): number | null {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) * 1024 : null
  } catch {
    return null
  }
}
