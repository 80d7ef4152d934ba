// Opening the database while another Skwirl holds its write lock: the desktop app and the CLI (or
// a scheduled run) may start at the same moment on a fresh data directory.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { afterEach, describe, expect, it } from 'vitest'
import { DATABASE_FILE, openDatabase } from './database'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/**
 * Another connection, in a thread of its own, that takes the write lock of a fresh database (still
 * in rollback-journal mode), holds it `holdMs`, then commits. Resolves once it holds the lock.
 */
async function holdWriteLock(file: string, holdMs: number): Promise<{ done: Promise<void> }> {
  const worker = new Worker(
    `
    const { parentPort, workerData } = require('node:worker_threads')
    const Database = require(workerData.sqlite)
    const db = new Database(workerData.file)
    db.exec('BEGIN IMMEDIATE')
    db.exec('CREATE TABLE other_skwirl (x)')
    parentPort.postMessage('locked')
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.holdMs)
    db.exec('COMMIT')
    db.close()
    parentPort.postMessage('done')
    `,
    { eval: true, workerData: { file, holdMs, sqlite: require.resolve('better-sqlite3') } },
  )
  const messages: string[] = []
  const waiters: Array<() => void> = []
  worker.on('message', (message: string) => {
    messages.push(message)
    for (const wake of waiters.splice(0)) wake()
  })
  const heard = (message: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => (messages.includes(message) ? resolve() : void waiters.push(check))
      worker.once('error', reject)
      check()
    })
  await heard('locked')
  return { done: heard('done').then(() => worker.terminate().then(() => undefined)) }
}

describe('opening the database', () => {
  it('waits for another Skwirl that holds the write lock of a fresh database, then opens it in WAL mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skwirl-db-'))
    dirs.push(dir)
    // The other's lock is taken while the file is still in rollback-journal mode: switching to
    // WAL then needs to upgrade a read lock, which SQLite refuses at once (SQLITE_BUSY, no
    // busy handler: it could deadlock) rather than wait.
    const other = await holdWriteLock(join(dir, DATABASE_FILE), 300)
    const started = Date.now()
    const db = openDatabase(dir)
    try {
      expect(Date.now() - started).toBeGreaterThanOrEqual(200)
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
      // The other's write is there, and the schema is Skwirl's.
      expect(
        db.prepare("SELECT name FROM sqlite_master WHERE name = 'other_skwirl'").get(),
      ).toEqual({ name: 'other_skwirl' })
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'providers'").get()).toEqual({
        name: 'providers',
      })
    } finally {
      db.close()
      await other.done
    }
  })
})
