// http.configure { … }: a provider says how its service wants to be called (a pace, a burst,
// how patiently to retry). Read and checked here, in the runner, so a typo or a value out of
// range is a Lua error at the line that wrote it; main applies the policy to the run.
import { lua, to_jsstring, type LuaState } from 'fengari'
import type { DeclaredHttpPolicy } from '../../shared/runner-protocol'
import { bytesAt, typeName } from './lua-values'

type Fail = (message: string) => never

interface NumberOption {
  kind: 'seconds' | 'count'
  key: keyof DeclaredHttpPolicy
  min: number
  max: number
  /** The lower bound is excluded (a backoff of 0 would not back off). */
  above?: boolean
}

const NUMBERS: Record<string, NumberOption> = {
  min_interval: { kind: 'seconds', key: 'minIntervalMs', min: 0, max: 60 },
  burst: { kind: 'count', key: 'burst', min: 1, max: 10_000 },
  attempts: { kind: 'count', key: 'attempts', min: 1, max: 10 },
  backoff: { kind: 'seconds', key: 'backoffBaseMs', min: 0, max: 60, above: true },
  backoff_max: { kind: 'seconds', key: 'backoffMaxMs', min: 0, max: 600, above: true },
  retry_after_max: { kind: 'seconds', key: 'retryAfterMaxMs', min: 0, max: 3600 },
}
const LISTS = ['retry_statuses', 'rate_limit_reasons'] as const
const ALL = [...Object.keys(NUMBERS), ...LISTS].sort()

/** Reads the table at `idx` (the argument of http.configure). */
export function readHttpPolicy(L: LuaState, idx: number, fail: Fail): DeclaredHttpPolicy {
  if (lua.lua_type(L, idx) !== lua.LUA_TTABLE) {
    fail(`expects a table such as { min_interval = 0.1, burst = 100 }, got ${typeName(L, idx)}`)
  }
  const policy: DeclaredHttpPolicy = {}
  lua.lua_pushnil(L)
  while (lua.lua_next(L, idx) !== 0) {
    const keyBytes = lua.lua_type(L, -2) === lua.LUA_TSTRING ? bytesAt(L, -2) : null
    const key = keyBytes ? to_jsstring(keyBytes, undefined, undefined, true) : null
    if (key === null || !ALL.includes(key)) {
      fail(
        `unknown option ${key === null ? `(a ${typeName(L, -2)} key)` : JSON.stringify(key)}; the options are ${ALL.join(', ')}`,
      )
    }
    const number = NUMBERS[key]
    if (number) {
      readNumber(L, key, number, policy, fail)
    } else if (key === 'retry_statuses') {
      policy.retryStatuses = readList(L, key, fail, (value, at) => {
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 100 || value > 599) {
          fail(`retry_statuses[${at}] must be an HTTP status (100-599), got ${String(value)}`)
        }
        return value
      })
    } else {
      policy.rateLimitReasons = readList(L, key, fail, (value, at) => {
        if (typeof value !== 'string' || value === '' || value.length > 100) {
          fail(`rate_limit_reasons[${at}] must be a reason such as "rateLimitExceeded"`)
        }
        return value
      })
    }
    lua.lua_pop(L, 1)
  }
  const base = policy.backoffBaseMs
  const max = policy.backoffMaxMs
  if (base !== undefined && max !== undefined && max < base) {
    fail(`backoff_max (${max / 1000} s) must not be less than backoff (${base / 1000} s)`)
  }
  return policy
}

function readNumber(
  L: LuaState,
  key: string,
  option: NumberOption,
  into: DeclaredHttpPolicy,
  fail: Fail,
): void {
  if (lua.lua_type(L, -1) !== lua.LUA_TNUMBER) {
    fail(
      `${key} must be a number${option.kind === 'seconds' ? ' of seconds' : ''}, got ${typeName(L, -1)}`,
    )
  }
  const value = lua.lua_tonumber(L, -1)
  const low = option.above ? value <= option.min : value < option.min
  if (!Number.isFinite(value) || low || value > option.max) {
    const range = `${option.above ? 'more than' : 'from'} ${option.min}${option.above ? ' and at most' : ' to'} ${option.max}`
    fail(`${key} must be ${range}${option.kind === 'seconds' ? ' seconds' : ''}, got ${value}`)
  }
  if (option.kind === 'count' && !Number.isInteger(value)) {
    fail(`${key} must be a whole number, got ${value}`)
  }
  const stored = option.kind === 'seconds' ? Math.round(value * 1000) : value
  ;(into as Record<string, number>)[option.key] = stored
}

function readList<T>(
  L: LuaState,
  key: string,
  fail: Fail,
  check: (value: number | string | null, at: number) => T,
): T[] {
  if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) fail(`${key} must be a list, got ${typeName(L, -1)}`)
  const length = lua.lua_rawlen(L, -1)
  if (length > 50) fail(`${key} may hold at most 50 entries`)
  const out: T[] = []
  for (let at = 1; at <= length; at++) {
    lua.lua_rawgeti(L, -1, at)
    const type = lua.lua_type(L, -1)
    const value =
      type === lua.LUA_TNUMBER
        ? lua.lua_tonumber(L, -1)
        : type === lua.LUA_TSTRING
          ? to_jsstring(bytesAt(L, -1) ?? new Uint8Array(), undefined, undefined, true)
          : null
    lua.lua_pop(L, 1)
    out.push(check(value, at))
  }
  return out
}
