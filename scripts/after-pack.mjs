// electron-builder's afterPack hook: flips the packaged Electron binary's fuses before it is
// signed, so that the app cannot be turned into a Node.js runtime or pointed at other code.
import { join } from 'node:path'
import { flipFuses, FuseV1Options, FuseVersion } from '@electron/fuses'

/** electron-builder's Arch.arm64. */
const ARM64 = 3

/** The fuses of every Skwirl build (https://www.electronjs.org/docs/latest/tutorial/fuses). */
export const SKWIRL_FUSES = {
  version: FuseVersion.V1,
  // ELECTRON_RUN_AS_NODE would make the signed app a general-purpose Node.js.
  [FuseV1Options.RunAsNode]: false,
  // Cookies on disk are encrypted with the OS's key (the same key safeStorage uses).
  [FuseV1Options.EnableCookieEncryption]: true,
  // NODE_OPTIONS and --inspect would let anyone run code inside the app.
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  // app.asar is checked against the hash recorded at build time (macOS and Windows)...
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  // ...and the app is loaded only from it, not from a folder placed beside it.
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  // The renderer comes from app://, so file:// needs none of its old privileges.
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
}

/**
 * The file that holds the fuses, named as electron-builder names the executable.
 * @param {{ appOutDir: string, electronPlatformName: string,
 *   packager: { executableName?: string, appInfo: { productFilename: string } } }} context
 */
export function packagedElectron(context) {
  const { appOutDir, electronPlatformName, packager } = context
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return join(appOutDir, `${packager.appInfo.productFilename}.app`)
    case 'win32':
      return join(appOutDir, `${packager.appInfo.productFilename}.exe`)
    default:
      return join(appOutDir, packager.executableName ?? packager.appInfo.productFilename)
  }
}

/** @param {Parameters<typeof packagedElectron>[0] & { arch: number }} context */
export default async function afterPack(context) {
  await flipFuses(packagedElectron(context), {
    ...SKWIRL_FUSES,
    // Flipping fuses breaks an arm64 Mac build's ad-hoc signature; re-sign it ad hoc.
    resetAdHocDarwinSignature: context.electronPlatformName === 'darwin' && context.arch === ARM64,
  })
}
