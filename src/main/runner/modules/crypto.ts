// The crypto module, with Node's crypto in the runner: digests and HMAC-SHA256 as lower-case hex
// (or raw bytes, or base64, for signing chains such as AWS Signature V4), and random bytes.
import { createHash, createHmac, randomBytes } from 'node:crypto'
import { lua, type LuaState } from 'fengari'
import { raise, typeName } from '../lua-values'
import { checkBytes, checkNumber, isAbsent, pushLibrary } from './library'

/** random_bytes' ceiling: plenty for keys and nonces. */
export const RANDOM_BYTES_MAX = 65536
const FORMATS = ['hex', 'raw', 'base64'] as const
type Format = (typeof FORMATS)[number]

export function openCrypto(L: LuaState): void {
  pushLibrary(L, {
    md5: (S) => digest(S, 'md5'),
    sha1: (S) => digest(S, 'sha1'),
    sha256: (S) => digest(S, 'sha256'),
    sha512: (S) => digest(S, 'sha512'),
    hmac_sha256: hmacSha256,
    random_bytes: random,
  })
}

function format(L: LuaState, idx: number, fn: string): Format {
  if (isAbsent(L, idx)) return 'hex'
  const value = lua.lua_type(L, idx) === lua.LUA_TSTRING ? lua.lua_tojsstring(L, idx) : null
  if (value === null || !(FORMATS as readonly string[]).includes(value)) {
    raise(
      L,
      `${fn}: the format (argument ${idx}) must be "hex", "raw" or "base64", got ${value === null ? typeName(L, idx) : JSON.stringify(value)}`,
    )
  }
  return value as Format
}

function push(L: LuaState, bytes: Buffer, as: Format): number {
  lua.lua_pushstring(L, as === 'raw' ? bytes : Buffer.from(bytes.toString(as), 'latin1'))
  return 1
}

function digest(L: LuaState, algorithm: 'md5' | 'sha1' | 'sha256' | 'sha512'): number {
  const fn = `crypto.${algorithm}`
  const data = checkBytes(L, 1, fn, 'data')
  const as = format(L, 2, fn)
  return push(L, createHash(algorithm).update(data).digest(), as)
}

function hmacSha256(L: LuaState): number {
  const key = checkBytes(L, 1, 'crypto.hmac_sha256', 'key')
  const message = checkBytes(L, 2, 'crypto.hmac_sha256', 'message')
  const as = format(L, 3, 'crypto.hmac_sha256')
  return push(L, createHmac('sha256', key).update(message).digest(), as)
}

function random(L: LuaState): number {
  const n = checkNumber(L, 1, 'crypto.random_bytes', 'count')
  if (!Number.isInteger(n) || n < 0 || n > RANDOM_BYTES_MAX) {
    raise(
      L,
      `crypto.random_bytes: the count must be a whole number from 0 to ${RANDOM_BYTES_MAX}, got ${n}`,
    )
  }
  lua.lua_pushstring(L, randomBytes(n))
  return 1
}
