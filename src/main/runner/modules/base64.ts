// The base64 module (RFC 4648): the standard alphabet with padding, and the URL-safe alphabet
// (§5) without it, as JWTs use. Decoding skips line breaks and spaces and rejects anything else.
import { lua, type LuaState } from 'fengari'
import { raise } from '../lua-values'
import { checkBytes, pushLibrary } from './library'

const STANDARD = /^[A-Za-z0-9+/]$/
const URL_SAFE = /^[A-Za-z0-9_-]$/
const SPACE = /^[ \t\r\n]$/

export function openBase64(L: LuaState): void {
  pushLibrary(L, {
    encode: (S) => encode(S, 'base64.encode', 'base64'),
    decode: (S) => decode(S, 'base64.decode', STANDARD),
    encode_url: (S) => encode(S, 'base64.encode_url', 'base64url'),
    decode_url: (S) => decode(S, 'base64.decode_url', URL_SAFE),
  })
}

function encode(L: LuaState, fn: string, alphabet: 'base64' | 'base64url'): number {
  const bytes = checkBytes(L, 1, fn, 'data')
  lua.lua_pushstring(L, Buffer.from(Buffer.from(bytes).toString(alphabet), 'latin1'))
  return 1
}

function decode(L: LuaState, fn: string, alphabet: RegExp): number {
  const text = Buffer.from(checkBytes(L, 1, fn, 'text')).toString('latin1')
  const problem = invalidBase64(text, alphabet)
  if (problem) raise(L, `${fn}: ${problem}`)
  const clean = text.replace(/[ \t\r\n=]/g, '')
  lua.lua_pushstring(L, Buffer.from(clean, alphabet === STANDARD ? 'base64' : 'base64url'))
  return 1
}

/** Why the text is not base64 in the given alphabet, or null when it is. */
function invalidBase64(text: string, alphabet: RegExp): string | null {
  let symbols = 0
  let padding = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i)
    if (SPACE.test(c)) continue
    if (c === '=') {
      padding++
      continue
    }
    if (padding > 0 || !alphabet.test(c)) {
      const shown =
        c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) < 0x7f ? `"${c}"` : `byte ${c.charCodeAt(0)}`
      return padding > 0 && alphabet.test(c)
        ? `"=" may only end the text (position ${i + 1})`
        : `${shown} at position ${i + 1} is not in the base64 alphabet`
    }
    symbols++
  }
  if (symbols % 4 === 1)
    return `${symbols} symbols cannot be base64 (a last group of 1 is impossible)`
  if (padding > 0 && ((symbols + padding) % 4 !== 0 || padding > 2)) {
    return `the padding does not fit: ${symbols} symbols and ${padding} "="`
  }
  return null
}
