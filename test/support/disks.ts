// Real disks in trouble for the destination tests: a small tmpfs that fills up, and a folder
// made read-only (a read-only bind mount as root, where chmod would not stop root; chmod
// otherwise). Each answers null where this machine does not allow it, so that the test can use
// an injected fs error instead and still run.
import { execFileSync } from 'node:child_process'
import { chmodSync, writeFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const isRoot = process.getuid?.() === 0
/** SKWIRL_TEST_NO_MOUNT=1 takes the path of a machine that cannot mount (to check it here). */
const mountAllowed = process.env.SKWIRL_TEST_NO_MOUNT !== '1'

function tryRun(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** Mounts a tmpfs of `bytes` on dir; answers its unmount, or null when mounting is not allowed. */
export function mountTmpfs(dir: string, bytes: number): (() => void) | null {
  if (!isRoot || !mountAllowed) return null
  if (!tryRun('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir])) return null
  return () => void tryRun('umount', ['-l', dir])
}

/**
 * Makes dir read-only for this process; answers how to undo it, or null when it cannot (root
 * without the right to mount). Checked with a write, so a null never hides a writable folder.
 */
export function makeReadOnly(dir: string): { how: string; undo: () => void } | null {
  let undo: () => void
  let how: string
  if (isRoot) {
    if (!mountAllowed || !tryRun('mount', ['--bind', dir, dir])) return null
    if (!tryRun('mount', ['-o', 'remount,bind,ro', dir])) {
      tryRun('umount', ['-l', dir])
      return null
    }
    how = 'a read-only bind mount'
    undo = () => void tryRun('umount', ['-l', dir])
  } else {
    chmodSync(dir, 0o555)
    how = 'chmod 555'
    undo = () => chmodSync(dir, 0o755)
  }
  const probe = join(dir, 'probe')
  try {
    writeFileSync(probe, '')
    rmSync(probe, { force: true })
    undo()
    return null
  } catch {
    return { how, undo }
  }
}

/** An fs error as Node raises it, for an injected failure. */
export function fsError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}, write`), {
    code,
    errno: -28,
    syscall: 'write',
  })
}
