import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'
import type { Plugin } from 'vite'
import { precompress } from './scripts/vite-precompress.mjs'

// Vite's dev server injects inline scripts and styles (HMR); only `npm run dev` relaxes the CSP.
const devCsp: Plugin = {
  name: 'skwirl-dev-csp',
  apply: 'serve',
  transformIndexHtml: (html) =>
    html
      .replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
      .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
}

// Main-side entries: the Electron shell, the Lua runner process and the CLI (which also serves
// browser mode). All three are CommonJS so that plain Node and Electron load them alike.
export default defineConfig(({ mode }) => ({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          runner: resolve(__dirname, 'src/main/runner/index.ts'),
          cli: resolve(__dirname, 'src/main/cli/index.ts'),
        },
        output: { format: 'cjs', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        // A sandboxed preload must be a CommonJS script.
        output: { format: 'cjs', entryFileNames: '[name].js' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
      // electron-vite leaves the renderer unminified; what ships is minified. Source maps come
      // with `npm run dev` and `electron-vite build --mode development`.
      minify: mode !== 'development',
      sourcemap: mode === 'development',
      // The budget for the renderer's JavaScript (issue 17): the build warns past it.
      chunkSizeWarningLimit: 800,
    },
    // Browser mode serves the .br/.gz copies; the desktop app's package leaves them out.
    plugins: [react(), devCsp, precompress()],
  },
}))
