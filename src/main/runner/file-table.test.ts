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
