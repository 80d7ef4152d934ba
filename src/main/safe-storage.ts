// The desktop app's protection for the key that encrypts secrets: Electron's safeStorage (the
// macOS Keychain, Windows DPAPI, the Secret Service or KWallet on Linux). The only place besides
// the shell that imports electron; core sees a KeyProtector.
import { safeStorage } from 'electron'
import type { KeyProtector } from './core/secrets'

const BACKENDS: Record<string, string> = {
  gnome_libsecret: 'the GNOME keyring',
  kwallet: 'KWallet',
  kwallet5: 'KWallet',
  kwallet6: 'KWallet',
}

function describeBackend(): string {
  if (process.platform === 'darwin') return 'the macOS Keychain (Electron safeStorage)'
  if (process.platform === 'win32') return 'Windows DPAPI (Electron safeStorage)'
  const backend = safeStorage.getSelectedStorageBackend?.() ?? 'unknown'
  return `${BACKENDS[backend] ?? backend} (Electron safeStorage)`
}

export function safeStorageProtector(): KeyProtector {
  return {
    kind: 'safe-storage',
    get description() {
      return describeBackend()
    },
    async probe() {
      if (!safeStorage.isEncryptionAvailable()) return 'Electron safeStorage is not available'
      // On Linux without a keyring, Electron falls back to a key written in its own source.
      if (
        process.platform === 'linux' &&
        safeStorage.getSelectedStorageBackend() === 'basic_text'
      ) {
        return 'no keyring answered Electron (it would use a fixed, well-known key)'
      }
      return null
    },
    seal(key) {
      return safeStorage.encryptString(key.toString('base64'))
    },
    open(sealed) {
      if (!sealed) return null
      return Buffer.from(safeStorage.decryptString(sealed), 'base64')
    },
    discard() {
      // The sealed key lives in the database row, which the vault removes.
    },
  }
}
