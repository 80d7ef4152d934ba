// The runner launcher's profiling hook: extra Node flags from SKWIRL_RUNNER_EXEC_ARGV, and a
// profiled runner that is told to go (so it can write its profile) still reports its exit.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { RUNNER_SCRIPT } from '../../../test/support/fixtures'
import type { RunnerToMain } from '../../shared/runner-protocol'
import { childProcessLauncher, runnerExecArgvFromEnv, type RunnerExit } from './runner-process'

describe('runnerExecArgvFromEnv', () => {
  it('splits the flags on white space and ignores an empty or missing value', () => {
    expect(
      runnerExecArgvFromEnv({ SKWIRL_RUNNER_EXEC_ARGV: ' --cpu-prof  --cpu-prof-dir=/tmp/p ' }),
    ).toEqual(['--cpu-prof', '--cpu-prof-dir=/tmp/p'])
    expect(runnerExecArgvFromEnv({ SKWIRL_RUNNER_EXEC_ARGV: '' })).toEqual([])
    expect(runnerExecArgvFromEnv({})).toEqual([])
  })
})

describe('a profiled runner', () => {
  const dirs: string[] = []
  const saved = process.env.SKWIRL_RUNNER_EXEC_ARGV

  afterEach(() => {
    if (saved === undefined) delete process.env.SKWIRL_RUNNER_EXEC_ARGV
    else process.env.SKWIRL_RUNNER_EXEC_ARGV = saved
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })

  it('writes its CPU profile when killed, and its exit is still reported', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skwirl-prof-'))
    dirs.push(dir)
    process.env.SKWIRL_RUNNER_EXEC_ARGV = `--cpu-prof --cpu-prof-dir=${dir}`
    const runner = childProcessLauncher(RUNNER_SCRIPT)({ memoryMb: 256 })
    await new Promise<void>((resolve) =>
      runner.onMessage((message: RunnerToMain) => {
        if (message.type === 'ready') resolve()
      }),
    )
    const exited = new Promise<RunnerExit>((resolve) => runner.onExit(resolve))
    runner.kill()
    expect(await exited).toMatchObject({ code: 0, outOfMemory: false })
    expect(readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'))).toHaveLength(1)
  })
})
