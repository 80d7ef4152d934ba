// A Vite plugin: writes a Brotli (.br) and a gzip (.gz) copy beside each text file of the build,
// once, at the highest levels, so that browser mode serves them without compressing per request.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|txt)$/

/** @param {{ minBytes?: number }} [options] smaller files are not worth a second request path */
export function precompress({ minBytes = 1024 } = {}) {
  /** @type {string} */
  let outDir = ''
  return {
    name: 'skwirl-precompress',
    apply: /** @type {const} */ ('build'),
    /** @param {{ build: { outDir: string } }} config */
    configResolved(config) {
      outDir = config.build.outDir
    },
    /** @param {{ dir?: string }} output @param {Record<string, unknown>} bundle */
    writeBundle(output, bundle) {
      for (const name of Object.keys(bundle)) {
        if (!COMPRESSIBLE.test(name)) continue
        const path = join(output.dir ?? outDir, name)
        const data = readFileSync(path)
        if (data.length < minBytes) continue
        const brotli = brotliCompressSync(data, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
            [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
          },
        })
        const gzip = gzipSync(data, { level: constants.Z_BEST_COMPRESSION })
        if (brotli.length < data.length) writeFileSync(`${path}.br`, brotli)
        if (gzip.length < data.length) writeFileSync(`${path}.gz`, gzip)
      }
    },
  }
}
