import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { autostartEntry, autostartFile, setLinuxAutostart } from './linux-autostart'
import { acornBitmap } from './tray-icon'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('start at login on Linux', () => {
  it('writes an XDG autostart entry that starts Skwirl hidden, and removes it', () => {
    const config = mkdtempSync(join(tmpdir(), 'skwirl-xdg-'))
    dirs.push(config)
    const env = { XDG_CONFIG_HOME: config }
    const file = autostartFile(env)
    expect(file).toBe(join(config, 'autostart', 'skwirl.desktop'))

    setLinuxAutostart(true, ['/opt/Skwirl/skwirl'], env)
    const entry = readFileSync(file, 'utf8')
    expect(entry).toContain('[Desktop Entry]\nType=Application\nName=Skwirl\n')
    expect(entry).toContain('\nExec=/opt/Skwirl/skwirl --hidden\n')

    setLinuxAutostart(false, ['/opt/Skwirl/skwirl'], env)
    expect(existsSync(file)).toBe(false)
    setLinuxAutostart(false, ['/opt/Skwirl/skwirl'], env) // already gone: fine
  })

  it('quotes paths with spaces and the characters the spec reserves', () => {
    expect(autostartEntry(['/home/me/My Apps/electron', '/home/me/src/$kwirl 100%'])).toContain(
      'Exec="/home/me/My Apps/electron" "/home/me/src/\\$kwirl 100%%" --hidden\n',
    )
  })
})

describe('the tray icon', () => {
  it('is an acorn: a dark cap over a lighter nut, transparent around it', () => {
    const size = 24
    const pixels = acornBitmap(size, 'color')
    expect(pixels).toHaveLength(size * size * 4)
    const at = (x: number, y: number) => {
      const i = (y * size + x) * 4
      return { b: pixels[i]!, g: pixels[i + 1]!, r: pixels[i + 2]!, a: pixels[i + 3]! }
    }
    expect(at(0, 0).a).toBe(0) // corner
    expect(at(12, 10)).toEqual({ r: 122, g: 79, b: 38, a: 255 }) // cap
    expect(at(12, 16)).toEqual({ r: 214, g: 150, b: 74, a: 255 }) // nut
    expect(at(11, 4).a).toBeGreaterThan(150) // stem
    expect(at(3, 18).a).toBe(0) // beside the nut
    // The template (macOS) is black, the nut half transparent; twice the size for retina.
    const template = acornBitmap(32, 'template')
    const nut = ((21 * 32 + 16) * 4) as number
    expect([template[nut], template[nut + 1], template[nut + 2]]).toEqual([0, 0, 0])
    expect(template[nut + 3]).toBe(140)
  })
})
