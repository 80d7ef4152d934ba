// Saves one provider over and over until it is killed: the crash test's victim. Loads the real
// ProviderStore from the TypeScript sources (Node 24 with --experimental-transform-types).
// Usage: node --experimental-transform-types crash-writer.mjs <data dir> <provider id>
import { registerHooks } from 'node:module'

// The sources import without extensions, as the bundler allows; Node needs the .ts spelled out.
registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context)
    } catch (error) {
      if (specifier.startsWith('.')) return next(`${specifier}.ts`, context)
      throw error
    }
  },
})

const { openDatabase } = await import('../../src/main/core/database.ts')
const { ProviderStore } = await import('../../src/main/core/provider-store.ts')
const { crashVersion } = await import('./crash-versions.ts')

const [dataDir, id] = process.argv.slice(2)
const store = new ProviderStore(openDatabase(dataDir))
// One save before saying so: the first is slow (the Lua compile check warms up), and a loaded
// machine could otherwise see every kill land before any save began.
store.update(id, { ...crashVersion(1), expectedUpdatedAt: null })
process.stdout.write('writing\n')
for (let n = 2; ; n++) {
  const version = crashVersion(n)
  store.update(id, { ...version, expectedUpdatedAt: null })
}
