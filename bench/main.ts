// `npm run bench`: Skwirl against the fastest simple way to do the same work, side by side, on
// this machine, in this run. Every scenario runs against the Drive double (in a process of its
// own), alternates baseline and Skwirl runs, and reports medians and the ratio of medians.
// Prints a table and writes the same as JSON (bench/results/latest.json, or --out).
//
//   npm run bench                                 # the full suite (under 10 minutes on 2 cores)
//   npm run bench -- --quick                      # small sizes, well under a minute
//   npm run bench -- --only small,startup --runs 3
//   npm run bench -- --only small --runs 1 --profile /tmp/prof   # CPU profiles of main + runner
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { removeBenchFolders } from './folders'
import { DoubleProcess, gitCommit, ROOT } from './processes'
import {
  formatTable,
  GIB,
  MB,
  SCENARIOS,
  type BenchReport,
  type ScenarioId,
  type ScenarioResult,
  type Sizes,
} from './report'
import {
  bigFile,
  bigListing,
  destinationRuns,
  googleDrive,
  luaSpeed,
  scaleRuns,
  smallFiles,
  startup,
  type Context,
} from './scenarios'
import { parallelTransfers } from './transfers'
import { webdavVsRclone } from './webdav'

const FULL: Sizes = {
  small: { files: 10_000, runs: 5 },
  listing: { ids: 100_000, runs: 5, memoryAt: [25_000, 50_000] },
  bigFile: { bytes: 2 * GIB, smallBytes: 200 * MB, runs: 5, memoryRuns: 2 },
  startup: { runs: 10 },
  lua: { pages: 100, perPage: 1000, runs: 5 },
  destination: { files: 10_000, runs: 3, memoryAt: 2_500 },
  webdav: { files: 2_000, runs: 5, transfers: [1, 4] },
  scale: { files: 1_000_000, baselineFiles: 10_000, listingIds: 1_000_000, runs: 1 },
  // Issue 13's figure: at Drive's pace, one run of 100,000 items takes over 10 minutes.
  drive: { items: 100_000, runs: 1, faultRate: 0.02, listItems: 1_000_000 },
  // One at a time is 2,000 × two 20 ms requests: some 85 s a run, for Skwirl and the baseline.
  transfers: { files: 2_000, runs: 2, latencyMs: 20, transfers: 8 },
}

const QUICK: Sizes = {
  small: { files: 300, runs: 2 },
  listing: { ids: 5_000, runs: 2, memoryAt: [1_000, 2_000] },
  bigFile: { bytes: 64 * MB, smallBytes: 8 * MB, runs: 2, memoryRuns: 1 },
  startup: { runs: 3 },
  lua: { pages: 5, perPage: 1000, runs: 2 },
  destination: { files: 120, runs: 1, memoryAt: 40 },
  webdav: { files: 60, runs: 1, transfers: [1, 4] },
  scale: { files: 4_000, baselineFiles: 1_000, listingIds: 4_000, runs: 1 },
  drive: { items: 300, runs: 1, faultRate: 0.02, listItems: 2_000 },
  transfers: { files: 80, runs: 1, latencyMs: 20, transfers: 8 },
}

const RUN: Record<ScenarioId, (context: Context) => Promise<ScenarioResult>> = {
  small: smallFiles,
  listing: bigListing,
  bigFile,
  startup,
  lua: luaSpeed,
  destination: destinationRuns,
  webdav: webdavVsRclone,
  scale: scaleRuns,
  drive: googleDrive,
  transfers: parallelTransfers,
}

interface Options {
  quick: boolean
  out: string
  only: Set<ScenarioId>
  runs: number | null
  profile: string | null
}

const USAGE = `usage: node out/bench/bench.js [--quick] [--only ${SCENARIOS.join(',')}] [--runs N] [--out FILE] [--profile DIR]`

function parseOptions(argv: string[]): Options {
  const options: Options = {
    quick: false,
    out: '',
    only: new Set(SCENARIOS),
    runs: null,
    profile: null,
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = (): string => {
      const next = argv[++i]
      if (next === undefined) throw new Error(`${arg} needs a value\n${USAGE}`)
      return next
    }
    if (arg === '--quick') options.quick = true
    else if (arg === '--out') options.out = resolve(value())
    else if (arg === '--profile') options.profile = resolve(value())
    else if (arg === '--runs') {
      const runs = Number(value())
      if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs takes a whole number ≥ 1`)
      options.runs = runs
    } else if (arg === '--only') {
      const wanted = value().split(',')
      const unknown = wanted.filter((id) => !(SCENARIOS as readonly string[]).includes(id))
      if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}\n${USAGE}`)
      options.only = new Set(wanted as ScenarioId[])
    } else throw new Error(`unknown option ${arg}\n${USAGE}`)
  }
  options.out ||= join(ROOT, 'bench', 'results', options.quick ? 'quick.json' : 'latest.json')
  return options
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2))
  const sizes = options.quick ? QUICK : FULL
  const started = Date.now()
  const cpus = os.cpus()
  const report: BenchReport = {
    mode: options.quick ? 'quick' : 'full',
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model ?? 'unknown',
      memoryMb: Math.round(os.totalmem() / MB),
      node: process.version,
      platform: `${process.platform} ${os.release()}`,
      loadAverage: os.loadavg().map((load) => Number(load.toFixed(2))),
    },
    commit: gitCommit(),
    sizes,
    rows: [],
    scenarios: {},
    problems: [],
  }
  const double = new DoubleProcess()
  await double.start()
  const context: Context = {
    double,
    sizes,
    runs: options.runs,
    profile: options.profile,
    problems: report.problems,
  }
  try {
    for (const id of SCENARIOS) {
      if (!options.only.has(id)) continue
      const at = Date.now()
      process.stderr.write(`== ${id}\n`)
      const result = await RUN[id](context)
      report.scenarios[id] = result
      report.rows.push(...result.rows)
      const seconds = ((Date.now() - at) / 1000).toFixed(1)
      process.stderr.write(`${formatTable(result.rows)}\n   (${seconds} s)\n`)
    }
  } finally {
    await double.close()
    removeBenchFolders()
  }
  report.durationMs = Date.now() - started
  mkdirSync(dirname(options.out), { recursive: true })
  writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`)
  const { machine } = report
  process.stdout.write(
    `\nSkwirl bench, ${report.mode}: ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, ` +
      `load ${machine.loadAverage.join(' ')}, ${(report.durationMs / 1000).toFixed(0)} s\n` +
      'ratio = Skwirl ÷ baseline, as performance (files/s, 1/time, bytes/s): 1.00 is as fast\n\n' +
      `${formatTable(report.rows)}\n\n`,
  )
  for (const problem of report.problems) process.stdout.write(`problem: ${problem}\n`)
  process.stdout.write(`JSON: ${options.out}\n`)
  // A missed goal is a figure to read; a run that could not do the work fails the suite.
  return report.problems.length > 0 ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  },
)
