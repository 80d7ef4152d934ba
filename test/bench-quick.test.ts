// `npm run bench -- --quick` still works: the bench builds, runs every scenario at small sizes
// against the real runner, and reports a number for every figure. No timing thresholds here:
// shared machines are noisy, and the figures are the full bench's business.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, expect, it } from 'vitest'
import type { BenchReport } from '../bench/report'
import { SCENARIOS } from '../bench/report'
import { hasCommand } from '../bench/processes'
import { REPO_ROOT } from './support/fixtures'

const run = promisify(execFile)
const require = createRequire(import.meta.url)
const VITE = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js')
const work = mkdtempSync(join(tmpdir(), 'skwirl-bench-quick-'))

afterAll(() => rmSync(work, { recursive: true, force: true }))

/** The figures each scenario must report as numbers (those needing curl or lua5.4 only if installed). */
const REQUIRED: Record<(typeof SCENARIOS)[number], string[]> = {
  small: [
    'skwirlFilesPerS',
    'baselineFilesPerS',
    'ratio',
    'standInFilesPerS',
    'runnerRoundTripUs',
    'ceilingRatio',
    'skwirlMainPeakMb',
  ],
  listing: ['skwirlMs', 'baselineMs', 'ratio', 'runnerPeakMb', 'mainPeakMb'],
  bigFile: [
    'skwirlMiBPerS',
    'baselineMiBPerS',
    'baselineWithoutMd5MiBPerS',
    'ratio',
    'mainPeakMbSmall',
    'mainPeakMbBig',
    'runnerPeakMbSmall',
    'runnerPeakMbBig',
    'intoFolderMiBPerS',
    'baselineIntoFolderMiBPerS',
    'intoFolderRatio',
    'intoFolderMainPeakMbBig',
    ...(hasCommand('curl') ? ['curlMiBPerS'] : []),
  ],
  startup: ['skwirlMs', 'nodeMs', 'ratio', 'executeToReadyMs'],
  destination: [
    'skwirlFilesPerS',
    'baselineFilesPerS',
    'ratio',
    'secondRunSpeedup',
    'shippedSecondRunSpeedup',
    'mainPeakMbSmall',
    'mainPeakMbBig',
  ],
  lua: [
    'fengariSandboxMs',
    'fengariPlainMs',
    ...(hasCommand('lua5.4') ? ['lua54Ms', 'ratio'] : []),
  ],
  webdav: [
    'skwirlFilesPerS1',
    'rcloneFilesPerS1',
    'ratio1',
    'skwirlFilesPerS4',
    'rcloneFilesPerS4',
    'ratio4',
  ],
  transfers: [
    'skwirl1Ms',
    'baseline1Ms',
    'ratio1',
    'skwirl8Ms',
    'baseline8Ms',
    'ratio8',
    'speedup',
  ],
  scale: [
    'runnerUsPerFileSmall',
    'runnerUsPerFileBig',
    'ratio',
    'runnerPeakMbBig',
    'listingMainPeakMb',
  ],
  drive: [
    'items',
    'busyMs',
    'healthyMs',
    'ratio',
    'requestsPerItem',
    'quotaFloorMs',
    'listRunnerPeakMb',
  ],
}

it('runs every scenario in --quick mode and reports each figure', async () => {
  await run(process.execPath, [VITE, 'build', '-c', 'bench/vite.config.mts'], { cwd: REPO_ROOT })
  const out = join(work, 'quick.json')
  const bench = join(REPO_ROOT, 'out', 'bench', 'bench.js')
  const { stdout } = await run(process.execPath, [bench, '--quick', '--out', out], {
    cwd: REPO_ROOT,
    maxBuffer: 16 * 1024 * 1024,
  })
  const report = JSON.parse(readFileSync(out, 'utf8')) as BenchReport

  expect(report.problems).toEqual([])
  expect(report.mode).toBe('quick')
  expect(Object.keys(report.scenarios).sort()).toEqual([...SCENARIOS].sort())
  for (const id of SCENARIOS) {
    const scenario = report.scenarios[id]
    for (const name of REQUIRED[id]) {
      const value = scenario?.figures[name]
      expect(
        typeof value === 'number' && Number.isFinite(value) && value > 0,
        `${id}.${name}`,
      ).toBe(true)
    }
    expect(scenario?.rows.length).toBeGreaterThan(0)
    for (const row of scenario?.rows ?? []) {
      expect(row.skwirl).not.toMatch(/n\/a|NaN/)
      expect([true, false, null]).toContain(row.pass)
      expect(stdout).toContain(row.name)
    }
  }
}, 180_000)
