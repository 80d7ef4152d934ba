// A runner never outlives the Skwirl process that started it: kill `skwirl run` with SIGKILL
// while its runner is stuck in a pattern match (its main thread busy, its watchdog gone with the
// parent) and the runner ends within seconds by itself.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { killStartedSkwirls, startSkwirl } from '../support/cli'
import { makeDataDir } from '../support/fixtures'

/** Runners found by a test, killed afterwards if they are still there (they should not be). */
const runners = new Set<number>()
const cleanups: Array<() => void> = []

afterEach(() => {
  killStartedSkwirls()
  for (const pid of runners) {
    if (alive(pid)) process.kill(pid, 'SIGKILL')
  }
  runners.clear()
  while (cleanups.length > 0) cleanups.pop()?.()
})

function alive(pid: number): boolean {
  try {
    // A zombie (dead, not yet reaped by its new parent) counts as gone.
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

/** The pids whose parent is `parent` and whose command line mentions `marker`. */
function childrenOf(parent: number, marker: string): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid !== parent) continue
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) found.push(Number(entry))
    } catch {
      // gone meanwhile
    }
  }
  return found
}

const STUCK = `
function list_file_ids()
  print("stuck now")
  string.find(string.rep("a", 40), string.rep("a*", 20) .. "b")
end
function get_file_metadata() end
function download_file() end
`

// Reads /proc to find the runner; the mechanism itself is portable (the runner polls its
// parent's pid from a thread of its own).
describe.runIf(process.platform === 'linux')('a runner whose parent is killed', () => {
  it('ends within seconds, even stuck in a pattern match', async () => {
    const data = makeDataDir()
    cleanups.push(data.remove)
    const file = join(data.dir, 'stuck.lua')
    writeFileSync(file, STUCK)
    // Limits far away: nothing but the parent's death may end this runner.
    const run = startSkwirl(['run', file], data.dir, {
      SKWIRL_LIMIT_CPU_MS: '600000',
      SKWIRL_LIMIT_WATCHDOG_MS: '600000',
    })
    const cli = run.child.pid as number
    let runner: number | undefined
    await expect
      .poll(() => (runner = childrenOf(cli, 'runner.js')[0]), { timeout: 20_000 })
      .toBeDefined()
    runners.add(runner as number)
    const log = join(data.dir, 'logs', 'main.log')
    await expect
      .poll(
        () => {
          try {
            return readFileSync(log, 'utf8')
          } catch {
            return ''
          }
        },
        { timeout: 20_000 },
      )
      .toContain('print: stuck now')

    run.child.kill('SIGKILL')
    await run.finished
    const killedAt = Date.now()
    await expect.poll(() => alive(runner as number), { timeout: 15_000 }).toBe(false)
    // The watch looks twice a second; a busy machine may take a few seconds more.
    expect(Date.now() - killedAt).toBeLessThan(15_000)
  })
})
