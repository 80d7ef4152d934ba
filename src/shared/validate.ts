import type {
  AppSettings,
  ExecuteOptions,
  LogLevel,
  ProviderInput,
  ProviderOptionsPatch,
  ProviderUpdate,
  RunFilesQuery,
  SettingsChanges,
  RunLogQuery,
  SkwirlApi,
  TestRequest,
} from './api'
import {
  DEFAULT_APP_SETTINGS,
  LOG_LEVELS,
  RUN_FILES_PAGE_MAX,
  RUN_LOG_PAGE_MAX,
  RUN_LOG_SEARCH_MAX,
  TEST_LIMIT_MAX,
  transfersProblem,
} from './api'
import { ApiError } from './errors'
import { DECLARATION_LIMITS } from './provider-declaration'
import { MAX_PROVIDER_CODE_LENGTH, MAX_PROVIDER_NAME_LENGTH } from './provider-rules'
import { scheduleProblem, type Schedule, type Weekday } from './schedule'

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

function parseTestRequest(method: string, value: unknown): TestRequest {
  const input = parseObject(method, 'the test', value, ['providerId', 'name', 'code', 'limit'])
  const request: TestRequest = {
    providerId: input.providerId === null ? null : parseId(method, 'providerId', input.providerId),
    name: parseName(method, input.name),
    code: parseCode(method, input.code),
  }
  if (input.limit !== undefined) {
    if (
      typeof input.limit !== 'number' ||
      !Number.isSafeInteger(input.limit) ||
      input.limit < 1 ||
      input.limit > TEST_LIMIT_MAX
    ) {
      invalid(
        `${method}: limit must be a whole number from 1 to ${TEST_LIMIT_MAX}, got ${describe(input.limit)}.`,
      )
    }
    request.limit = input.limit
  }
  return request
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
  if (query.filter !== 'all' && query.filter !== 'failed' && query.filter !== 'skipped') {
    invalid(
      `${method}: filter must be "all", "failed" or "skipped", got ${describe(query.filter)}.`,
    )
  }
  return {
    runId: parseId(method, 'runId', query.runId),
    filter: query.filter,
    offset: parseCount(method, 'offset', query.offset, Number.MAX_SAFE_INTEGER),
    limit: parseCount(method, 'limit', query.limit, RUN_FILES_PAGE_MAX),
  }
}

function parseSchedule(method: string, value: unknown): Schedule {
  if (!isPlainObject(value) || typeof value.kind !== 'string') {
    invalid(`${method}: the schedule must be an object with a kind, got ${describe(value)}.`)
  }
  let schedule: Schedule
  switch (value.kind) {
    case 'off':
      parseObject(method, 'the schedule', value, ['kind'])
      schedule = { kind: 'off' }
      break
    case 'interval': {
      const v = parseObject(method, 'the schedule', value, ['kind', 'hours'])
      schedule = { kind: 'interval', hours: v.hours as number }
      break
    }
    case 'daily': {
      const v = parseObject(method, 'the schedule', value, ['kind', 'time'])
      schedule = { kind: 'daily', time: v.time as string }
      break
    }
    case 'weekly': {
      const v = parseObject(method, 'the schedule', value, ['kind', 'weekday', 'time'])
      schedule = { kind: 'weekly', weekday: v.weekday as Weekday, time: v.time as string }
      break
    }
    default:
      invalid(
        `${method}: a schedule's kind is off, interval, daily or weekly, got ${describe(value.kind)}.`,
      )
  }
  const problem = scheduleProblem(schedule)
  if (problem) invalid(`${method}: ${problem}`)
  return schedule
}

/** What is wrong with a value for one app setting; null when it is fine. */
export function appSettingProblem(key: keyof AppSettings, value: unknown): string | null {
  if (key === 'logLevel') {
    return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value)
      ? null
      : `logLevel must be one of ${LOG_LEVELS.join(', ')}, got ${describe(value)}.`
  }
  return typeof value === 'boolean' ? null : `${key} must be true or false, got ${describe(value)}.`
}

function parseAppSettingsChanges(method: string, value: unknown): Partial<AppSettings> {
  const keys = Object.keys(DEFAULT_APP_SETTINGS) as Array<keyof AppSettings>
  const changes = parseObject(method, 'the settings', value, keys)
  for (const key of keys) {
    if (!(key in changes)) continue
    const problem = appSettingProblem(key, changes[key])
    if (problem) invalid(`${method}: ${problem}`)
  }
  return changes as Partial<AppSettings>
}
function parseSettingsChanges(method: string, value: unknown): SettingsChanges {
  if (!isPlainObject(value))
    invalid(`${method}: the changes must be an object, got ${describe(value)}.`)
  const entries = Object.entries(value)
  if (entries.length > DECLARATION_LIMITS.settings) {
    invalid(`${method}: at most ${DECLARATION_LIMITS.settings} settings at once.`)
  }
  const changes: SettingsChanges = {}
  for (const [key, setting] of entries) {
    if (!/^[a-z][a-z0-9_]*$/.test(key) || key.length > DECLARATION_LIMITS.keyLength) {
      invalid(`${method}: ${describe(key)} is not a setting key.`)
    }
    if (setting !== null && typeof setting !== 'string') {
      invalid(`${method}: the value of ${key} must be a string or null, got ${describe(setting)}.`)
    }
    if (typeof setting === 'string' && setting.length > DECLARATION_LIMITS.valueLength) {
      invalid(
        `${method}: the value of ${key} is too long (at most ${DECLARATION_LIMITS.valueLength} characters).`,
      )
    }
    changes[key] = setting
  }
  return changes
}

const idOnly =
  <M extends keyof SkwirlApi>(method: M) =>
  (args: unknown[]): [string] => (arity(method, args, 1), [parseId(method, 'id', args[0])])

function parseExecuteOptions(method: string, value: unknown): ExecuteOptions {
  const options = parseObject(method, 'the options', value, ['verifyAll'])
  if (options.verifyAll !== undefined && typeof options.verifyAll !== 'boolean') {
    invalid(`${method}: verifyAll must be true or false, got ${describe(options.verifyAll)}.`)
  }
  return options.verifyAll === undefined ? {} : { verifyAll: options.verifyAll }
}

/** A folder path as typed: checked for what it names by main's options store. */
const MAX_FOLDER_PATH_LENGTH = 4096

function parseOptionsPatch(method: string, value: unknown): ProviderOptionsPatch {
  const patch = parseObject(method, 'the options', value, [
    'destination',
    'retentionDays',
    'schedule',
    'transfers',
  ])
  const result: ProviderOptionsPatch = {}
  if (patch.destination !== undefined) {
    const destination = patch.destination
    if (destination !== null && typeof destination !== 'string') {
      invalid(`${method}: destination must be a folder path or null, got ${describe(destination)}.`)
    }
    if (typeof destination === 'string' && destination.length > MAX_FOLDER_PATH_LENGTH) {
      invalid(`${method}: the folder path is too long.`)
    }
    result.destination = destination
  }
  if (patch.retentionDays !== undefined) {
    result.retentionDays = parseCount(method, 'retentionDays', patch.retentionDays, 36_500)
  }
  if (patch.schedule !== undefined) result.schedule = parseSchedule(method, patch.schedule)
  if (patch.transfers !== undefined) {
    const problem = transfersProblem(patch.transfers)
    if (problem !== null) invalid(`${method}: ${problem}.`)
    result.transfers = patch.transfers as number
  }
  return result
}

function parseRunLogQuery(method: string, value: unknown): RunLogQuery {
  const query = parseObject(method, 'the query', value, [
    'runId',
    'levels',
    'search',
    'fileId',
    'offset',
    'limit',
  ])
  const levels = query.levels
  if (
    !Array.isArray(levels) ||
    levels.length > LOG_LEVELS.length ||
    !levels.every((level) => (LOG_LEVELS as readonly unknown[]).includes(level))
  ) {
    invalid(
      `${method}: levels must be a list of ${LOG_LEVELS.join(', ')}, got ${describe(levels)}.`,
    )
  }
  if (typeof query.search !== 'string' || query.search.length > RUN_LOG_SEARCH_MAX) {
    invalid(`${method}: search must be a string of at most ${RUN_LOG_SEARCH_MAX} characters.`)
  }
  const fileId = query.fileId
  if (
    fileId !== null &&
    (typeof fileId !== 'string' || fileId.length === 0 || fileId.length > 4096)
  ) {
    invalid(`${method}: fileId must be a file id or null, got ${describe(fileId)}.`)
  }
  return {
    runId: parseId(method, 'runId', query.runId),
    levels: [...new Set(levels as LogLevel[])],
    search: query.search,
    fileId,
    offset: parseCount(method, 'offset', query.offset, Number.MAX_SAFE_INTEGER),
    limit: parseCount(method, 'limit', query.limit, RUN_LOG_PAGE_MAX),
  }
}

export const argParsers: ArgParsers = {
  listProviders: (args) => (arity('listProviders', args, 0), []),
  listProviderTemplates: (args) => (arity('listProviderTemplates', args, 0), []),
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
  testProvider: (args) => (
    arity('testProvider', args, 1),
    [parseTestRequest('testProvider', args[0])]
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
  takeOpenedProviderFiles: (args) => (arity('takeOpenedProviderFiles', args, 0), []),
  execute: (args) => {
    if (args.length === 2) {
      return [parseId('execute', 'providerId', args[0]), parseExecuteOptions('execute', args[1])]
    }
    arity('execute', args, 1)
    return [parseId('execute', 'providerId', args[0])]
  },
  listRuns: (args) => (arity('listRuns', args, 0), []),
  listProviderRuns: (args) => (
    arity('listProviderRuns', args, 1),
    [parseId('listProviderRuns', 'providerId', args[0])]
  ),
  listRunFiles: (args) => (
    arity('listRunFiles', args, 1),
    [parseRunFilesQuery('listRunFiles', args[0])]
  ),
  listRunLog: (args) => (arity('listRunLog', args, 1), [parseRunLogQuery('listRunLog', args[0])]),
  cancelRun: (args) => (arity('cancelRun', args, 1), [parseId('cancelRun', 'runId', args[0])]),
  openLogFile: (args) => (arity('openLogFile', args, 0), []),
  listBackupStatus: (args) => (arity('listBackupStatus', args, 0), []),
  getAppSettings: (args) => (arity('getAppSettings', args, 0), []),
  updateAppSettings: (args) => (
    arity('updateAppSettings', args, 1),
    [parseAppSettingsChanges('updateAppSettings', args[0])]
  ),
  listProviderOptions: (args) => (arity('listProviderOptions', args, 0), []),
  setProviderOptions: (args) => (
    arity('setProviderOptions', args, 2),
    [
      parseId('setProviderOptions', 'providerId', args[0]),
      parseOptionsPatch('setProviderOptions', args[1]),
    ]
  ),
  chooseDestinationFolder: (args) => (arity('chooseDestinationFolder', args, 0), []),
  openDestinationFolder: (args) => (
    arity('openDestinationFolder', args, 1),
    [parseId('openDestinationFolder', 'providerId', args[0])]
  ),
  checkBackup: (args) => (
    arity('checkBackup', args, 1),
    [parseId('checkBackup', 'providerId', args[0])]
  ),
  getProviderSettings: idOnly('getProviderSettings'),
  updateProviderSettings: (args) => (
    arity('updateProviderSettings', args, 2),
    [
      parseId('updateProviderSettings', 'id', args[0]),
      parseSettingsChanges('updateProviderSettings', args[1]),
    ]
  ),
  startSignIn: idOnly('startSignIn'),
  cancelSignIn: idOnly('cancelSignIn'),
  signOut: idOnly('signOut'),
  getShippedUpdate: idOnly('getShippedUpdate'),
  applyShippedUpdate: idOnly('applyShippedUpdate'),
  dismissShippedUpdate: idOnly('dismissShippedUpdate'),
}
