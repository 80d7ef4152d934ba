// The tray's acorn, drawn as pixels at the size the tray wants (the same acorn as the page's
// header), so that the shell needs no image files. No electron here: it is tested in plain Node.

/** Which of the acorn's parts a point of its 24×24 drawing falls in, if any. */
function partAt(x: number, y: number): 'cap' | 'nut' | 'stem' | null {
  if (x >= 11.2 && x <= 12.8 && y >= 2.4 && y < 6.5) return 'stem'
  const dx = x - 12
  // The cap: a dome from y 6 (middle) to 10.4 (edges), down to y 12.
  if (Math.abs(dx) <= 8 && y <= 12 && y >= 6 + (dx / 8) ** 2 * 4.4) return 'cap'
  // The nut: half an ellipse under the cap, 12 wide, to y 21.6.
  if (y > 12 && y <= 21.6) {
    const half = 6 * Math.sqrt(Math.max(0, 1 - ((y - 12) / 9.6) ** 2))
    if (Math.abs(dx) <= half) return 'nut'
  }
  return null
}

type Rgb = readonly [number, number, number]

/** Brown acorn (Windows, Linux); black with alpha for macOS's template images. */
const COLORS: Record<'color' | 'template', Record<'cap' | 'nut' | 'stem', Rgb>> = {
  color: { cap: [122, 79, 38], nut: [214, 150, 74], stem: [122, 79, 38] },
  template: { cap: [0, 0, 0], nut: [0, 0, 0], stem: [0, 0, 0] },
}

/**
 * The acorn as BGRA pixels (what nativeImage.createFromBitmap takes), `size` pixels square,
 * anti-aliased with 4×4 samples a pixel. In the template style the nut is lighter than the cap.
 */
export function acornBitmap(size: number, style: 'color' | 'template'): Buffer {
  const pixels = Buffer.alloc(size * size * 4)
  const samples = 4
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0
      let g = 0
      let b = 0
      let a = 0
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = ((px + (sx + 0.5) / samples) / size) * 24
          const y = ((py + (sy + 0.5) / samples) / size) * 24
          const part = partAt(x, y)
          if (!part) continue
          const [cr, cg, cb] = COLORS[style][part]
          const alpha = style === 'template' && part === 'nut' ? 0.55 : 1
          r += cr * alpha
          g += cg * alpha
          b += cb * alpha
          a += alpha
        }
      }
      const at = (py * size + px) * 4
      const n = samples * samples
      // Premultiplied by coverage, as Skia's N32 bitmaps are.
      pixels[at] = Math.round(b / n)
      pixels[at + 1] = Math.round(g / n)
      pixels[at + 2] = Math.round(r / n)
      pixels[at + 3] = Math.round((a / n) * 255)
    }
  }
  return pixels
}
