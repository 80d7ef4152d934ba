// What a provider declares about itself with skwirl.declare { settings = …, oauth = … }: the
// settings its form shows and how it signs in. The runner checks a declaration as the provider
// makes it (so an error names the line); main checks it again (it does not trust the runner).

export interface SettingChoice {
  value: string
  label: string
}

export interface SettingDeclaration {
  /** How the code reads it: skwirl.setting(key). */
  key: string
  label: string
  /** Stored encrypted; the screen and the CLI only ever say whether it is set. */
  secret: boolean
  /** The value when none is set; never for a secret. */
  default: string | null
  help: string | null
  /** A run fails when the code reads it while it is not set. */
  required: boolean
  /** The only values it may take (a list to pick from), or null for free text. */
  choices: SettingChoice[] | null
}

/** A value written in the code, or the setting that holds it. */
export type DeclaredValue = { value: string } | { setting: string }

export interface OAuthDeclaration {
  authorizationUrl: string
  tokenUrl: string
  /** RFC 7009 revocation endpoint: signing out revokes the refresh token there. */
  revocationUrl: string | null
  scopes: string[]
  clientId: DeclaredValue
  clientSecret: DeclaredValue | null
  /** Extra parameters of the authorization request (access_type = "offline", prompt …). */
  params: Record<string, string>
  /**
   * The loopback redirect's port, for a service that wants the exact redirect URI registered
   * (Dropbox); null: a free port each time (RFC 8252, as Google allows).
   */
  redirectPort: number | null
}

export interface ProviderDeclaration {
  settings: SettingDeclaration[]
  oauth: OAuthDeclaration | null
}

export const EMPTY_DECLARATION: ProviderDeclaration = { settings: [], oauth: null }

export const DECLARATION_LIMITS = {
  settings: 50,
  keyLength: 64,
  labelLength: 80,
  helpLength: 2000,
  /** A setting's value (and default), in characters: a JSON key file fits. */
  valueLength: 16_384,
  choices: 100,
  urlLength: 2048,
  scopes: 50,
  params: 20,
} as const

/** Authorization parameters the host sets itself; a declaration cannot override them. */
const RESERVED_PARAMS = new Set([
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
])

const KEY_PATTERN = /^[a-z][a-z0-9_]*$/

export class DeclarationError extends Error {
  override name = 'DeclarationError'
}

function fail(message: string): never {
  throw new DeclarationError(message)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function kind(value: unknown): string {
  if (value === null || value === undefined) return 'nil'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a table'
  return `a ${typeof value}`
}

function onlyKeys(value: Record<string, unknown>, keys: readonly string[], where: string): void {
  const extra = Object.keys(value).find((key) => !keys.includes(key))
  if (extra !== undefined) {
    fail(`${where} has an unknown field "${extra}" (the fields are ${keys.join(', ')})`)
  }
}

/** A Lua list arrives as an array; an empty Lua table as an empty object. */
function list(value: unknown, where: string): unknown[] {
  if (value === undefined || value === null) return []
  if (Array.isArray(value)) return value
  if (isRecord(value) && Object.keys(value).length === 0) return []
  return fail(`${where} must be a list, got ${kind(value)}`)
}

function text(value: unknown, where: string, max: number, allowEmpty = false): string {
  if (typeof value !== 'string') fail(`${where} must be a string, got ${kind(value)}`)
  if (!allowEmpty && value.trim() === '') fail(`${where} must not be empty`)
  if (value.length > max) fail(`${where} is ${value.length} characters; at most ${max}`)
  if (value.includes('\0')) fail(`${where} must not contain a NUL character`)
  return value
}

function optionalText(value: unknown, where: string, max: number): string | null {
  return value === undefined || value === null ? null : text(value, where, max, true)
}

function flag(value: unknown, where: string): boolean {
  if (value === undefined || value === null) return false
  if (typeof value !== 'boolean') fail(`${where} must be true or false, got ${kind(value)}`)
  return value
}

function parseChoices(value: unknown, where: string): SettingChoice[] | null {
  if (value === undefined || value === null) return null
  const items = list(value, where)
  if (items.length === 0) fail(`${where} must list at least one choice`)
  if (items.length > DECLARATION_LIMITS.choices) {
    fail(`${where} has ${items.length} choices; at most ${DECLARATION_LIMITS.choices}`)
  }
  const seen = new Set<string>()
  return items.map((item, index) => {
    const at = `${where}[${index + 1}]`
    let choice: SettingChoice
    if (typeof item === 'string') {
      choice = { value: text(item, at, DECLARATION_LIMITS.valueLength, true), label: item }
    } else if (isRecord(item)) {
      onlyKeys(item, ['value', 'label'], at)
      const value = text(item.value, `${at}.value`, DECLARATION_LIMITS.valueLength, true)
      const label =
        item.label === undefined
          ? value
          : text(item.label, `${at}.label`, DECLARATION_LIMITS.labelLength)
      choice = { value, label }
    } else {
      return fail(`${at} must be a string or { value = …, label = … }, got ${kind(item)}`)
    }
    if (seen.has(choice.value)) fail(`${at}: the value "${choice.value}" is listed twice`)
    seen.add(choice.value)
    return choice
  })
}

function parseSetting(value: unknown, index: number): SettingDeclaration {
  const where = `settings[${index + 1}]`
  if (!isRecord(value)) fail(`${where} must be a table { key = …, label = … }, got ${kind(value)}`)
  onlyKeys(value, ['key', 'label', 'secret', 'default', 'help', 'required', 'choices'], where)
  const key = text(value.key, `${where}.key`, DECLARATION_LIMITS.keyLength)
  if (!KEY_PATTERN.test(key)) {
    fail(`${where}.key "${key}" must start with a lower-case letter and hold only a-z, 0-9 and _`)
  }
  const secret = flag(value.secret, `${where}.secret`)
  const fallback = optionalText(value.default, `${where}.default`, DECLARATION_LIMITS.valueLength)
  if (secret && fallback !== null) {
    fail(`${where} (${key}) is secret and cannot have a default: a default is in the code`)
  }
  const choices = parseChoices(value.choices, `${where}.choices`)
  if (choices && secret) fail(`${where} (${key}) cannot be both secret and a list of choices`)
  if (choices && fallback !== null && !choices.some((c) => c.value === fallback)) {
    fail(`${where}.default "${fallback}" is not one of its choices`)
  }
  return {
    key,
    label:
      value.label === undefined
        ? key
        : text(value.label, `${where}.label`, DECLARATION_LIMITS.labelLength),
    secret,
    default: fallback,
    help: optionalText(value.help, `${where}.help`, DECLARATION_LIMITS.helpLength),
    required: flag(value.required, `${where}.required`),
    choices,
  }
}

/** https, or http to this machine only (a local test server, a sign-in helper on loopback). */
export function checkEndpoint(value: unknown, where: string): string {
  const raw = text(value, where, DECLARATION_LIMITS.urlLength)
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return fail(`${where} is not a URL: "${raw}"`)
  }
  const loopback = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/i.test(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    fail(`${where} must be an https URL (http only to 127.0.0.1 or localhost), got "${raw}"`)
  }
  if (url.username || url.password) fail(`${where} must not carry a user name or password`)
  if (url.hash) fail(`${where} must not have a #fragment`)
  return raw
}

function parseDeclaredValue(
  value: unknown,
  where: string,
  settings: SettingDeclaration[],
  mustBeSecret: boolean,
): DeclaredValue {
  if (typeof value === 'string')
    return { value: text(value, where, DECLARATION_LIMITS.valueLength) }
  if (isRecord(value)) {
    onlyKeys(value, ['setting'], where)
    const key = text(value.setting, `${where}.setting`, DECLARATION_LIMITS.keyLength)
    const setting = settings.find((s) => s.key === key)
    if (!setting) fail(`${where} names the setting "${key}", which is not declared in settings`)
    if (mustBeSecret && !setting.secret) {
      fail(`${where} names the setting "${key}", which must be declared secret = true`)
    }
    return { setting: key }
  }
  return fail(`${where} must be a string or { setting = "key" }, got ${kind(value)}`)
}

function parseOAuth(value: unknown, settings: SettingDeclaration[]): OAuthDeclaration {
  if (!isRecord(value)) fail(`oauth must be a table, got ${kind(value)}`)
  onlyKeys(
    value,
    [
      'authorization_url',
      'token_url',
      'revocation_url',
      'scopes',
      'client_id',
      'client_secret',
      'params',
      'redirect_port',
    ],
    'oauth',
  )
  const scopes = list(value.scopes, 'oauth.scopes').map((scope, index) =>
    text(scope, `oauth.scopes[${index + 1}]`, DECLARATION_LIMITS.urlLength),
  )
  if (scopes.length > DECLARATION_LIMITS.scopes) {
    fail(`oauth.scopes has ${scopes.length} scopes; at most ${DECLARATION_LIMITS.scopes}`)
  }
  for (const scope of scopes) {
    if (/\s/.test(scope)) fail(`oauth.scopes: "${scope}" must not contain spaces`)
  }
  const params: Record<string, string> = {}
  if (value.params !== undefined && value.params !== null) {
    if (!isRecord(value.params)) fail(`oauth.params must be a table, got ${kind(value.params)}`)
    const entries = Object.entries(value.params)
    if (entries.length > DECLARATION_LIMITS.params) {
      fail(`oauth.params has ${entries.length} entries; at most ${DECLARATION_LIMITS.params}`)
    }
    for (const [name, param] of entries) {
      if (RESERVED_PARAMS.has(name)) {
        fail(`oauth.params.${name} is set by Skwirl itself and cannot be declared`)
      }
      params[name] = text(param, `oauth.params.${name}`, DECLARATION_LIMITS.urlLength, true)
    }
  }
  const port = value.redirect_port
  if (
    port !== undefined &&
    port !== null &&
    (typeof port !== 'number' || !Number.isInteger(port) || port < 1024 || port > 65535)
  ) {
    fail(`oauth.redirect_port must be a whole number from 1024 to 65535, got ${String(port)}`)
  }
  if (value.client_id === undefined) {
    fail('oauth.client_id is missing: give it as a string, or { setting = "client_id" }')
  }
  return {
    authorizationUrl: checkEndpoint(value.authorization_url, 'oauth.authorization_url'),
    tokenUrl: checkEndpoint(value.token_url, 'oauth.token_url'),
    revocationUrl:
      value.revocation_url === undefined || value.revocation_url === null
        ? null
        : checkEndpoint(value.revocation_url, 'oauth.revocation_url'),
    scopes,
    clientId: parseDeclaredValue(value.client_id, 'oauth.client_id', settings, false),
    clientSecret:
      value.client_secret === undefined || value.client_secret === null
        ? null
        : parseDeclaredValue(value.client_secret, 'oauth.client_secret', settings, true),
    params,
    redirectPort: typeof port === 'number' ? port : null,
  }
}

/**
 * Checks what skwirl.declare was given (as JSON would carry it) and answers it in its typed
 * form. Throws DeclarationError with where it went wrong ("settings[2].key must …").
 */
export function parseDeclaration(value: unknown): ProviderDeclaration {
  if (!isRecord(value)) fail(`expects a table { settings = …, oauth = … }, got ${kind(value)}`)
  onlyKeys(value, ['settings', 'oauth'], 'the declaration')
  const items = list(value.settings, 'settings')
  if (items.length > DECLARATION_LIMITS.settings) {
    fail(`settings has ${items.length} entries; at most ${DECLARATION_LIMITS.settings}`)
  }
  const settings = items.map(parseSetting)
  const keys = new Set<string>()
  for (const setting of settings) {
    if (keys.has(setting.key)) fail(`settings: the key "${setting.key}" is declared twice`)
    keys.add(setting.key)
  }
  const oauth =
    value.oauth === undefined || value.oauth === null ? null : parseOAuth(value.oauth, settings)
  return { settings, oauth }
}

/**
 * Re-checks a declaration that has crossed a process boundary in its typed form (from a runner,
 * or from the database cache).
 */
export function checkTypedDeclaration(value: unknown): ProviderDeclaration {
  if (!isRecord(value)) fail('the declaration is not an object')
  const settings = list(value.settings, 'settings').map((raw, index) => {
    if (!isRecord(raw)) fail(`settings[${index + 1}] is not an object`)
    return parseSetting(
      {
        key: raw.key,
        label: raw.label,
        secret: raw.secret,
        default: raw.default,
        help: raw.help,
        required: raw.required,
        choices: raw.choices,
      },
      index,
    )
  })
  if (value.oauth === null || value.oauth === undefined) return { settings, oauth: null }
  if (!isRecord(value.oauth)) fail('oauth is not an object')
  const o = value.oauth
  const back = (v: unknown): unknown => (isRecord(v) && typeof v.value === 'string' ? v.value : v)
  return {
    settings,
    oauth: parseOAuth(
      {
        authorization_url: o.authorizationUrl,
        token_url: o.tokenUrl,
        revocation_url: o.revocationUrl,
        scopes: o.scopes,
        client_id: back(o.clientId),
        client_secret: back(o.clientSecret),
        params: o.params,
        redirect_port: o.redirectPort,
      },
      settings,
    ),
  }
}

/** A setting's value problem (for the form and the CLI), or null when the value is fine. */
export function settingValueProblem(setting: SettingDeclaration, value: string): string | null {
  if (value.length > DECLARATION_LIMITS.valueLength) {
    return `${setting.label} is too long (at most ${DECLARATION_LIMITS.valueLength.toLocaleString('en-US')} characters)`
  }
  if (value.includes('\0')) return `${setting.label} must not contain a NUL character`
  if (setting.choices && !setting.choices.some((choice) => choice.value === value)) {
    return `${setting.label} must be one of ${setting.choices.map((c) => `"${c.value}"`).join(', ')}`
  }
  return null
}
