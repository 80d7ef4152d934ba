// A core that keeps a runner started ahead (the desktop app's): real runner processes, the seed's
// provider against the Drive double. Each run gets a process of its own, never one that ran
// anything before, and closing the core ends the spare.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { childProcessLauncher, type RunnerLauncher } from '../../src/main/core/runner-process'
import { makeFiles, startDriveDouble, type DriveDouble } from '../drive-double/server'
import {
  googleDriveCodeFor,
  RUNNER_SCRIPT,
  startTestCore,
  type TestCore,
} from '../support/fixtures'

let drive: DriveDouble
beforeAll(async () => {
  drive = await startDriveDouble({ files: makeFiles(5) })
})
afterAll(async () => {
  await drive.close()
})

/** Whether a process with this pid still exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const WAIT = { timeout: 20_000, interval: 20 }

describe('a spare runner', () => {
  let core: TestCore
  const launched: number[] = []

  beforeAll(() => {
    const launch = childProcessLauncher(RUNNER_SCRIPT)
    const recording: RunnerLauncher = (options) => {
      const runner = launch(options)
      launched.push(runner.pid as number)
      return runner
    }
    core = startTestCore({}, undefined, undefined, undefined, {
      spareRunner: true,
      launchRunner: recording,
    })
  })
  afterAll(async () => {
    await core.dispose()
  })

  it('runs each run in a fresh process started ahead, and ends with the core', async () => {
    // The spare is up before anything asks for it.
    expect(launched.length).toBe(1)
    await core.spareRunnerReady()
    const provider = { id: 'spare', name: 'Drive', code: googleDriveCodeFor(drive.url) }

    const first = await core.runs.start(provider).done
    expect(first).toMatchObject({ status: 'completed', listed: 5, downloaded: 5, failed: 0 })
    // The run took the spare; its process is gone, and the next spare starts after it.
    await vi.waitFor(() => expect(launched, 'the next spare').toHaveLength(2), WAIT)
    expect(alive(launched[0] as number)).toBe(false)
    await core.spareRunnerReady()

    const second = await core.runs.start(provider).done
    expect(second).toMatchObject({ status: 'completed', listed: 5, downloaded: 5, failed: 0 })
    await vi.waitFor(() => expect(launched, 'the third spare').toHaveLength(3), WAIT)
    expect(new Set(launched).size).toBe(3)
    expect(alive(launched[1] as number)).toBe(false)
    const waiting = launched[2] as number
    expect(alive(waiting)).toBe(true)

    await core.close()
    await vi.waitFor(() => expect(alive(waiting), 'the spare ends with the core').toBe(false), WAIT)
    expect(launched.length).toBe(3)
  })
})
