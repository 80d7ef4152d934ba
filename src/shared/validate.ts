import type { SkwirlApi } from './api'
import { ApiError } from './errors'

// Main does not trust the renderer: every argument is checked here before a handler sees it.

type ArgParsers = { [K in keyof SkwirlApi]: (args: unknown[]) => Parameters<SkwirlApi[K]> }

function invalid(message: string): never {
  throw new ApiError('invalid-argument', message)
}

function arity(method: string, args: unknown[], count: number): void {
  if (args.length !== count) {
    invalid(`${method} takes ${count} argument${count === 1 ? '' : 's'}, got ${args.length}.`)
  }
}

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/

export function parseId(method: string, what: string, value: unknown): string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
    invalid(
      `${method}: ${what} must be an id string (letters, digits, - and _), got ${describe(value)}.`,
    )
  }
  return value
}

export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return value.length > 40 ? 'a long string' : JSON.stringify(value)
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`
}

export const argParsers: ArgParsers = {
  listProviders: (args) => (arity('listProviders', args, 0), []),
  getProvider: (args) => (arity('getProvider', args, 1), [parseId('getProvider', 'id', args[0])]),
  execute: (args) => (arity('execute', args, 1), [parseId('execute', 'providerId', args[0])]),
  listRuns: (args) => (arity('listRuns', args, 0), []),
}
