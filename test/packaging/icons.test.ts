// Every icon the installers need, drawn from resources/icon.svg at each size.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateIcons, ICNS_ENTRIES, LINUX_SIZES, WINDOWS_SIZES } from '../../scripts/icons.mjs'

const SVG = join(__dirname, '..', '..', 'resources', 'icon.svg')
let out = ''

/** A PNG's width and height, from its IHDR chunk. */
function pngSize(png: Buffer): [number, number] {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG')
  return [png.readUInt32BE(16), png.readUInt32BE(20)]
}

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'skwirl-icons-'))
  await generateIcons(SVG, out)
})
afterAll(() => rmSync(out, { recursive: true, force: true }))

describe('icons from one SVG', () => {
  it('draws each Linux size, and a 1024 px icon.png', () => {
    for (const size of LINUX_SIZES) {
      expect(pngSize(readFileSync(join(out, 'icons', `${size}x${size}.png`)))).toEqual([size, size])
    }
    expect(pngSize(readFileSync(join(out, 'icon.png')))).toEqual([1024, 1024])
  })

  it('writes an .ico holding every Windows size', () => {
    const ico = readFileSync(join(out, 'icon.ico'))
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1])
    const count = ico.readUInt16LE(4)
    // Each directory entry: width and height in a byte each, 0 meaning 256.
    const sizes = Array.from({ length: count }, (_, i) => ico[6 + 16 * i] || 256)
    expect(sizes).toEqual(WINDOWS_SIZES)
  })

  it('writes an .icns whose entries are PNGs of the sizes their types say', () => {
    const icns = readFileSync(join(out, 'icon.icns'))
    expect(icns.subarray(0, 4).toString('latin1')).toBe('icns')
    expect(icns.readUInt32BE(4)).toBe(icns.length)
    const entries: Array<[string, number]> = []
    for (let at = 8; at < icns.length;) {
      const type = icns.subarray(at, at + 4).toString('latin1')
      const length = icns.readUInt32BE(at + 4)
      const [width, height] = pngSize(icns.subarray(at + 8, at + length))
      expect(height).toBe(width)
      entries.push([type, width])
      at += length
    }
    expect(entries).toEqual(ICNS_ENTRIES)
  })
})
