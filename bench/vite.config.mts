// Builds the bench's TypeScript (which imports the core, the runner's sandbox and the Drive
// double straight from their sources) into CommonJS scripts in out/bench, as electron-vite
// builds out/main: Node 24 then runs plain .js files, with no TypeScript loader involved.
import { join } from 'node:path'
import { defineConfig } from 'vite'

const root = join(import.meta.dirname, '..')

export default defineConfig({
  root,
  logLevel: 'warn',
  build: {
    ssr: true,
    target: 'node22',
    outDir: join(root, 'out', 'bench'),
    emptyOutDir: true,
    minify: false,
    rollupOptions: {
      input: {
        bench: join(root, 'bench', 'main.ts'),
        'double-process': join(root, 'bench', 'double-process.ts'),
        'skwirl-host': join(root, 'bench', 'skwirl-host.ts'),
        'lua-speed': join(root, 'bench', 'lua-speed.ts'),
        'stand-in-runner': join(root, 'bench', 'stand-in-runner.ts'),
        'runner-micro': join(root, 'bench', 'runner-micro.ts'),
        'broker-micro': join(root, 'bench', 'broker-micro.ts'),
        'round-trip': join(root, 'bench', 'round-trip.ts'),
      },
      output: { format: 'cjs', entryFileNames: '[name].js' },
    },
  },
})
