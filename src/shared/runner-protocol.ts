// Messages between main and a runner process. Every message carries the sender's sequence
// number; a reply names the call it answers. Errors cross as { name, message, stack }.
import type { SerializedError } from './errors'
import type { ProviderDeclaration } from './provider-declaration'

export type Stage = 'load' | 'list' | 'metadata' | 'download'

export interface RunnerLimits {
  /** CPU time a script may spend without calling the host before it is stopped. */
  cpuMs: number
  /** Wall-clock time main waits for a runner that neither calls nor reports before killing it. */
  watchdogMs: number
  /** The runner's memory cap (V8 heap and resident size). */
  memoryMb: number
  /** A response or stream silent for this long fails. */
  httpSilenceMs: number
  /**
   * An HTTP host call not finished after this long fails, however steadily its data trickles
   * (a download gets 10 s more per MiB its metadata promised; a call may set its own timeout).
   */
  httpDeadlineMs: number
}

export const DEFAULT_LIMITS: RunnerLimits = {
  cpuMs: 10_000,
  watchdogMs: 15_000,
  memoryMb: 512,
  httpSilenceMs: 60_000,
  httpDeadlineMs: 300_000,
}

/**
 * How a run with a destination learns whether to download each file (each saves the file.plan
 * round trip where it can; the answers are the same):
 * - 'ask': a file.plan call for every file.
 * - 'hints': file.hints calls fetch, a block of ids ahead, the keys of the files the manifest
 *   holds with their copies in place; a file whose metadata has its key is unchanged without a
 *   call, the others ask file.plan.
 * - 'fresh': the destination held nothing when the run began: every file is downloaded; its
 *   metadata goes to main with file-metadata (no reply awaited), in listing order.
 */
export type PlanMode = 'ask' | 'hints' | 'fresh'

/**
 * What must be the same for a file to be unchanged without asking main: its path, name, size,
 * checksum and modified time (a file whose size is not known in advance always asks).
 */
export function unchangedKey(file: {
  path: string
  name: string
  size: number | null
  checksum: string | null
  modifiedTime: string
}): string | null {
  if (file.size === null) return null
  return JSON.stringify([file.path, file.name, file.size, file.checksum ?? '', file.modifiedTime])
}

export interface FileMetadata {
  name: string
  path: string
  /** null: not known in advance (an export); the download is kept unverified. */
  checksum: string | null
  /** null: not known in advance; the download's length is then not checked. */
  size: number | null
  modifiedTime: string
}

/** A sign-in a provider names on a call (`auth = "oauth"`): main adds its header. */
export type AuthName = 'oauth'
export const AUTH_NAMES: readonly AuthName[] = ['oauth']

/** What get_file_metadata or download_file says about a file that is not to be backed up. */
export interface SkipNotice {
  reason: string
  /** Shown in the run's record when the provider gave them. */
  name: string | null
  path: string | null
}

/**
 * A provider's HTTP policy, from `http.configure { … }`: how its requests are paced and retried
 * (any field left out keeps Skwirl's default). Times in ms.
 */
export interface DeclaredHttpPolicy {
  minIntervalMs?: number
  burst?: number
  attempts?: number
  backoffBaseMs?: number
  backoffMaxMs?: number
  retryAfterMaxMs?: number
  retryStatuses?: number[]
  rateLimitReasons?: string[]
}

/** What a download promised (from the metadata); main checks the bytes it streams against it. */
export interface ExpectedDownload {
  size: number | null
  checksum: string | null
}

export type HostCall =
  | {
      method: 'http.get'
      url: string
      headers: Record<string, string>
      params: Record<string, string>
      auth: AuthName | null
      /** false: one try only (transient failures are retried by default). */
      retry?: boolean
      /** The provider's own deadline for this call (its `timeout`), instead of the run's. */
      timeoutMs?: number
    }
  | {
      method: 'download_url'
      url: string
      headers: Record<string, string>
      auth: AuthName | null
      /** What the metadata promised, so main can check the bytes it streams. */
      expected: ExpectedDownload | null
      retry?: boolean
      timeoutMs?: number
    }
  | {
      method: 'http.request'
      /** The HTTP method, upper case (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS…). */
      verb: string
      url: string
      headers: Record<string, string>
      params: Record<string, string>
      body: Uint8Array | null
      auth: AuthName | null
      /** Retried when transient: by default only for idempotent verbs (GET, PUT, DELETE…). */
      retry?: boolean
      timeoutMs?: number
    }
  /**
   * The workflow (not the provider) asks, after a file's metadata, whether to download it: a run
   * with a destination skips files its copy already matches.
   */
  | { method: 'file.plan'; fileId: string; metadata: FileMetadata }
  /**
   * planMode 'hints': what the destination's manifest says of a block of upcoming files, so that
   * the workflow needs no file.plan for those it keeps unchanged (see PlanMode).
   */
  | { method: 'file.hints'; fileIds: string[] }
  /** A secret setting's value, asked for when the code reads it (plain ones come with start). */
  | { method: 'setting'; key: string }
  | { method: 'storage.get'; key: string }
  /**
   * aws.sign: a request to sign with SigV4 in main, where the keys are read from the provider's
   * settings (the secret key never crosses into the runner).
   */
  | {
      method: 'aws.sign'
      verb: string
      url: string
      headers: Record<string, string>
      params: Record<string, string>
      body: Uint8Array | null
      /** The payload's SHA-256 as the provider gives it (for example UNSIGNED-PAYLOAD). */
      payloadHash: string | null
      region: string
      service: string
      accessKey: string | null
      accessKeySetting: string | null
      secretKeySetting: string
      /** The signing time in seconds since 1970 (tests); null for now. */
      time: number | null
    }
  /** value: the JSON text of what the provider stores (the runner encodes it). */
  | { method: 'storage.set'; key: string; value: string }
  | { method: 'storage.delete'; key: string }

/** What a host call answers; bodies are decoded by the runner. */
export type HostReply =
  | { method: 'http.get'; contentType: string; body: string }
  /** verified: the bytes matched an MD5 from the metadata. */
  | { method: 'download_url'; bytes: number; verified: boolean }
  | {
      method: 'http.request'
      status: number
      /** Response headers, names in lower case. */
      headers: Record<string, string>
      body: Uint8Array
    }
  /** download false: the file is unchanged, download_file is not called. */
  | { method: 'file.plan'; download: boolean }
  /**
   * One key per asked id (same order): the file is unchanged, its copy in place, when its
   * metadata's unchangedKey() is this key; null: ask file.plan for it.
   */
  | { method: 'file.hints'; keys: Array<string | null> }
  /** value: the stored JSON text, or null when the key holds nothing. */
  | { method: 'setting'; value: string | null }
  | { method: 'storage.get'; value: string | null }
  | { method: 'storage.set' }
  | { method: 'storage.delete' }
  /** The request as signed: its URL in canonical form, the headers with Authorization. */
  | { method: 'aws.sign'; url: string; headers: Record<string, string> }

/**
 * skwirl.storage's limits, in bytes of UTF-8: a key, one value as JSON, and all of one provider's
 * keys and values together. The runner checks them to fail early; main enforces them.
 */
export const STORAGE_LIMITS = {
  keyBytes: 256,
  valueBytes: 64 * 1024,
  providerBytes: 1024 * 1024,
} as const

export interface CallContext {
  stage: Stage
  fileId: string | null
}

export interface FileResult {
  fileId: string
  outcome: 'downloaded' | 'unchanged' | 'skipped' | 'failed'
  metadata: FileMetadata | null
  bytes: number
  /** A downloaded file's bytes matched the metadata's MD5 (false: kept unverified). */
  verified: boolean
  /** Why a skipped file is not backed up (the provider's words). */
  skip: SkipNotice | null
  /** Where it failed and why; for the log only. */
  error: { stage: Stage; message: string } | null
}

import type { LogLevel } from './api'
export type { LogLevel }

/** What a test reports as it goes, beside its log lines and host calls. */
export type TestStep =
  | { step: 'listed'; count: number; stoppedAtLimit: boolean; ids: string[]; duplicates: number }
  | { step: 'metadata'; fileId: string; inspected: string; problem: string | null }
  | { step: 'download'; fileId: string; ok: boolean }
  /** print's text or a log line (a test keeps them apart from the run's log). */
  | {
      step: 'output'
      source: 'print' | 'log' | 'skwirl'
      level: LogLevel
      text: string
      context: CallContext
    }
  /** A file's step failed (the test goes on with the next step). */
  | { step: 'error'; stage: Stage; fileId: string | null; message: string }

export type RunnerToMain =
  | { seq: number; type: 'ready' }
  | { seq: number; type: 'call'; call: HostCall; context: CallContext }
  /**
   * Ids the listing emitted since the last such message (duplicates left out): how many, and the
   * ids themselves when main needs them (a run with a destination notes what the source holds).
   */
  | { seq: number; type: 'ids'; count: number; ids: string[] | null }
  | { seq: number; type: 'listed'; count: number }
  /** The provider declared how its requests are paced and retried (http.configure). */
  | { seq: number; type: 'http-policy'; policy: DeclaredHttpPolicy }
  /**
   * The file's metadata is known: main shows its name while it downloads. With `metadata`
   * (planMode 'fresh'), the file is to be downloaded without a file.plan: main plans where it
   * goes now, and its download_url waits for that plan.
   */
  | {
      seq: number
      type: 'file-metadata'
      fileId: string
      name: string
      size: number | null
      metadata?: FileMetadata
    }
  | { seq: number; type: 'file'; result: FileResult }
  | { seq: number; type: 'log'; level: LogLevel; message: string; context: CallContext | null }
  /** skwirl.declare was called (and its table checked): in a run, and when main asks. */
  | { seq: number; type: 'declared'; declaration: ProviderDeclaration }
  /** A test's step (main's test run): the listing, a file's metadata, the download. */
  | { seq: number; type: 'test-step'; step: TestStep }
  /** The chunk ran to its end (or failed: error) while main reads the declaration. */
  | { seq: number; type: 'declare-done'; error: string | null }
  | {
      seq: number
      type: 'done'
      status: 'completed' | 'failed'
      error: { stage: Stage; message: string } | null
    }

/** A runner's message before it is numbered: what its workflows hand to `send`. */
export type RunnerOutgoing = RunnerToMain extends infer M
  ? M extends { seq: number }
    ? Omit<M, 'seq'>
    : never
  : never

/**
 * What crosses the channel from a runner: one message, or several in their order (the runner
 * sends the messages main only notes together with the next one it must act on).
 */
export type RunnerWire = RunnerToMain | RunnerToMain[]

/** Hands each message a runner wrote to the listener, in order. */
export function eachRunnerMessage(
  wire: RunnerWire,
  listener: (message: RunnerToMain) => void,
): void {
  if (!Array.isArray(wire)) return listener(wire)
  for (const message of wire) listener(message)
}

export type MainToRunner =
  | {
      seq: number
      type: 'start'
      runId: string
      providerName: string
      code: string
      limits: RunnerLimits
      /** Ask main ('file.plan') before each download: the run has a destination. */
      planDownloads: boolean
      /** With planDownloads, how the workflow learns each file's plan ('ask' when absent). */
      planMode?: PlanMode
      /** The provider's stored settings that are not secret, by key. */
      settings: Record<string, string>
      /**
       * How many files go through metadata → download at once (1 to TRANSFERS_MAX), each in its
       * own coroutine; 1 is the seed's rule, one file at a time.
       */
      transfers: number
    }
  /**
   * A test (the editor's Test, `skwirl test`): list until `listLimit` ids, the metadata of the
   * first `metadataFiles`, one download; reported as test-step messages, then done.
   */
  | {
      seq: number
      type: 'test'
      providerName: string
      code: string
      limits: RunnerLimits
      settings: Record<string, string>
      listLimit: number
      metadataFiles: number
    }
  /**
   * Run the chunk only to read what it declares (skwirl.declare): no provider function is called
   * and every host call is refused.
   */
  | {
      seq: number
      type: 'declare'
      providerName: string
      code: string
      limits: RunnerLimits
    }
  | { seq: number; type: 'reply'; replyTo: number; ok: true; value: HostReply }
  | { seq: number; type: 'reply'; replyTo: number; ok: false; error: SerializedError }
