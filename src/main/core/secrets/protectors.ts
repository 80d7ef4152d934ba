// What keeps the data key that encrypts Skwirl's secrets: the OS keyring (through
// @napi-rs/keyring), or a key file only the user can read. The desktop shell adds Electron's
// safeStorage (src/main/safe-storage.ts); core never imports electron.
import {
  chmodSync,
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'

export type ProtectorKind = 'safe-storage' | 'keyring' | 'key-file'

/**
 * One way to keep the data key. probe() is the only asynchronous step (a keyring may not
 * answer); the rest is synchronous so that it can run inside one database transaction.
 */
export interface KeyProtector {
  readonly kind: ProtectorKind
  /** What keeps the key, for the screen: "the system keyring (Secret Service)". */
  readonly description: string
  /** null when this protector works in this process; otherwise why it does not. */
  probe(): Promise<string | null>
  /** Keeps the key; answers what the database stores for it (null when the protector holds it). */
  seal(key: Buffer, keyId: string): Buffer | null
  /** The key kept before, or null when it is gone (an entry deleted from the keyring). */
  open(sealed: Buffer | null, keyId: string): Buffer | null
  /** Forgets the key it keeps (best effort). */
  discard(keyId: string): void
}

const KEYRING_SERVICE = 'Skwirl'
const KEYRING_PROBE_MS = 3000

type KeyringModule = typeof import('@napi-rs/keyring')
type KeyringEntry = InstanceType<KeyringModule['Entry']>

/** The OS keyring: macOS Keychain, Windows Credential Manager, Secret Service on Linux. */
export function keyringProtector(env: NodeJS.ProcessEnv = process.env): KeyProtector {
  // Linux: the Secret Service only; the kernel keyring (keyutils) forgets everything on reboot.
  const options = { linux: { store: 'secret-service' as const } }
  let module: KeyringModule | null = null
  const account = (keyId: string): string => `secrets key ${keyId}`
  const entry = (keyId: string): KeyringEntry => {
    if (!module) throw new Error('the keyring was not probed')
    return new module.Entry(KEYRING_SERVICE, account(keyId), options)
  }
  const name =
    process.platform === 'darwin'
      ? 'the macOS Keychain'
      : process.platform === 'win32'
        ? 'the Windows Credential Manager'
        : 'the system keyring (Secret Service)'
  return {
    kind: 'keyring',
    description: name,
    async probe() {
      if (/^(0|off|no|false)$/i.test(env.SKWIRL_KEYRING ?? '')) {
        return 'switched off (SKWIRL_KEYRING=off)'
      }
      try {
        module = await import('@napi-rs/keyring')
        const probe = new module.AsyncEntry(KEYRING_SERVICE, 'probe', options)
        // A keyring that does not answer at all (a bus with no Secret Service) must not hang us.
        await probe.getPassword(AbortSignal.timeout(KEYRING_PROBE_MS))
        return null
      } catch (error) {
        module = null
        return `no keyring answered (${describe(error)})`
      }
    },
    seal(key, keyId) {
      entry(keyId).setPassword(key.toString('base64'))
      return null
    },
    open(_sealed, keyId) {
      const stored = entry(keyId).getPassword()
      return stored === null ? null : Buffer.from(stored, 'base64')
    },
    discard(keyId) {
      try {
        entry(keyId).deletePassword()
      } catch {
        // already gone, or the keyring stopped answering: nothing else to do
      }
    },
  }
}

export const KEY_FILE = 'secret.key'

/**
 * A key file in the data directory, readable only by the user (mode 0600). The weakest
 * protection: anyone who can act as the user can read it, and with it the secrets.
 */
export function keyFileProtector(dataDir: string): KeyProtector {
  const path = join(dataDir, KEY_FILE)
  return {
    kind: 'key-file',
    description: `a key file only you can read (${path})`,
    async probe() {
      return null
    },
    seal(key) {
      // Only called when the database keeps no key: a file left from a database that is gone is
      // set aside, not overwritten (it may belong to a copy of that database somewhere).
      if (existsSync(path)) renameSync(path, `${path}.${Date.now()}.old`)
      // 'wx' and 0600 from the first byte: no moment when another user could read it.
      const fd = openSync(path, 'wx', 0o600)
      try {
        writeSync(fd, `${key.toString('base64')}\n`)
      } finally {
        closeSync(fd)
      }
      if (process.platform !== 'win32') chmodSync(path, 0o600)
      return null
    },
    open() {
      let fd: number
      try {
        fd = openSync(path, 'r')
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
        throw error
      }
      try {
        const mode = fstatSync(fd).mode & 0o777
        if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
          throw new Error(
            `${path} can be read by other users (mode ${mode.toString(8)}); make it yours alone with: chmod 600 '${path}'`,
          )
        }
      } finally {
        closeSync(fd)
      }
      return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64')
    },
    discard() {
      rmSync(path, { force: true })
    },
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
