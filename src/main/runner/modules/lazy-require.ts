// Libraries a module needs only when a provider calls it (saxes, yaml): loaded on first use, so
// that a runner's start, which every run waits for, does not pay for them.
import { createRequire } from 'node:module'

const load = createRequire(__filename)

/** A function that loads the package the first time it is called and returns it every time. */
export function lazyRequire<T>(id: string): () => T {
  let loaded: T | undefined
  return () => (loaded ??= load(id) as T)
}
