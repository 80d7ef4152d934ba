// Starts `skwirl serve` (the real CLI, the real core, real runner processes) on a fresh data
// directory for each test, and stops it afterwards.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { test as base } from '@playwright/test'
import type { Provider } from '../../src/shared/api'
import { openDatabase } from '../../src/main/core/database'
import { ProviderStore } from '../../src/main/core/provider-store'
import { FAST_HTTP_ENV } from '../../test/support/fixtures'

export const REPO_ROOT = resolve(__dirname, '..', '..')
export const SCREENSHOTS_DIR = join(REPO_ROOT, 'artifacts', 'screenshots')

export interface RunningSkwirl {
  /** The address `skwirl serve` printed, token included. */
  url: string
  origin: string
}

export interface SkwirlFixture {
  dataDir: string
  /** Starts the server; providers are added to the database first (through the real store). */
  start(options?: {
    providers?: Array<{ name: string; code: string }>
    env?: NodeJS.ProcessEnv
  }): Promise<RunningSkwirl>
  /** The provider as stored in the database now (what the running server wrote), or null. */
  storedProvider(name: string): Provider | null
  /** Stops the server as Ctrl-C would (the page stays, without anyone to talk to). */
  stop(): Promise<void>
}

export const test = base.extend<{ skwirl: SkwirlFixture }>({
  skwirl: async ({}, use) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'skwirl-e2e-'))
    let child: ChildProcess | null = null
    await use({
      dataDir,
      start: async ({ providers = [], env = {} } = {}) => {
        if (providers.length > 0) {
          const db = openDatabase(dataDir)
          const store = new ProviderStore(db)
          for (const provider of providers) store.create(provider)
          db.close()
        }
        const started = await startServe(dataDir, env)
        child = started.child
        return { url: started.url, origin: new URL(started.url).origin }
      },
      stop: async () => {
        if (child) await stop(child)
      },
      storedProvider: (name) => {
        const db = openDatabase(dataDir)
        try {
          return new ProviderStore(db).findByName(name)
        } finally {
          db.close()
        }
      },
    })
    if (child) await stop(child)
    rmSync(dataDir, { recursive: true, force: true })
  },
})

async function startServe(
  dataDir: string,
  env: NodeJS.ProcessEnv,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'bin', 'skwirl.cjs'), 'serve', '--port', '0'],
    {
      // The machine's keyring is never touched by a test: secrets use a key file in the data dir.
      env: {
        ...process.env,
        SKWIRL_KEYRING: 'off',
        ...FAST_HTTP_ENV,
        ...env,
        SKWIRL_DATA_DIR: dataDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  const url = await new Promise<string>((resolveUrl, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /Skwirl is at (http:\/\/\S+)/.exec(output)
      if (match?.[1]) resolveUrl(match[1])
    })
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('exit', (code) => reject(new Error(`skwirl serve exited with ${code}: ${output}`)))
  })
  return { url, child }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolveStop) => {
    child.once('exit', () => resolveStop())
    child.kill('SIGTERM')
  })
}

export { expect } from '@playwright/test'
