import { describe, expect, it } from 'vitest'
import { PlanHints } from './plan-hints'

describe('PlanHints', () => {
  const ids = Array.from({ length: 25 }, (_, i) => `id${i}`)

  function hintsWith(answer: (fileIds: string[]) => Promise<ReadonlyArray<string | null>>) {
    const asked: string[][] = []
    const hints = new PlanHints(
      ids.length,
      (i) => ids[i] as string,
      (fileIds) => {
        asked.push(fileIds)
        return answer(fileIds)
      },
      10,
    )
    return { hints, asked }
  }

  it('asks for a block of ids at a time, the next one from half way through, each once', async () => {
    const { hints, asked } = hintsWith(async (fileIds) => fileIds.map((id) => `key of ${id}`))
    const keys: Array<string | null> = []
    for (let i = 0; i < ids.length; i++) keys.push(await hints.keyFor(i))
    expect(keys).toEqual(ids.map((id) => `key of ${id}`))
    expect(asked).toEqual([ids.slice(0, 10), ids.slice(10, 20), ids.slice(20, 25)])
    // The block after the first is asked for before it is needed.
    const again = hintsWith(async (fileIds) => fileIds.map(() => null))
    await again.hints.keyFor(4)
    expect(again.asked).toHaveLength(1)
    await again.hints.keyFor(5)
    expect(again.asked).toEqual([ids.slice(0, 10), ids.slice(10, 20)])
  })

  it('answers null where main knows nothing, gave too few keys, or failed', async () => {
    const short = hintsWith(async () => ['a'])
    expect(await short.hints.keyFor(0)).toBe('a')
    expect(await short.hints.keyFor(1)).toBeNull()
    const failing = hintsWith(() => Promise.reject(new Error('the destination is gone')))
    expect(await failing.hints.keyFor(3)).toBeNull()
    expect(await failing.hints.keyFor(24)).toBeNull()
  })

  it('holds only the blocks around the file under way', async () => {
    const { hints, asked } = hintsWith(async (fileIds) => fileIds.map((id) => id))
    for (let i = 0; i < ids.length; i++) await hints.keyFor(i)
    // Going back to the first block asks for it again: it was let go.
    await hints.keyFor(0)
    expect(asked).toHaveLength(4)
    expect(asked[3]).toEqual(ids.slice(0, 10))
  })
})
