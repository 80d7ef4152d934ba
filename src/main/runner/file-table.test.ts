import { describe, expect, it } from 'vitest'
import { FileTable } from './file-table'

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)
const text = (value: Uint8Array | null): string | null =>
  value === null ? null : new TextDecoder().decode(value)

describe('the run’s file table', () => {
  it('keeps the listed ids in their order, each once', () => {
    const files = new FileTable()
    expect(files.emit('b')).toBe(true)
    expect(files.emit('a')).toBe(true)
    expect(files.emit('b')).toBe(false)
    expect(files.count).toBe(2)
    expect([files.idAt(0), files.idAt(1)]).toEqual(['b', 'a'])
  })

  it('keeps the order of the listing when ids were cached in another order first', () => {
    const files = new FileTable()
    // Emitted as cached (slot i is the i-th listed), then out of that order, then many more.
    for (let i = 0; i < 3; i++) files.set(`id-${i}`, bytes(String(i)))
    expect(files.emit('id-0')).toBe(true)
    files.set('late', bytes('1'))
    expect(files.emit('id-2')).toBe(true)
    expect(files.emit('id-1')).toBe(true)
    expect(files.emit('late')).toBe(true)
    for (let i = 3; i < 3000; i++) expect(files.emit(`id-${i}`)).toBe(true)
    expect(files.emit('id-2')).toBe(false)
    expect(files.count).toBe(3001)
    const back = Array.from({ length: files.count }, (_, i) => files.idAt(i))
    expect(back.slice(0, 5)).toEqual(['id-0', 'id-2', 'id-1', 'late', 'id-3'])
    expect(back[3000]).toBe('id-2999')
    expect(text(files.get('late'))).toBe('1')
  })

  it('gives every id back exactly: ASCII, other scripts, astral characters, a lone surrogate', () => {
    const files = new FileTable()
    const ids = [
      'plain-id',
      'café/naïve.txt',
      '日本語のファイル',
      'emoji 📷.jpg',
      'lone \ud800 half',
    ]
    // Enough ids around them that the index grows and rehashes several times.
    for (let i = 0; i < 5000; i++) {
      files.emit(`filler-${i}`)
      const id = ids[i % 1000] as string | undefined
      if (id !== undefined && i < 5) expect(files.emit(id)).toBe(true)
    }
    for (const id of ids) expect(files.emit(id)).toBe(false)
    expect(files.count).toBe(5005)
    const back = Array.from({ length: files.count }, (_, i) => files.idAt(i))
    expect(back.filter((id) => !id.startsWith('filler-'))).toEqual(ids)
    expect(back.slice(0, 3)).toEqual(['filler-0', 'plain-id', 'filler-1'])
    // A key that differs only in what UTF-8 would replace stays a key of its own.
    files.set('lone \ud800 half', bytes('1'))
    files.set('lone \ufffd half', bytes('2'))
    expect(text(files.get('lone \ud800 half'))).toBe('1')
    expect(text(files.get('lone \ufffd half'))).toBe('2')
    expect(text(files.get('日本語のファイル'))).toBeNull()
  })

  it('caches values by key, listed or not, replaces and deletes them', () => {
    const files = new FileTable()
    files.set('x', bytes('{"size":1}'))
    expect(files.emit('x')).toBe(true)
    expect(text(files.get('x'))).toBe('{"size":1}')
    files.set('x', bytes('[]'))
    expect(text(files.get('x'))).toBe('[]')
    files.set('x', bytes('"a longer value than before"'))
    expect(text(files.get('x'))).toBe('"a longer value than before"')
    expect(files.get('y')).toBeNull()
    files.delete('x')
    expect(files.get('x')).toBeNull()
    expect(files.count).toBe(1)
    expect(files.bytes).toBe(0)
  })

  it('holds many values across its buffers, each as it was set', () => {
    const files = new FileTable()
    const n = 120_000
    for (let i = 0; i < n; i++) {
      files.emit(`id-${i}`)
      // Values of 40 to 100 bytes: the 4 MiB buffers fill unevenly and values start anywhere.
      files.set(`id-${i}`, bytes(`"${String(i).padEnd(40 + (i % 61), '.')}"`))
    }
    expect(files.count).toBe(n)
    for (const i of [0, 1, 50_000, 77_777, n - 1]) {
      expect(text(files.get(files.idAt(i)))).toBe(`"${String(i).padEnd(40 + (i % 61), '.')}"`)
    }
  })

  it('keeps its full blocks compressed and reads them back in any order, rewritten or not', () => {
    const files = new FileTable()
    const n = 20_000
    const value = (i: number, v = 0): string =>
      JSON.stringify([`/Photos/2024/photo-${i}.jpg`, (i * 2654435761) % 4294967296, v])
    for (let i = 0; i < n; i++) files.set(`id-${i}`, bytes(value(i)))
    // Rewritten: one in a compressed block, one in the open block, one deleted.
    files.set('id-5', bytes(value(5, 1)))
    files.set(`id-${n - 1}`, bytes(value(n - 1, 2)))
    files.delete('id-7')
    const total = Array.from({ length: n }, (_, i) => value(i).length).reduce((a, b) => a + b)
    expect(files.bytes).toBe(total - value(7).length)
    expect(files.storedBytes).toBeLessThan(files.bytes / 2)
    // Far apart, backwards, and again: each as it was set.
    for (const i of [n - 2, 0, 12_345, 1, n - 2, 9_999, 3]) {
      expect(text(files.get(`id-${i}`))).toBe(value(i))
    }
    expect(text(files.get('id-5'))).toBe(value(5, 1))
    expect(text(files.get(`id-${n - 1}`))).toBe(value(n - 1, 2))
    expect(files.get('id-7')).toBeNull()
  })

  it('gives values back as they were cached, objects of one shape keeping their keys once', () => {
    const files = new FileTable()
    const values: unknown[] = [
      { name: 'a.txt', size: 1, nested: { x: [1, 'two', null] } },
      { name: 'b.txt', size: 2, nested: {} },
      { size: 3, name: 'c.txt' },
      [],
      {},
      'text',
      12.5,
      true,
      null,
    ]
    values.forEach((value, i) => files.setValue(`k${i}`, value))
    values.forEach((value, i) => expect(files.getValue(`k${i}`)).toEqual(value))
    expect(Object.keys(files.getValue('k2') as object)).toEqual(['size', 'name'])
    expect(files.getValue('missing')).toBeUndefined()
    // The keys are not repeated: the second object of a shape costs only its values.
    const before = files.bytes
    files.setValue('k9', { name: 'd.txt', size: 4, nested: {} })
    expect(files.bytes - before).toBe(3 + JSON.stringify(['d.txt', 4, {}]).length)
  })

  it('keeps objects of ever new shapes too, past the shapes it remembers', () => {
    const files = new FileTable()
    for (let i = 0; i < 5000; i++) files.setValue(`k${i}`, { [`field${i}`]: i })
    expect(files.getValue('k0')).toEqual({ field0: 0 })
    expect(files.getValue('k4999')).toEqual({ field4999: 4999 })
  })
})
