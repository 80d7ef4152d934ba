// The afterPack hook flips the fuses in the packaged Electron binary, for each platform's layout.
// The binary here is a stand-in with a real fuse wire (@electron/fuses finds and reads it).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { FuseState, FuseV1Options, getCurrentFuseWire } from '@electron/fuses'
import { afterEach, describe, expect, it } from 'vitest'
import afterPack, { packagedElectron } from '../../scripts/after-pack.mjs'

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'
const WIRE_LENGTH = 9
const X64 = 1

let dir = ''
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** Bytes around a version-1 fuse wire whose fuses all start as Electron ships them: enabled. */
function writeStandInBinary(path: string): void {
  mkdirSync(dirname(path), { recursive: true })
  const wire = Buffer.concat([
    Buffer.from('\x7fELF padding before '),
    Buffer.from(SENTINEL),
    Buffer.from([1, WIRE_LENGTH]),
    Buffer.alloc(WIRE_LENGTH, FuseState.ENABLE),
    Buffer.from(' and after'),
  ])
  writeFileSync(path, wire)
}

const packager = { executableName: 'skwirl', appInfo: { productFilename: 'Skwirl' } }

describe('the afterPack hook', () => {
  it.each([
    ['linux', 'skwirl'],
    ['win32', 'Skwirl.exe'],
    ['darwin', 'Skwirl.app/Contents/Frameworks/Electron Framework.framework/Electron Framework'],
  ])('on %s flips the fuses of %s', async (electronPlatformName, binaryPath) => {
    dir = mkdtempSync(join(tmpdir(), 'skwirl-fuses-'))
    writeStandInBinary(join(dir, binaryPath))
    const context = { appOutDir: dir, electronPlatformName, arch: X64, packager }
    await afterPack(context)
    const fuses = await getCurrentFuseWire(packagedElectron(context))
    expect(fuses[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE)
    expect(fuses[FuseV1Options.EnableCookieEncryption]).toBe(FuseState.ENABLE)
    expect(fuses[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE)
    expect(fuses[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE)
    expect(fuses[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FuseState.ENABLE)
    expect(fuses[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE)
    expect(fuses[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(FuseState.DISABLE)
    // A fuse Skwirl leaves alone stays as Electron ships it.
    expect(fuses[FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]).toBe(FuseState.ENABLE)
  })
})
