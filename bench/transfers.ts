// Issue 15's parallel transfers against a double that answers every request after 20 ms (a real
// API's latency): Skwirl with one file at a time against the plain-fetch baseline doing the same
// one after another, and Skwirl with 8 files at a time against the baseline with 8 at a time. The
// four take turns (rotating who goes first); medians and ratios come from the same run.
import type { HostResult, HostTask } from './protocol'
import { runBaseline, runSkwirl, type BaselineResult } from './processes'
import { figure, fmtMs, median, ratioOf, type ScenarioResult } from './report'
import type { Context } from './scenarios'

/** Runs each contestant `runs` times, taking turns and rotating who goes first. */
async function takeTurns(runs: number, contestants: Array<() => Promise<void>>): Promise<void> {
  for (let i = 0; i < runs; i++) {
    process.stderr.write(`   round ${i + 1}/${runs}\n`)
    for (let k = 0; k < contestants.length; k++) {
      await (contestants[(i + k) % contestants.length] as () => Promise<void>)()
    }
  }
}

export async function parallelTransfers(context: Context): Promise<ScenarioResult> {
  const { double, sizes } = context
  const { files: count, latencyMs, transfers: n } = sizes.transfers
  const runs = context.runs ?? sizes.transfers.runs
  const loaded = await double.load({ count, minSize: 1024, maxSize: 4096, md5: true, latencyMs })
  const complete = (r: { downloaded: number; bytes: number }): boolean =>
    r.downloaded === count && r.bytes === loaded.bytes
  const baseline1: BaselineResult[] = []
  const baselineN: BaselineResult[] = []
  const skwirl1: HostResult[] = []
  const skwirlN: HostResult[] = []
  const requests: Record<string, number[]> = {}

  /** Every contestant sends the same requests (in its own order): listing, metadata, download. */
  const counted = async <T>(who: string, run: () => Promise<T>): Promise<T> => {
    await double.reset()
    const result = await run()
    ;(requests[who] ??= []).push((await double.stats()).count)
    return result
  }
  const baseline = (k: number, into: BaselineResult[]) => async () => {
    const who = `baseline ×${k}`
    const r = await counted(who, () => runBaseline(double.url, 'workflow', true, null, k))
    if (complete(r)) into.push(r)
    else context.problems.push(`transfers, ${who}: ${JSON.stringify(r).slice(0, 400)}`)
  }
  const skwirl = (k: number, into: HostResult[]) => async () => {
    const who = `Skwirl, transfers=${k}`
    const task: HostTask = { url: double.url, mode: 'workflow', ...(k > 1 ? { transfers: k } : {}) }
    const r = await counted(who, () => runSkwirl(task, k > 1 ? context.profile : null))
    if (r.status === 'ok' && complete(r)) into.push(r)
    else context.problems.push(`transfers, ${who}: ${JSON.stringify(r).slice(0, 400)}`)
  }
  await takeTurns(runs, [
    baseline(1, baseline1),
    skwirl(1, skwirl1),
    baseline(n, baselineN),
    skwirl(n, skwirlN),
  ])
  const counts = new Set(Object.values(requests).flat())
  if (counts.size > 1) {
    context.problems.push(
      `transfers: the contestants sent different numbers of requests: ${JSON.stringify(requests)}`,
    )
  }

  const ms = <T extends { elapsedMs: number }>(list: T[]): number =>
    median(list.map((r) => r.elapsedMs))
  const s1 = ms(skwirl1)
  const b1 = ms(baseline1)
  const sN = ms(skwirlN)
  const bN = ms(baselineN)
  const sequential = b1 / s1
  const parallel = bN / sN
  const speedup = s1 / sN
  const files = count.toLocaleString('en')
  return {
    id: 'transfers',
    title: `Parallel transfers: ${files} files of 1–4 KiB from a double answering after ${latencyMs} ms, 1 and ${n} at a time`,
    figures: {
      skwirl1Ms: figure(s1),
      baseline1Ms: figure(b1),
      ratio1: figure(sequential, 3),
      [`skwirl${n}Ms`]: figure(sN),
      [`baseline${n}Ms`]: figure(bN),
      [`ratio${n}`]: figure(parallel, 3),
      speedup: figure(speedup, 2),
      baselineSpeedup: figure(b1 / bN, 2),
    },
    runs: { skwirl1, baseline1, [`skwirl${n}`]: skwirlN, [`baseline${n}`]: baselineN },
    notes: [
      `The double waits ${latencyMs} ms before answering each request (listing pages, metadata, downloads). Each file is its metadata request, then its download.`,
      `Baselines: bench/baseline.mjs (plain fetch, MD5 and size checked), one file after another, and with --concurrency ${n}: ${n} workers taking the ids in listing order, each file still metadata then download. Skwirl: the shipped Google Drive provider, check only, transfers 1 (the default) and ${n}.`,
      'Times run from Execute (Skwirl) or the process start (baseline) to the last file checked.',
    ],
    rows: [
      {
        scenario: 'transfers',
        name: `10. ${files} files, ${latencyMs} ms latency, transfers=1 (time)`,
        skwirl: fmtMs(s1),
        baseline: `${fmtMs(b1)} (one at a time)`,
        ratio: ratioOf(sequential),
        goal: '≥ 0.95',
        pass: sequential >= 0.95,
      },
      {
        scenario: 'transfers',
        name: `10. ${files} files, ${latencyMs} ms latency, transfers=${n} (time)`,
        skwirl: fmtMs(sN),
        baseline: `${fmtMs(bN)} (${n} at a time)`,
        ratio: ratioOf(parallel),
        goal: '≥ 0.90',
        pass: parallel >= 0.9,
      },
      {
        scenario: 'transfers',
        name: `10. transfers=${n} against transfers=1 (speed-up)`,
        skwirl: fmtMs(sN),
        baseline: `${fmtMs(s1)} (Skwirl, transfers=1)`,
        ratio: ratioOf(speedup),
        goal: '≥ 6.00',
        pass: speedup >= 6,
      },
    ],
  }
}
