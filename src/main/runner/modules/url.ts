// The url module: percent-encoding as RFC 3986 defines it (every byte but A-Z a-z 0-9 - . _ ~ is
// escaped, spaces as %20), the same encoding http.get uses for params.
import { lua, type LuaState } from 'fengari'
import { raise, readStringMap, typeName } from '../lua-values'
import { checkBytes, pushLibrary } from './library'

const HEX = '0123456789ABCDEF'

export function openUrl(L: LuaState): void {
  pushLibrary(L, { encode: urlEncode, decode: urlDecode, query: urlQuery })
}

function isUnreserved(b: number): boolean {
  return (
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x61 && b <= 0x7a) ||
    (b >= 0x30 && b <= 0x39) ||
    b === 0x2d ||
    b === 0x2e ||
    b === 0x5f ||
    b === 0x7e
  )
}

/** Percent-encodes bytes (so text in any encoding, and binary data, survive). */
export function percentEncode(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) {
    out += isUnreserved(b) ? String.fromCharCode(b) : `%${HEX[b >> 4]}${HEX[b & 15]}`
  }
  return out
}

function urlEncode(L: LuaState): number {
  lua.lua_pushstring(L, percentEncode(checkBytes(L, 1, 'url.encode', 'text')))
  return 1
}

function urlDecode(L: LuaState): number {
  const bytes = checkBytes(L, 1, 'url.decode', 'text')
  const out = new Uint8Array(bytes.length)
  let n = 0
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number
    if (b !== 0x25) {
      out[n++] = b
      continue
    }
    const hex = String.fromCharCode(bytes[i + 1] ?? 0, bytes[i + 2] ?? 0)
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
      raise(L, `url.decode: "%" at position ${i + 1} is not followed by two hex digits`)
    }
    out[n++] = parseInt(hex, 16)
    i += 2
  }
  lua.lua_pushstring(L, out.subarray(0, n))
  return 1
}

/** url.query(t): "a=1&b=x%20y", keys in byte order so the result is the same every time. */
function urlQuery(L: LuaState): number {
  if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) {
    raise(L, `url.query: the parameters (argument 1) must be a table, got ${typeName(L, 1)}`)
  }
  const params = readStringMap(L, 1, 'url.query: params', (message) => raise(L, message))
  const encoded = Object.entries(params)
    .map(([key, value]) => {
      const k = Buffer.from(key, 'utf8')
      return { k, text: `${percentEncode(k)}=${percentEncode(Buffer.from(value, 'utf8'))}` }
    })
    .sort((a, b) => Buffer.compare(a.k, b.k))
  lua.lua_pushstring(L, encoded.map((e) => e.text).join('&'))
  return 1
}
