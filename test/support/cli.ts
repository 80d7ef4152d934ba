// `skwirl` as a user runs it, for tests: the built CLI through bin/skwirl.cjs in its own process,
// with SKWIRL_DATA_DIR set and no other SKWIRL_ variable of the test's environment.
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { FAST_HTTP_ENV, REPO_ROOT } from './fixtures'

export const SKWIRL_BIN = join(REPO_ROOT, 'bin', 'skwirl.cjs')

export interface Finished {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface Started {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  finished: Promise<Finished>
}

const children = new Set<ChildProcess>()

/** Starts `skwirl …`; `finished` resolves with its exit and everything it wrote. */
export function startSkwirl(
  args: string[],
  dataDir: string,
  env: Record<string, string> = {},
  options: { command?: string; prefix?: string[] } = {},
): Started {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('SKWIRL_')),
  )
  const command = options.command ?? process.execPath
  const child = spawn(command, [...(options.prefix ?? []), SKWIRL_BIN, ...args], {
    cwd: REPO_ROOT,
    // Retries wait milliseconds, not seconds (a test may still set its own timing).
    env: { ...base, ...FAST_HTTP_ENV, SKWIRL_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const finished = new Promise<Finished>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => {
      children.delete(child)
      resolve({ code, signal, stdout, stderr })
    })
  })
  return { child, stdout: () => stdout, stderr: () => stderr, finished }
}

export function skwirl(
  args: string[],
  dataDir: string,
  env: Record<string, string> = {},
): Promise<Finished> {
  return startSkwirl(args, dataDir, env).finished
}

/** Resolves once the process's stderr matches `pattern` (rejects if it exits first). */
export function stderrMatching(run: Started, pattern: RegExp): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const check = (): void => {
      const match = pattern.exec(run.stderr())
      if (match) {
        run.child.stderr?.off('data', check)
        resolve(match[0])
      }
    }
    run.child.stderr?.on('data', check)
    void run.finished.then((out) =>
      reject(new Error(`skwirl exited (${out.code}) before ${pattern}: ${out.stderr}`)),
    )
    check()
  })
}

/** Kills every `skwirl` these helpers started that is still running (for afterEach). */
export function killStartedSkwirls(): void {
  for (const child of children) child.kill('SIGKILL')
  children.clear()
}
