import { describe, expect, it } from 'vitest'
import { capText } from './text-limits'

describe('capText', () => {
  it('leaves text within the limit alone', () => {
    expect(capText('short', 100)).toBe('short')
    expect(capText('x'.repeat(100), 100)).toBe('x'.repeat(100))
  })

  it('cuts longer text to the limit, saying how much was cut, and cutting again changes nothing', () => {
    const capped = capText('x'.repeat(1_000_000), 200)
    expect(capped).toMatch(/^x+… \[999,848 more characters cut]$/)
    expect(capped.length).toBeLessThanOrEqual(200)
    expect(capText(capped, 200)).toBe(capped)
  })

  it('never splits a surrogate pair', () => {
    const capped = capText(`${'a'.repeat(151)}😀${'b'.repeat(100)}`, 200)
    expect(capped.startsWith(`${'a'.repeat(151)}…`)).toBe(true)
    expect(capped).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/)
  })
})
