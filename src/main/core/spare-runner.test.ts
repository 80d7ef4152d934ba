// The spare runner, with runner processes stood in for: handed over once and only when it fits,
// replaced only after the runner handed over has ended, dropped when it dies, ended by close.
import { describe, expect, it } from 'vitest'
import type { MainToRunner, RunnerToMain } from '../../shared/runner-protocol'
import type { LaunchOptions, RunnerExit, RunnerProcess } from './runner-process'
import { spareRunners } from './spare-runner'

class FakeRunner implements RunnerProcess {
  readonly sent: MainToRunner[] = []
  killed = false
  private readonly messageListeners: Array<(message: RunnerToMain) => void> = []
  private readonly exitListeners: Array<(exit: RunnerExit) => void> = []
  constructor(
    readonly pid: number,
    readonly options: LaunchOptions,
  ) {}
  usage(): null {
    return null
  }
  send(message: MainToRunner): void {
    this.sent.push(message)
  }
  onMessage(listener: (message: RunnerToMain) => void): void {
    this.messageListeners.push(listener)
  }
  onExit(listener: (exit: RunnerExit) => void): void {
    this.exitListeners.push(listener)
  }
  kill(): void {
    this.killed = true
    this.exit()
  }
  say(message: RunnerToMain): void {
    for (const listener of this.messageListeners) listener(message)
  }
  exit(): void {
    for (const listener of this.exitListeners.splice(0)) {
      listener({ code: null, signal: 'SIGKILL', outOfMemory: false })
    }
  }
}

function launcher(): { launch: (options: LaunchOptions) => FakeRunner; launched: FakeRunner[] } {
  const launched: FakeRunner[] = []
  return {
    launched,
    launch: (options) => {
      const runner = new FakeRunner(1000 + launched.length, options)
      launched.push(runner)
      return runner
    },
  }
}

const MB = { memoryMb: 512 }
const ready = { type: 'ready', seq: 1 } as RunnerToMain
const listed = { type: 'listed', count: 3, seq: 2 } as RunnerToMain

describe('spare runners', () => {
  it('starts one ahead and hands it over once; the next launch starts its own', async () => {
    const { launch, launched } = launcher()
    const spares = spareRunners(launch, MB)
    expect(launched.length).toBe(1)
    const spare = launched[0] as FakeRunner
    spare.say(ready)
    await spares.ready()

    const first = spares.launch(MB)
    const second = spares.launch(MB)

    expect(first.pid).toBe(spare.pid)
    expect(second.pid).not.toBe(spare.pid)
    expect(launched.length).toBe(2)
  })

  it('the run hears the runner from the hand-over on, not the spare’s ready', () => {
    const { launch, launched } = launcher()
    const spares = spareRunners(launch, MB)
    const spare = launched[0] as FakeRunner
    spare.say(ready)
    const runner = spares.launch(MB)
    const heard: RunnerToMain[] = []
    runner.onMessage((message) => heard.push(message))
    const start = { type: 'start', seq: 1, providerName: 'p' } as unknown as MainToRunner
    runner.send(start)
    spare.say(listed)

    expect(heard).toEqual([listed])
    expect(spare.sent).toEqual([start])
  })

  it('starts the next spare only once the runner handed over has ended', () => {
    const { launch, launched } = launcher()
    const spares = spareRunners(launch, MB)
    spares.launch(MB)
    expect(launched.length).toBe(1)

    ;(launched[0] as FakeRunner).exit()

    expect(launched.length).toBe(2)
    expect(spares.launch(MB).pid).toBe((launched[1] as FakeRunner).pid)
  })

  it('a spare that died while waiting is not handed over', async () => {
    const { launch, launched } = launcher()
    const spares = spareRunners(launch, MB)
    ;(launched[0] as FakeRunner).exit()
    await spares.ready()

    const runner = spares.launch(MB)

    expect(runner.pid).toBe((launched[1] as FakeRunner).pid)
    expect(launched.length).toBe(2)
  })

  it('a launch with other limits gets a runner of its own; the spare stays', () => {
    const { launch, launched } = launcher()
    const spares = spareRunners(launch, MB)

    const other = spares.launch({ memoryMb: 256 })

    expect(other.pid).toBe((launched[1] as FakeRunner).pid)
    expect((launched[1] as FakeRunner).options).toEqual({ memoryMb: 256 })
    expect(spares.launch(MB).pid).toBe((launched[0] as FakeRunner).pid)
  })

  it('close ends the spare, and no other is started after', () => {
    const { launch, launched } = launcher()
    const spares = spareRunners(launch, MB)
    const taken = spares.launch(MB) as RunnerProcess
    ;(launched[0] as FakeRunner).exit()
    const waiting = launched[1] as FakeRunner

    spares.close()
    taken.kill()

    expect(waiting.killed).toBe(true)
    expect(launched.length).toBe(2)
    expect(spares.launch(MB).pid).toBe((launched[2] as FakeRunner).pid)
    ;(launched[2] as FakeRunner).exit()
    expect(launched.length).toBe(3)
  })
})
