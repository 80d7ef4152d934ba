import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * Where Skwirl keeps its database and logs: SKWIRL_DATA_DIR when set, otherwise the directory
 * Electron's app.getPath('userData') names for an app called "skwirl", so the CLI and browser
 * mode share the desktop app's data.
 */
export function resolveDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SKWIRL_DATA_DIR) return env.SKWIRL_DATA_DIR
  return join(appDataDir(env), 'skwirl')
}

function appDataDir(env: NodeJS.ProcessEnv): string {
  switch (process.platform) {
    case 'win32':
      return env.APPDATA ?? join(homedir(), 'AppData', 'Roaming')
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support')
    default:
      return env.XDG_CONFIG_HOME ?? join(homedir(), '.config')
  }
}
