// Start at login on Linux: an XDG autostart entry (Electron's setLoginItemSettings covers only
// macOS and Windows). No electron here: it is tested in plain Node.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'

export const HIDDEN_FLAG = '--hidden'

export function autostartFile(env: NodeJS.ProcessEnv = process.env): string {
  const config = env.XDG_CONFIG_HOME || join(homedir(), '.config')
  return join(config, 'autostart', 'skwirl.desktop')
}

/** One argument of an Exec line, quoted as the Desktop Entry Specification says. */
function quoteExecArg(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg
  return `"${arg.replace(/["`$\\]/g, (c) => `\\${c}`)}"`
}

/** The entry that starts Skwirl, hidden in the tray, when the person logs in. */
export function autostartEntry(command: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Skwirl',
    'Comment=Backups of your cloud files, on their schedules',
    `Exec=${[...command, HIDDEN_FLAG].map(quoteExecArg).join(' ').replace(/%/g, '%%')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n')
}

/** Writes or removes the entry; `command` is how to start this Skwirl (binary and arguments). */
export function setLinuxAutostart(
  enabled: boolean,
  command: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): void {
  const file = autostartFile(env)
  if (!enabled) {
    rmSync(file, { force: true })
    return
  }
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, autostartEntry(command))
}
