// Scenario 7 (issue 18): the WebDAV provider against rclone, both as a person runs them. One
// `rclone serve webdav` serves a tree of small files; `skwirl run` backs it up into a fresh
// folder, and `rclone copy` copies it from the same server into another fresh folder. Both are
// whole CLI commands, timed from spawn to exit, taking turns (who goes first rotates), at one
// transfer at a time and then at 4 (rclone: --transfers N --checkers N, so that its listing and
// checks are not more parallel than Skwirl's; Skwirl: --transfers N, issue 15's flag).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateTree } from '../test/servers/tree'
import { startRcloneWebdav } from '../test/servers/webdav'
import { benchFolder } from './folders'
import { ROOT } from './processes'
import { median, ratioOf, type Row, type ScenarioResult } from './report'
import type { Context } from './scenarios'

const CLI = join(ROOT, 'out', 'main', 'cli.js')
const PROVIDER = 'WebDAV bench'

interface Timed {
  ms: number
  stdout: string
  stderr: string
  code: number | null
}

async function timed(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Timed> {
  const started = performance.now()
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const [code] = (await once(child, 'close')) as [number | null]
  return { ms: performance.now() - started, stdout, stderr, code }
}

/** Every regular file under dir (recursively), except Skwirl's own .skwirl folder. */
function countFiles(dir: string): number {
  let count = 0
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && !join(entry.parentPath, entry.name).includes(`${dir}/.skwirl`)) count++
  }
  return count
}

export async function webdavVsRclone(context: Context): Promise<ScenarioResult> {
  const { files, runs: defaultRuns, transfers } = context.sizes.webdav
  const runs = context.runs ?? defaultRuns
  const tree = await generateTree({
    smallFiles: files,
    smallFolders: 20,
    bigBytes: 0,
    named: false,
  })
  // rclone's own default directory cache: the tree does not change during the scenario.
  const server = await startRcloneWebdav(tree.root, undefined, { dirCacheTime: '5m' })
  const work = benchFolder('webdav')
  const env = { ...process.env, SKWIRL_DATA_DIR: join(work, 'data') }
  const rcloneConfig = join(work, 'rclone.conf')
  writeFileSync(rcloneConfig, '')
  const figures: Record<string, number | null> = {}
  const allRuns: Record<string, unknown[]> = {}
  const rows: Row[] = []
  const notes: string[] = []
  try {
    const cli = (args: string[]): Promise<Timed> => timed(process.execPath, [CLI, ...args], env)
    const added = await cli([
      'provider',
      'add',
      PROVIDER,
      join(ROOT, 'resources', 'providers', 'webdav.lua'),
    ])
    const set = await cli([
      'provider',
      'set',
      PROVIDER,
      '--setting',
      'server=webdav',
      '--setting',
      `url=${server.url}`,
    ])
    for (const step of [added, set]) {
      if (step.code !== 0) throw new Error(`skwirl: ${step.stderr.trim()}`)
    }
    const supportsTransfers = (await cli(['run', '--help'])).stdout.includes('--transfers')
    let folder = 0
    // A destination must exist (a missing one is an unplugged drive); rclone makes its own.
    // Each run's folder stays until the bench ends (bench/folders.ts): removing thousands of
    // files between runs made every create of the next run slow here.
    const fresh = (): string => {
      const dir = join(work, `dest-${++folder}`)
      mkdirSync(dir)
      return dir
    }
    for (const n of transfers) {
      if (n > 1 && !supportsTransfers) {
        rows.push({
          scenario: 'webdav',
          name: `7. WebDAV, ${files.toLocaleString('en')} small files, ${n} transfers (files/s)`,
          skwirl: 'waits for issue 15 (--transfers)',
          baseline: '—',
          ratio: null,
          goal: '≥ 1.00',
          pass: null,
        })
        continue
      }
      const skwirlMs: number[] = []
      const rcloneMs: number[] = []
      const skwirl = async (): Promise<void> => {
        const dest = fresh()
        const args = [
          'run',
          PROVIDER,
          '--dest',
          dest,
          '--json',
          ...(n > 1 ? ['--transfers', String(n)] : []),
        ]
        const result = await cli(args)
        const report = JSON.parse(result.stdout || '{}') as { downloaded?: number; status?: string }
        const ok = result.code === 0 && report.downloaded === files && countFiles(dest) === files
        if (ok) skwirlMs.push(result.ms)
        else
          context.problems.push(
            `webdav skwirl ${n}: exit ${result.code} ${result.stdout.slice(0, 300)} ${result.stderr.slice(-300)}`,
          )
      }
      const rclone = async (): Promise<void> => {
        const dest = fresh()
        const result = await timed(
          'rclone',
          [
            'copy',
            ':webdav:',
            dest,
            '--webdav-url',
            server.url,
            '--transfers',
            String(n),
            '--checkers',
            String(n),
            '--config',
            rcloneConfig,
          ],
          process.env,
        )
        const ok = result.code === 0 && countFiles(dest) === files
        if (ok) rcloneMs.push(result.ms)
        else
          context.problems.push(
            `webdav rclone ${n}: exit ${result.code} ${result.stderr.slice(-300)}`,
          )
      }
      for (let i = 0; i < runs; i++) {
        process.stderr.write(`   ${n} transfer(s), round ${i + 1}/${runs}\n`)
        const order = i % 2 === 0 ? [skwirl, rclone] : [rclone, skwirl]
        for (const contestant of order) await contestant()
      }
      const skwirlRate = files / (median(skwirlMs) / 1000)
      const rcloneRate = files / (median(rcloneMs) / 1000)
      figures[`skwirlFilesPerS${n}`] = Number.isFinite(skwirlRate)
        ? Number(skwirlRate.toFixed(1))
        : null
      figures[`rcloneFilesPerS${n}`] = Number.isFinite(rcloneRate)
        ? Number(rcloneRate.toFixed(1))
        : null
      const ratio = ratioOf(skwirlRate / rcloneRate)
      figures[`ratio${n}`] = ratio
      allRuns[`skwirlMs${n}`] = skwirlMs
      allRuns[`rcloneMs${n}`] = rcloneMs
      rows.push({
        scenario: 'webdav',
        name: `7. WebDAV, ${files.toLocaleString('en')} small files, ${n} transfer${n > 1 ? 's' : ''} (files/s)`,
        skwirl: Number.isFinite(skwirlRate) ? `${skwirlRate.toFixed(0)}/s` : 'n/a',
        baseline: Number.isFinite(rcloneRate) ? `${rcloneRate.toFixed(0)}/s (rclone copy)` : 'n/a',
        ratio,
        goal: '≥ 1.00',
        pass: ratio === null ? null : ratio >= 1,
      })
    }
    notes.push(
      'Both timed as whole commands (process start to exit): `skwirl run NAME --dest DIR` and `rclone copy :webdav: DIR --transfers N --checkers N`, fresh folders each run.',
    )
  } finally {
    await server.stop()
    tree.remove()
  }
  return {
    id: 'webdav',
    title: 'WebDAV provider vs rclone copy (rclone serve webdav)',
    figures,
    runs: allRuns,
    notes,
    rows,
  }
}
