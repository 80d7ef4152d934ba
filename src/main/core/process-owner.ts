// Which process owns a running run, and whether that process is still there. The desktop app and
// the CLI may share one database, so a run left `running` is only interrupted if its owner is gone.
import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'

export interface ProcessOwner {
  pid: number
  host: string
  /**
   * What tells this process from a later one given the same pid: on Linux the boot id and the
   * process's start time; null where the system does not say.
   */
  startToken: string | null
}

export type OwnerLiveness = 'alive' | 'gone' | 'unknown'

export function currentOwner(): ProcessOwner {
  return { pid: process.pid, host: hostname(), startToken: startTokenOf(process.pid) }
}

/** 'unknown' for a process on another machine (a data directory on a shared drive). */
export function ownerLiveness(owner: ProcessOwner): OwnerLiveness {
  if (owner.host !== hostname()) return 'unknown'
  if (owner.pid === process.pid) {
    return owner.startToken === null || owner.startToken === startTokenOf(process.pid)
      ? 'alive'
      : 'gone'
  }
  try {
    process.kill(owner.pid, 0)
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return 'gone'
  }
  if (owner.startToken === null) return 'alive'
  const now = startTokenOf(owner.pid)
  // The pid exists but started at another time (or boot): a new process reused it.
  return now === null || now === owner.startToken ? 'alive' : 'gone'
}

let bootId: string | null | undefined

function startTokenOf(pid: number): string | null {
  if (process.platform !== 'linux') return null
  try {
    bootId ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces and parentheses); starttime is the 22nd.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const started = fields[19]
    return started ? `${bootId}/${started}` : null
  } catch {
    return null
  }
}
