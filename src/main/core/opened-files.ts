// .lua files the person opened with Skwirl (double-click, "Open With", a file dropped on the
// icon): the shell hands over their paths, the renderer takes them and opens each in the editor
// as a new provider, as Import… does. No electron here: the shell feeds it.
import { basename, isAbsolute, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { OpenedProviderFile } from '../../shared/api'
import { ProviderFileError } from '../../shared/provider-rules'
import { readProviderFile } from './provider-files'

/** How many opened files wait at most; an opened file beyond that pushes out the oldest. */
const MAX_WAITING = 20

/**
 * The .lua files named in a command line (Windows and Linux pass an opened file as an argument;
 * Linux desktop files may pass it as a file:// URL). Switches and anything else are left out.
 */
export function luaFilesInArgs(args: readonly string[], cwd: string): string[] {
  const files: string[] = []
  for (const arg of args) {
    if (arg.startsWith('-')) continue
    let path = arg
    if (/^file:\/\//i.test(arg)) {
      try {
        path = fileURLToPath(arg)
      } catch {
        continue
      }
    }
    if (!/\.lua$/i.test(path)) continue
    files.push(isAbsolute(path) ? path : resolve(cwd, path))
  }
  return files
}

/** The opened files that wait for the window, each read when it was opened. */
export class OpenedFiles {
  private waiting: OpenedProviderFile[] = []

  /** Reads the file now (as the person sees it when they open it) and keeps it for take(). */
  add(path: string): OpenedProviderFile {
    const fileName = basename(path)
    let opened: OpenedProviderFile
    try {
      opened = { fileName, provider: readProviderFile(path), error: null }
    } catch (error) {
      const message = error instanceof ProviderFileError ? error.message : String(error)
      opened = { fileName, provider: null, error: message }
    }
    this.waiting.push(opened)
    if (this.waiting.length > MAX_WAITING) this.waiting.shift()
    return opened
  }

  /** Everything opened since the last take, oldest first; each file is handed out once. */
  take(): OpenedProviderFile[] {
    const taken = this.waiting
    this.waiting = []
    return taken
  }
}
