// One run writes a destination at a time, whichever Skwirl process runs it (the app, the CLI,
// another window). The lock is the manifest's own SQLite lock (held by the connection, released by
// the system when the process dies, so it is never stale); lock.json beside it only says who
// holds it, so that a run that waits can say what it waits for.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { currentOwner } from '../process-owner'
import { Manifest, ManifestBusyError, MANIFEST_FILE } from './manifest'

export const LOCK_INFO_FILE = 'lock.json'
/** How often a waiting run tries the lock again. */
export const LOCK_POLL_MS = 500

export interface LockHolder {
  pid: number
  host: string
  since: string
  /** What holds it: a backup run of a provider, or a check of the folder (skwirl verify). */
  purpose: 'backup' | 'verify'
  provider: string | null
}

export interface LockOptions {
  /** DIR/.skwirl */
  skwirlDir: string
  purpose: LockHolder['purpose']
  provider: string | null
  /** Called when the lock is busy, with who holds it (again only when that changes). */
  onWaiting?: (holder: string) => void
  /** Aborting gives up waiting (the run was stopped). */
  signal?: AbortSignal
  pollMs?: number
}

/** Opens the manifest with its lock, waiting while another run holds it. */
export async function lockDestination(options: LockOptions): Promise<DestinationLock> {
  const file = join(options.skwirlDir, MANIFEST_FILE)
  let said: string | null = null
  for (;;) {
    options.signal?.throwIfAborted()
    try {
      const manifest = Manifest.open(file)
      return new DestinationLock(manifest, options)
    } catch (error) {
      if (!(error instanceof ManifestBusyError)) throw error
    }
    const holder = describeHolder(readHolder(options.skwirlDir))
    if (holder !== said) {
      said = holder
      options.onWaiting?.(holder)
    }
    await sleep(options.pollMs ?? LOCK_POLL_MS, undefined, { signal: options.signal })
  }
}

export class DestinationLock {
  private readonly infoFile: string

  constructor(
    readonly manifest: Manifest,
    options: LockOptions,
  ) {
    this.infoFile = join(options.skwirlDir, LOCK_INFO_FILE)
    const owner = currentOwner()
    const holder: LockHolder = {
      pid: owner.pid,
      host: owner.host,
      since: new Date().toISOString(),
      purpose: options.purpose,
      provider: options.provider,
    }
    // Written whole (temp + rename): a waiter never reads half of it.
    const temp = `${this.infoFile}.${owner.pid}.tmp`
    try {
      writeFileSync(temp, `${JSON.stringify(holder)}\n`)
      renameSync(temp, this.infoFile)
    } catch {
      // Only a courtesy to waiters: the lock itself is the manifest's.
      rmSync(temp, { force: true })
    }
  }

  release(): void {
    rmSync(this.infoFile, { force: true })
    this.manifest.close()
  }
}

function readHolder(skwirlDir: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(join(skwirlDir, LOCK_INFO_FILE), 'utf8')) as LockHolder
  } catch {
    return null
  }
}

/** "the backup of “Google Drive” (Skwirl, process 4242, since 10:02:11)". */
export function describeHolder(holder: LockHolder | null): string {
  if (!holder) return 'another Skwirl run using this destination'
  const what =
    holder.purpose === 'verify'
      ? 'a check of this backup'
      : holder.provider
        ? `the backup of “${holder.provider}”`
        : 'another backup'
  const since = Number.isNaN(Date.parse(holder.since))
    ? ''
    : `, since ${new Date(holder.since).toLocaleTimeString('en-GB')}`
  const where =
    holder.host === hostname()
      ? `Skwirl process ${holder.pid}`
      : `Skwirl process ${holder.pid} on ${holder.host}`
  return `${what} (${where}${since})`
}
