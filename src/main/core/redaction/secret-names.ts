// Which names carry secrets: header names, JSON/form/Lua-table field names and query parameters.
// One rule for every place that asks (the redactor, the broker's redirects, host calls noting
// what a provider sends), so that they cannot disagree.

/** Where a name was found: a header, a field of a JSON document or Lua table, a query parameter. */
export type NameForm = 'header' | 'field' | 'query'

/** A name whose last word is one of these holds a secret, in any form. */
const SECRET_WORDS = new Set([
  'token',
  'secret',
  'password',
  'passwd',
  'passphrase',
  'signature',
  'credential',
  'credentials',
  'apikey',
  'assertion',
  'verifier',
  'authorization',
  'cookie',
])

/** "…_key" is secret after one of these (api_key, private_key, secret_access_key, X-Goog-Api-Key). */
const KEY_QUALIFIERS = new Set([
  'api',
  'private',
  'secret',
  'access',
  'signing',
  'client',
  'subscription',
  'account',
  'app',
  'master',
  'encryption',
  'session',
  'auth',
  'license',
])

/** Decisions by form, then name (asked for every header and parameter of every request). */
const cache: Record<NameForm, Map<string, boolean>> = {
  header: new Map(),
  field: new Map(),
  query: new Map(),
}
const CACHE_MAX = 4096

/** "X-Auth-Token" → x auth token; "refreshToken" → refresh token; "client_secret" → client secret. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '')
}

function decide(name: string, form: NameForm): boolean {
  const all = words(name)
  const last = all[all.length - 1]
  if (last === undefined) return false
  if (SECRET_WORDS.has(last)) return true
  if (last === 'key') {
    // A bare "key" is Google's API key as a query parameter; as a field it is too often an
    // object's name (S3's Key) to mask. A header named *-Key is always a credential.
    if (all.length === 1) return form === 'query'
    return form === 'header' || KEY_QUALIFIERS.has(all[all.length - 2] as string)
  }
  // Shared access signatures and signed URLs (?sig=…).
  if (last === 'sig') return form === 'query'
  return false
}

/**
 * Whether a value under this name is a secret: credential headers (Authorization,
 * Proxy-Authorization, Cookie, X-API-Key, X-Auth-Token, X-Goog-Api-Key, *-Token, *-Key, *-Secret),
 * and fields or parameters named like access_token, refresh_token, id_token, client_secret,
 * password, api_key or token (in snake, kebab or camel case).
 */
export function isSecretName(name: string, form: NameForm): boolean {
  const decided = cache[form]
  let known = decided.get(name)
  if (known === undefined) {
    known = decide(name, form)
    if (decided.size >= CACHE_MAX) decided.clear()
    decided.set(name, known)
  }
  return known
}

/** A header that carries credentials: dropped on a redirect to another origin, masked in text. */
export function isCredentialHeader(name: string): boolean {
  return isSecretName(name, 'header')
}
