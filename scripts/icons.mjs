// `npm run icons`: every icon the installers need, drawn from the one resources/icon.svg:
// PNGs at each size for Linux, an .icns for macOS and an .ico for Windows, in build/ (where
// electron-builder looks). Each size is rendered from the SVG, never scaled from another PNG.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Resvg } from '@resvg/resvg-js'
import pngToIco from 'png-to-ico'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** The hicolor theme's sizes (the .desktop file's icon) and the 1024 px master. */
export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024]
/** Explorer, the taskbar and the installer pick from these (256 is the largest an .ico holds). */
export const WINDOWS_SIZES = [16, 24, 32, 48, 64, 128, 256]
/** The PNG-bearing .icns entries (macOS 10.7+): 1x and Retina 2x of 16, 32, 128, 256 and 512. */
export const ICNS_ENTRIES = [
  ['icp4', 16],
  ['ic11', 32],
  ['icp5', 32],
  ['ic12', 64],
  ['ic07', 128],
  ['ic13', 256],
  ['ic08', 256],
  ['ic14', 512],
  ['ic09', 512],
  ['ic10', 1024],
]

/** @param {Buffer} svg @param {number} size */
export function renderPng(svg, size) {
  return new Resvg(svg, { fitTo: { mode: 'width', value: size } }).render().asPng()
}

/** An Apple Icon Image: 'icns', its length, then (type, length, PNG) entries, all big-endian. */
export function icnsFromPngs(/** @type {Array<[string, Buffer]>} */ entries) {
  const chunks = entries.map(([type, png]) => {
    const header = Buffer.alloc(8)
    header.write(type, 0, 'latin1')
    header.writeUInt32BE(png.length + 8, 4)
    return Buffer.concat([header, png])
  })
  const body = Buffer.concat(chunks)
  const header = Buffer.alloc(8)
  header.write('icns', 0, 'latin1')
  header.writeUInt32BE(body.length + 8, 4)
  return Buffer.concat([header, body])
}

/** Writes build/icons/NxN.png, build/icon.png, build/icon.icns and build/icon.ico into `outDir`. */
export async function generateIcons(svgPath, outDir) {
  const svg = readFileSync(svgPath)
  /** @type {Map<number, Buffer>} */
  const pngs = new Map()
  const png = (/** @type {number} */ size) => {
    let image = pngs.get(size)
    if (!image) pngs.set(size, (image = renderPng(svg, size)))
    return image
  }
  const written = []
  const write = (/** @type {string} */ name, /** @type {Buffer} */ data) => {
    const path = join(outDir, name)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, data)
    written.push(path)
  }
  for (const size of LINUX_SIZES) write(join('icons', `${size}x${size}.png`), png(size))
  write('icon.png', png(1024))
  write('icon.icns', icnsFromPngs(ICNS_ENTRIES.map(([type, size]) => [type, png(size)])))
  write('icon.ico', await pngToIco(WINDOWS_SIZES.map((size) => png(size))))
  return written
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outDir = join(root, 'build')
  const written = await generateIcons(join(root, 'resources', 'icon.svg'), outDir)
  console.log(`Icons: ${written.length} files in build/ from resources/icon.svg.`)
}
