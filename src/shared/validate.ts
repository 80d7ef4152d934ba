import type { ProviderInput, ProviderUpdate, RunFilesQuery, SkwirlApi } from './api'
import { RUN_FILES_PAGE_MAX } from './api'
import { ApiError } from './errors'
import { MAX_PROVIDER_CODE_LENGTH, MAX_PROVIDER_NAME_LENGTH } from './provider-rules'

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

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function parseObject(
  method: string,
  what: string,
  value: unknown,
  keys: readonly string[],
): Record<string, unknown> {
  if (!isPlainObject(value))
    invalid(`${method}: ${what} must be an object, got ${describe(value)}.`)
  const extra = Object.keys(value).find((key) => !keys.includes(key))
  if (extra !== undefined)
    invalid(`${method}: ${what} has an unknown field ${JSON.stringify(extra)}.`)
  return value
}

// Lengths are checked here, before anything else reads the strings; the name's own rules (blank,
// line breaks) are the store's, which words them for the person typing.
function parseName(method: string, value: unknown): string {
  if (typeof value !== 'string')
    invalid(`${method}: name must be a string, got ${describe(value)}.`)
  if (value.length > MAX_PROVIDER_NAME_LENGTH * 4)
    invalid(`${method}: a name can be at most ${MAX_PROVIDER_NAME_LENGTH} characters long.`)
  return value
}

function parseCode(method: string, value: unknown): string {
  if (typeof value !== 'string')
    invalid(`${method}: code must be a string, got ${describe(value)}.`)
  if (value.length > MAX_PROVIDER_CODE_LENGTH) {
    invalid(
      `${method}: the code is too long (the limit is ${MAX_PROVIDER_CODE_LENGTH.toLocaleString('en-US')} characters).`,
    )
  }
  return value
}

export function parseProviderInput(method: string, value: unknown): ProviderInput {
  const input = parseObject(method, 'the provider', value, ['name', 'code'])
  return { name: parseName(method, input.name), code: parseCode(method, input.code) }
}

function parseProviderUpdate(method: string, value: unknown): ProviderUpdate {
  const input = parseObject(method, 'the provider', value, ['name', 'code', 'expectedUpdatedAt'])
  const expected = input.expectedUpdatedAt
  if (expected !== null && (typeof expected !== 'string' || expected.length > 64)) {
    invalid(
      `${method}: expectedUpdatedAt must be a time string or null, got ${describe(expected)}.`,
    )
  }
  return {
    name: parseName(method, input.name),
    code: parseCode(method, input.code),
    expectedUpdatedAt: expected,
  }
}

function parseCount(method: string, what: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    invalid(`${method}: ${what} must be a whole number from 0 to ${max}, got ${describe(value)}.`)
  }
  return value
}

function parseRunFilesQuery(method: string, value: unknown): RunFilesQuery {
  const query = parseObject(method, 'the query', value, ['runId', 'filter', 'offset', 'limit'])
  if (query.filter !== 'all' && query.filter !== 'failed') {
    invalid(`${method}: filter must be "all" or "failed", got ${describe(query.filter)}.`)
  }
  return {
    runId: parseId(method, 'runId', query.runId),
    filter: query.filter,
    offset: parseCount(method, 'offset', query.offset, Number.MAX_SAFE_INTEGER),
    limit: parseCount(method, 'limit', query.limit, RUN_FILES_PAGE_MAX),
  }
}

export const argParsers: ArgParsers = {
  listProviders: (args) => (arity('listProviders', args, 0), []),
  getProvider: (args) => (arity('getProvider', args, 1), [parseId('getProvider', 'id', args[0])]),
  createProvider: (args) => (
    arity('createProvider', args, 1),
    [parseProviderInput('createProvider', args[0])]
  ),
  updateProvider: (args) => (
    arity('updateProvider', args, 2),
    [parseId('updateProvider', 'id', args[0]), parseProviderUpdate('updateProvider', args[1])]
  ),
  duplicateProvider: (args) => (
    arity('duplicateProvider', args, 1),
    [parseId('duplicateProvider', 'id', args[0])]
  ),
  deleteProvider: (args) => (
    arity('deleteProvider', args, 1),
    [parseId('deleteProvider', 'id', args[0])]
  ),
  checkProviderCode: (args) => (
    arity('checkProviderCode', args, 1),
    [parseProviderInput('checkProviderCode', args[0])]
  ),
  importProviderFile: (args) => (arity('importProviderFile', args, 0), []),
  exportProviderFile: (args) => (
    arity('exportProviderFile', args, 1),
    [parseId('exportProviderFile', 'id', args[0])]
  ),
  execute: (args) => (arity('execute', args, 1), [parseId('execute', 'providerId', args[0])]),
  listRuns: (args) => (arity('listRuns', args, 0), []),
  listProviderRuns: (args) => (
    arity('listProviderRuns', args, 1),
    [parseId('listProviderRuns', 'providerId', args[0])]
  ),
  listRunFiles: (args) => (
    arity('listRunFiles', args, 1),
    [parseRunFilesQuery('listRunFiles', args[0])]
  ),
  cancelRun: (args) => (arity('cancelRun', args, 1), [parseId('cancelRun', 'runId', args[0])]),
  openLogFile: (args) => (arity('openLogFile', args, 0), []),
}
