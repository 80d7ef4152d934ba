// The processes a measurement runs: the Drive double's (one for the whole suite), the baseline
// script, the Skwirl host, curl and lua5.4, each started fresh for every run.
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type {
  DoubleStats,
  DriveExpected,
  DriveSpec,
  FileSetSpec,
  FromDouble,
  HostResult,
  HostTask,
  ToDouble,
} from './protocol'
import { childProcessLauncher, runnerNodeFlags } from '../src/main/core/runner-process'
import { DEFAULT_LIMITS } from '../src/shared/runner-protocol'

export const ROOT = resolve(__dirname, '..', '..')
const OUT_BENCH = __dirname
const BASELINE_SCRIPT = join(ROOT, 'bench', 'baseline.mjs')
export const LUA_WORKLOAD = join(ROOT, 'bench', 'lua', 'table-workload.lua')
export const TOKEN = 'hardcoded_token_for_now'

/** The Drive double's process, asked one thing at a time. */
export class DoubleProcess {
  url = ''
  private readonly child: ChildProcess
  private queue: Promise<unknown> = Promise.resolve()

  constructor() {
    this.child = fork(join(OUT_BENCH, 'double-process.js'), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
  }

  async start(): Promise<void> {
    const [message] = (await once(this.child, 'message')) as [FromDouble]
    if (message.type !== 'listening') throw new Error(`drive double: unexpected ${message.type}`)
    this.url = message.url
  }

  load(files: FileSetSpec): Promise<{ files: number; bytes: number }> {
    return this.ask({ type: 'load', files }, 'loaded')
  }

  loadDrive(drive: DriveSpec): Promise<DriveExpected> {
    return this.ask({ type: 'load-drive', drive }, 'drive-loaded')
  }

  async reset(): Promise<void> {
    await this.ask({ type: 'reset' }, 'reset')
  }

  stats(): Promise<DoubleStats> {
    return this.ask({ type: 'stats' }, 'stats')
  }

  async close(): Promise<void> {
    if (!this.child.connected) return
    const exited = once(this.child, 'exit')
    this.child.disconnect()
    await exited
  }

  private ask<T extends FromDouble['type']>(
    message: ToDouble,
    answer: T,
  ): Promise<Extract<FromDouble, { type: T }>> {
    const next = this.queue.then(async () => {
      this.child.send(message)
      const [reply] = (await once(this.child, 'message')) as [FromDouble]
      if (reply.type !== answer) {
        throw new Error(`drive double: expected ${answer}, got ${reply.type}`)
      }
      return reply as Extract<FromDouble, { type: T }>
    })
    this.queue = next.catch(() => undefined)
    return next
  }
}

/** What bench/baseline.mjs prints. */
export interface BaselineResult {
  listed: number
  downloaded: number
  bytes: number
  elapsedMs: number
  downloadMs: number | null
  peakBytes: number | null
}

/** A child's stdout, once it has exited 0 (its stderr's tail in the error otherwise). */
async function output(child: ChildProcess, what: string): Promise<string> {
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const [code] = (await once(child, 'close')) as [number | null]
  if (code !== 0) throw new Error(`${what} exited with ${code}: ${stderr.trim().slice(-2000)}`)
  return stdout
}

export async function runBaseline(
  url: string,
  mode: 'workflow' | 'list',
  verify = true,
  /** Write each file into this folder (temp, fsync, rename), as Skwirl's destination does. */
  dest: { dir: string; fsync: boolean } | null = null,
  /** Files at a time (each metadata then download); 1: one after another. */
  concurrency = 1,
): Promise<BaselineResult> {
  const args = [
    BASELINE_SCRIPT,
    url,
    mode,
    ...(verify ? [] : ['--no-verify']),
    ...(dest ? ['--dest', dest.dir, ...(dest.fsync ? [] : ['--no-fsync'])] : []),
    ...(concurrency > 1 ? ['--concurrency', String(concurrency)] : []),
  ]
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  return JSON.parse(await output(child, 'the baseline')) as BaselineResult
}

/** One run in a fresh Skwirl host; with `profile`, main and the runner write CPU profiles there. */
export async function runSkwirl(task: HostTask, profile: string | null): Promise<HostResult> {
  const env = { ...process.env }
  const execArgv: string[] = []
  if (profile) {
    mkdirSync(join(profile, 'main'), { recursive: true })
    mkdirSync(join(profile, 'runner'), { recursive: true })
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${join(profile, 'main')}`)
    env.SKWIRL_RUNNER_EXEC_ARGV = `--cpu-prof --cpu-prof-dir=${join(profile, 'runner')}`
  }
  const child = fork(join(OUT_BENCH, 'skwirl-host.js'), [JSON.stringify(task)], {
    env,
    execArgv,
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  })
  let result: HostResult | null = null
  child.on('message', (message: HostResult) => (result = message))
  await output(child, 'the Skwirl host')
  if (!result) throw new Error('the Skwirl host ended without a result')
  return result
}

/**
 * The mean time of one round trip between main and a runner (bench/round-trip.ts), in µs, over
 * `rounds` after a warm-up: main sends a metadata-sized reply, the runner answers at once.
 */
export async function runnerRoundTripUs(rounds: number): Promise<number> {
  const runner = childProcessLauncher(join(OUT_BENCH, 'round-trip.js'))({
    memoryMb: DEFAULT_LIMITS.memoryMb,
  })
  const WARM_UP = 200
  const body = JSON.stringify({
    id: '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456',
    name: 'IMG_20260412_183005.jpg',
    mimeType: 'image/jpeg',
    size: '2841',
    md5Checksum: '9e107d9d372bb6826bd81d3542a419d6',
    modifiedTime: '2026-04-12T18:30:05.000Z',
  })
  try {
    return await new Promise<number>((resolveTime, reject) => {
      let answered = 0
      let started = 0n
      runner.onExit((exit) => reject(new Error(`round-trip child ended: ${JSON.stringify(exit)}`)))
      runner.onMessage((message) => {
        if (message.type === 'call') answered++
        if (answered === WARM_UP) started = process.hrtime.bigint()
        if (answered === WARM_UP + rounds) {
          resolveTime(Number(process.hrtime.bigint() - started) / 1000 / rounds)
          return
        }
        runner.send({
          type: 'reply',
          seq: answered + 1,
          replyTo: message.seq,
          ok: true,
          value: { method: 'http.get', contentType: 'application/json; charset=UTF-8', body },
        })
      })
    })
  } finally {
    runner.kill()
  }
}

export async function runCurl(url: string): Promise<{ seconds: number; bytes: number }> {
  const args = ['-sS', '-o', '/dev/null', '-H', `Authorization: Bearer ${TOKEN}`]
  const child = spawn('curl', [...args, '-w', '%{time_total} %{size_download}', url], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const [seconds = NaN, bytes = NaN] = (await output(child, 'curl')).trim().split(' ').map(Number)
  return { seconds, bytes }
}

export interface LuaTiming {
  ms: number
  summary: string
}

/** The Lua workload in fengari: in Skwirl's sandbox, or in a bare state. */
export async function runFengari(how: 'sandbox' | 'plain', args: string[]): Promise<LuaTiming> {
  const script = join(OUT_BENCH, 'lua-speed.js')
  const child = spawn(process.execPath, [script, how, LUA_WORKLOAD, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return JSON.parse(await output(child, `fengari (${how})`)) as LuaTiming
}

/** What bench/runner-micro.ts prints: the runner's own cost, in this process, for N files. */
export interface MicroResult {
  listed: number
  files: number
  failed: number
  wallMs: number
  listCpuUsPerId: number
  fileCpuUsPerFile: number | null
  peakRssMb: number
  /** The heap and buffers still held once the listing is done, after a full collection. */
  listedHeldMb: number | null
}

/** The real workflow and sandbox with canned host answers, in a process of its own. */
export async function runMicro(
  mode: 'list' | 'files',
  count: number,
  provider: 'seed' | 'dropbox',
): Promise<MicroResult> {
  const script = join(OUT_BENCH, 'runner-micro.js')
  // The flags a runner gets (its heap cap: DEFAULT_LIMITS.memoryMb), and gc() to weigh what the
  // listing holds.
  const flags = [...runnerNodeFlags(DEFAULT_LIMITS.memoryMb), '--expose-gc']
  const args = [...flags, script, mode, String(count), '--provider', provider]
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  return JSON.parse(await output(child, `runner micro (${provider}, ${count})`)) as MicroResult
}

/** The Lua workload in Debian's lua5.4, which times itself (os.clock). */
export async function runLua54(args: string[]): Promise<LuaTiming> {
  const child = spawn('lua5.4', [LUA_WORKLOAD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  const line = (await output(child, 'lua5.4')).trim()
  const space = line.indexOf(' ')
  return { ms: Number(line.slice(0, space)), summary: line.slice(space + 1) }
}

export function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

export function gitCommit(): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
    return dirty ? `${head}+changes` : head
  } catch {
    return null
  }
}
