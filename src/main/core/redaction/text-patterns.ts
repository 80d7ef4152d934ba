// Secrets recognised by their shape in any text: credentials after an auth scheme, URL userinfo,
// credential headers, and JSON, Lua-table, form and query fields named like secrets.
import { isSecretName } from './secret-names'

export const REDACTED = '[redacted]'

/** Characters that some pattern needs; text without any of them is left alone at once. */
const MAY_HOLD_A_SECRET = /[=:@]|bearer|basic|token/i

const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi
// "token" is also a word in error messages ("refresh token is invalid"): only a long,
// credential-like word after it is masked.
const TOKEN_SCHEME = /\b(Token)\s+[A-Za-z0-9._~+/=-]{8,}/gi
/** "name": "value" */
const JSON_FIELD = /"([^"\\\r\n]{1,100})"(\s*:\s*)"((?:[^"\\]|\\.)*)"/g
/** name = "value", ["name"] = "value" (inspect's and Lua's way), single quotes too. */
const LUA_FIELD =
  /(\[\s*"([^"\\]{1,100})"\s*\]|\b([A-Za-z_][A-Za-z0-9_]{0,99}))(\s*=\s*)(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')/g
/** name=value in a query string or a form body. */
const QUERY_FIELD = /(^|[?&;\s"'(,{[])([A-Za-z0-9_.\-[\]]{1,100})=([^&\s"'<>#;,)}]+)/g
/** Name: value, for header-like names (with a hyphen, or the few single-word credential headers). */
const HEADER_LINE =
  /(^|[\s"'{,;([])([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+|authorization|cookie)(\s*:\s*)([^\r\n"']+)/gi

/** The text with every secret its shape gives away masked. */
export function redactPatterns(text: string): string {
  if (!MAY_HOLD_A_SECRET.test(text)) return text
  return text
    .replace(USERINFO, `$1${REDACTED}@`)
    .replace(AUTH_SCHEME, `$1 ${REDACTED}`)
    .replace(TOKEN_SCHEME, `$1 ${REDACTED}`)
    .replace(JSON_FIELD, (whole, name: string, colon: string) =>
      isSecretName(name, 'field') ? `"${name}"${colon}"${REDACTED}"` : whole,
    )
    .replace(
      LUA_FIELD,
      (whole, key: string, quoted?: string, bare?: string, equals?: string, double?: string) => {
        const name = quoted ?? bare ?? ''
        if (!isSecretName(name, 'field')) return whole
        const quote = double === undefined ? "'" : '"'
        return `${key}${equals}${quote}${REDACTED}${quote}`
      },
    )
    .replace(QUERY_FIELD, (whole, before: string, name: string) =>
      isSecretName(name, 'query') || isSecretName(name, 'field')
        ? `${before}${name}=${REDACTED}`
        : whole,
    )
    .replace(HEADER_LINE, (whole, before: string, name: string, colon: string) =>
      isSecretName(name, 'header') ? `${before}${name}${colon}${REDACTED}` : whole,
    )
}
