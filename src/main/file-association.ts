// Opening a .lua file with Skwirl: macOS sends 'open-file' (also for the file that launched the
// app, before it is ready); Windows and Linux start the app with the file as an argument, or
// start a second instance whose arguments the first one receives.
import { app } from 'electron'
import { luaFilesInArgs } from './core/opened-files'

/**
 * Calls `onOpen` with each .lua file the person opens with Skwirl, from now on and from the
 * command line that started it. Call it before the app is ready, in the instance that holds the
 * single-instance lock.
 */
export function watchOpenedLuaFiles(onOpen: (path: string) => void): void {
  app.on('open-file', (event, path) => {
    event.preventDefault()
    onOpen(path)
  })
  app.on('second-instance', (_event, argv, workingDirectory) => {
    for (const path of luaFilesInArgs(argv.slice(1), workingDirectory)) onOpen(path)
  })
  // On macOS a launching file comes as 'open-file', never as an argument.
  if (process.platform !== 'darwin') {
    for (const path of luaFilesInArgs(process.argv.slice(1), process.cwd())) onOpen(path)
  }
}
