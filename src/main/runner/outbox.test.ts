import { describe, expect, it } from 'vitest'
import type { RunnerToMain, RunnerWire } from '../../shared/runner-protocol'
import { eachRunnerMessage } from '../../shared/runner-protocol'
import { Outbox } from './outbox'

const file = (seq: number): RunnerToMain => ({
  seq,
  type: 'file',
  result: {
    fileId: `f${seq}`,
    outcome: 'downloaded',
    metadata: null,
    bytes: 1,
    verified: true,
    skip: null,
    error: null,
  },
})
const call = (seq: number): RunnerToMain => ({
  seq,
  type: 'call',
  call: { method: 'storage.get', key: 'k' },
  context: { stage: 'download', fileId: null },
})

function setUp(clock = { now: 0 }): { outbox: Outbox; writes: RunnerWire[]; received: number[] } {
  const writes: RunnerWire[] = []
  const received: number[] = []
  const outbox = new Outbox(
    (wire) => {
      writes.push(wire)
      eachRunnerMessage(wire, (message) => received.push(message.seq))
    },
    () => clock.now,
  )
  return { outbox, writes, received }
}

describe('the runner outbox', () => {
  it('sends what main must act on at once, with what waited before it, in order, in one write', () => {
    const { outbox, writes, received } = setUp()
    outbox.send(file(1))
    outbox.send({ seq: 2, type: 'file-metadata', fileId: 'f2', name: 'a', size: 1 })
    expect(writes).toEqual([])
    outbox.send(call(3))
    expect(writes).toHaveLength(1)
    expect(received).toEqual([1, 2, 3])
    outbox.send(call(4))
    // A lone message goes as it is, not as an array of one.
    expect(writes[1]).toEqual(call(4))
  })

  it('a log line or the end of the run is not held back', () => {
    const { outbox, received } = setUp()
    outbox.send(file(1))
    outbox.send({ seq: 2, type: 'log', level: 'info', message: 'hi', context: null })
    expect(received).toEqual([1, 2])
    outbox.send(file(3))
    outbox.send({ seq: 4, type: 'done', status: 'completed', error: null })
    expect(received).toEqual([1, 2, 3, 4])
  })

  it('writes a queue that grew long or old while the script computes without calling the host', () => {
    const clock = { now: 0 }
    const { outbox, writes, received } = setUp(clock)
    for (let seq = 1; seq <= 64; seq++) outbox.send({ seq, type: 'ids', count: 1, ids: null })
    expect(writes).toHaveLength(1)
    expect(received).toHaveLength(64)
    outbox.send(file(65))
    clock.now = 99
    outbox.send(file(66))
    expect(received).toHaveLength(64)
    clock.now = 100
    outbox.send(file(67))
    expect(received).toEqual(Array.from({ length: 67 }, (_, i) => i + 1))
  })

  it('writes what waits once the runner pauses, even when no other message follows', async () => {
    const { outbox, received } = setUp()
    outbox.send(file(1))
    outbox.send({ seq: 2, type: 'listed', count: 1 })
    expect(received).toEqual([])
    await new Promise((resolve) => setImmediate(resolve))
    expect(received).toEqual([1, 2])
  })
})
