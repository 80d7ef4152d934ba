// The aws module: aws.sign { … } signs a request with AWS Signature Version 4. The signing is
// done by main (a host call), which reads the keys from the provider's settings: the secret key
// is named here, never passed, so that it never enters Lua.
import { lua, to_luastring, type LuaState } from 'fengari'
import { getField } from '../fengari-fast'
import type { HostCall, HostReply } from '../../../shared/runner-protocol'
import { bytesAt, pushText, raise, readStringMap, stringAt, typeName } from '../lua-values'

/** The sandbox's way to make a host call from a library function and deliver its reply. */
export type HostCaller = (
  L: LuaState,
  fn: string,
  call: HostCall,
  deliver: (L: LuaState, reply: HostReply) => number,
) => number

const FN = 'aws.sign'
const FIELDS =
  '{ method, url, params, headers, body, payload_hash, region, service, access_key or access_key_setting, secret_key_setting }'

/** Pushes the aws module table. */
export function openAws(L: LuaState, hostCall: HostCaller): void {
  lua.lua_createtable(L, 0, 1)
  lua.lua_pushjsfunction(L, (S) => awsSign(S, hostCall))
  lua.lua_setfield(L, -2, to_luastring('sign'))
}

function awsSign(L: LuaState, hostCall: HostCaller): number {
  if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) {
    raise(L, `${FN}: expects a table ${FIELDS}, got ${typeName(L, 1)}`)
  }
  lua.lua_settop(L, 1)
  const fail = (message: string): never => raise(L, `${FN}: ${message}`)
  const text = (key: string, required: boolean): string | null => {
    getField(L, 1, key)
    const absent = lua.lua_type(L, -1) === lua.LUA_TNIL
    const value = stringAt(L, -1)
    const got = typeName(L, -1)
    lua.lua_pop(L, 1)
    if (absent) {
      if (required) fail(`${key} is required (a string)`)
      return null
    }
    if (value === null) fail(`${key} must be a string, got ${got}`)
    return value
  }
  const url = text('url', true) as string
  const method = (text('method', false) ?? 'GET').toUpperCase()
  if (!/^[A-Z][A-Z-]*$/.test(method)) fail(`method must be an HTTP method, got "${method}"`)
  const region = text('region', true) as string
  const service = text('service', true) as string
  const accessKey = text('access_key', false)
  const accessKeySetting = text('access_key_setting', false)
  if ((accessKey === null) === (accessKeySetting === null)) {
    fail('give access_key (the key id) or access_key_setting (the setting holding it), one of them')
  }
  const secretKeySetting = text('secret_key_setting', false)
  if (secretKeySetting === null) {
    getField(L, 1, 'secret_key')
    const given = lua.lua_type(L, -1) !== lua.LUA_TNIL
    lua.lua_pop(L, 1)
    fail(
      given
        ? 'secret_key is not accepted: name the setting that holds it with secret_key_setting, so that the key never enters Lua'
        : 'secret_key_setting is required (the name of the secret setting that holds the secret access key)',
    )
  }
  const payloadHash = text('payload_hash', false)
  if (payloadHash !== null && !/^([0-9a-f]{64}|UNSIGNED-PAYLOAD)$/.test(payloadHash)) {
    fail('payload_hash must be a SHA-256 in lower-case hex or "UNSIGNED-PAYLOAD"')
  }
  getField(L, 1, 'body')
  let body: Uint8Array | null = null
  if (lua.lua_type(L, -1) !== lua.LUA_TNIL) {
    body = bytesAt(L, -1)
    if (body === null) fail(`body must be a string, got ${typeName(L, -1)}`)
    body = new Uint8Array(body as Uint8Array)
  }
  getField(L, 1, 'time')
  let time: number | null = null
  if (lua.lua_type(L, -1) !== lua.LUA_TNIL) {
    if (lua.lua_type(L, -1) !== lua.LUA_TNUMBER) fail(`time must be a number of seconds`)
    time = lua.lua_tonumber(L, -1)
  }
  getField(L, 1, 'headers')
  const headers = readStringMap(L, -1, 'headers', fail)
  getField(L, 1, 'params')
  const params = readStringMap(L, -1, 'params', fail)
  lua.lua_settop(L, 1)

  const call: HostCall = {
    method: 'aws.sign',
    verb: method,
    url,
    headers,
    params,
    body,
    payloadHash,
    region,
    service,
    accessKey,
    accessKeySetting,
    secretKeySetting: secretKeySetting as string,
    time,
  }
  return hostCall(L, FN, call, (S, reply) => {
    if (reply.method !== 'aws.sign') return 0
    lua.lua_createtable(S, 0, 4)
    lua.lua_pushstring(S, to_luastring(method))
    lua.lua_setfield(S, -2, to_luastring('method'))
    pushText(S, reply.url)
    lua.lua_setfield(S, -2, to_luastring('url'))
    lua.lua_createtable(S, 0, Object.keys(reply.headers).length)
    for (const [name, value] of Object.entries(reply.headers)) {
      pushText(S, value)
      lua.lua_setfield(S, -2, to_luastring(name))
    }
    lua.lua_setfield(S, -2, to_luastring('headers'))
    if (body !== null) {
      lua.lua_pushstring(S, body)
      lua.lua_setfield(S, -2, to_luastring('body'))
    }
    return 1
  })
}
