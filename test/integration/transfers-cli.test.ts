// Parallel transfers from the command line (issue 15): `provider set NAME --transfers N` keeps the
// provider's number, `run --transfers N` overrides it for one run, and out-of-range numbers are
// refused before anything runs. The built CLI in its own process, against the Drive double.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { makeFiles, startDriveDouble, type DriveDouble } from '../drive-double/server'
import { googleDriveCodeFor, makeDataDir } from '../support/fixtures'
import { killStartedSkwirls, startSkwirl, type Finished } from '../support/cli'

let data: { dir: string; remove: () => void }
const doubles: DriveDouble[] = []

beforeAll(() => {
  data = makeDataDir()
})

afterEach(async () => {
  killStartedSkwirls()
  await Promise.all(doubles.splice(0).map((double) => double.close()))
})

afterAll(() => {
  data.remove()
})

function skwirl(args: string[]): Promise<Finished> {
  return startSkwirl(args, data.dir).finished
}

const TOO_MANY =
  'skwirl: --transfers must be a whole number of files at once, from 1 (one at a time, the default) to 16, got'

describe('--transfers', () => {
  it('keeps a provider’s number, runs that many files at once, and lets one run say otherwise', async () => {
    // Files of several chunks with a pause between chunks: downloads overlap when allowed to.
    const files = makeFiles(12, { minSize: 200_000, maxSize: 300_000, seed: 3 })
    const drive = await startDriveDouble({ files, faults: { downloadDelayMs: 15 } })
    doubles.push(drive)
    const file = join(data.dir, 'drive.lua')
    writeFileSync(file, googleDriveCodeFor(drive.url))
    expect((await skwirl(['provider', 'add', 'Drive', file])).code).toBe(0)

    expect(await skwirl(['provider', 'set', 'Drive', '--transfers', '4'])).toMatchObject({
      code: 0,
      stdout: 'Drive: its runs back up 4 files at a time.\n',
    })
    const json = await skwirl(['provider', 'set', 'Drive', '--transfers', '4', '--json'])
    expect(JSON.parse(json.stdout)).toMatchObject({ options: { transfers: 4 } })

    drive.maxInFlight = 0
    const four = await skwirl(['run', 'Drive', '--json'])
    expect(four.code, four.stderr).toBe(0)
    expect(JSON.parse(four.stdout)).toMatchObject({ status: 'completed', downloaded: 12 })
    expect(drive.maxInFlight).toBeGreaterThanOrEqual(2)
    expect(drive.maxInFlight).toBeLessThanOrEqual(4)

    drive.maxInFlight = 0
    const one = await skwirl(['run', 'Drive', '--transfers', '1', '--json'])
    expect(one.code, one.stderr).toBe(0)
    expect(JSON.parse(one.stdout)).toMatchObject({ status: 'completed', downloaded: 12 })
    expect(drive.maxInFlight).toBe(1)

    // Back to the default: one file at a time.
    expect((await skwirl(['provider', 'set', 'Drive', '--transfers', '1'])).stdout).toBe(
      'Drive: its runs back up one file at a time.\n',
    )
  })

  it('refuses numbers out of range, and --transfers with --due, before anything runs', async () => {
    for (const bad of ['0', '17', '2.5', 'four']) {
      const out = await skwirl(['run', 'nothing.lua', '--transfers', bad])
      expect(out.code, bad).toBe(2)
      expect(out.stderr).toContain(`${TOO_MANY} ${bad}`)
    }
    const set = await skwirl(['provider', 'set', 'Drive', '--transfers', '99'])
    expect(set.code).toBe(2)
    expect(set.stderr).toContain(`${TOO_MANY} 99`)
    const due = await skwirl(['run', '--due', '--transfers', '2'])
    expect(due.code).toBe(2)
    expect(due.stderr).toContain('--transfers are for one provider')

    const help = await skwirl(['run', '--help'])
    expect(help.stdout).toMatch(/--transfers N +How many files at once/)
  })
})
