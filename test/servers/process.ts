// A server process a test starts and must end: spawned with its output kept (for the error when
// it does not come up), ready when a probe says so (polled, never slept on), stopped by its pid.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'

export interface ServerProcess {
  readonly pid: number
  /** What it printed so far (stdout and stderr). */
  output(): string
  /** False once it has exited. */
  running(): boolean
  stop(): Promise<void>
}

/** onLine: called with each line the process prints on stdout. */
export function startProcess(
  command: string,
  args: string[],
  onLine?: (line: string) => void,
): ServerProcess {
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let text = ''
  let partial = ''
  const keep = (chunk: Buffer): void => {
    // Enough to say why it failed, never the whole log of a long run.
    text = (text + chunk.toString('utf8')).slice(-20_000)
  }
  child.stdout?.on('data', (chunk: Buffer) => {
    keep(chunk)
    if (!onLine) return
    const lines = (partial + chunk.toString('utf8')).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) onLine(line)
  })
  child.stderr?.on('data', keep)
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
  if (child.pid === undefined) throw new Error(`${command} did not start`)
  const pid = child.pid
  return {
    pid,
    output: () => text,
    running: () => child.exitCode === null && child.signalCode === null,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** Polls probe until it returns a value (not undefined), or fails after timeoutMs with why. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
  describe: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline)
      throw new Error(`${what} did not come up in ${timeoutMs} ms\n${describe()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** A port nobody listens on now (for servers that cannot be told to pick one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** True once something answers HTTP at the URL (any status). */
export async function answers(url: string, method = 'OPTIONS'): Promise<true | undefined> {
  try {
    const response = await fetch(url, { method })
    await response.arrayBuffer()
    return true
  } catch {
    return undefined
  }
}
