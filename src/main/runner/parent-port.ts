// The runner's one link to main: Electron's parentPort in a utility process, Node's IPC channel
// when forked by child_process (CLI, browser mode, tests).
import type { MainToRunner, RunnerWire } from '../../shared/runner-protocol'

export interface ParentPort {
  send(message: RunnerWire): void
  onMessage(listener: (message: MainToRunner) => void): void
}

interface ElectronParentPort {
  postMessage(message: unknown): void
  on(event: 'message', listener: (event: { data: unknown }) => void): void
}

export function connectToParent(): ParentPort {
  const electronPort = (process as NodeJS.Process & { parentPort?: ElectronParentPort }).parentPort
  if (electronPort) {
    return {
      send: (message) => electronPort.postMessage(message),
      onMessage: (listener) =>
        electronPort.on('message', (event) => listener(event.data as MainToRunner)),
    }
  }
  const send = process.send?.bind(process)
  if (!send) throw new Error('The Skwirl runner must be started by Skwirl, not on its own.')
  // Without a parent there is nobody to answer host calls: leave at once.
  process.on('disconnect', () => process.exit(0))
  return {
    send: (message) => void send(message),
    onMessage: (listener) => process.on('message', (message) => listener(message as MainToRunner)),
  }
}
