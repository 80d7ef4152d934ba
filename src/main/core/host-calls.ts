// What main does for each host call a provider's runner makes: HTTP through the broker (with the
// sign-in's Authorization header when the call names it; a download into the run's destination,
// when it has one), secret settings, skwirl.storage through the store, aws.sign with the
// provider's keys, and the workflow's question whether a file must be downloaded. The secrets a
// request carries (credential headers, secret-named parameters and body fields, URL userinfo),
// the tokens and keys it adds and the tokens a server answers with join the run's redactor, so
// that no text Skwirl writes out shows them.
import type { ProviderDeclaration } from '../../shared/provider-declaration'
import type { CallContext, HostCall, HostReply } from '../../shared/runner-protocol'
import { signForProvider, type SettingReader } from './aws'
import type { DestinationRun } from './destination'
import { HttpError, type CallOptions, type HttpBroker, type HttpRetry } from './http-broker'
import type { ProviderStorage } from './provider-storage'
import { isSecretName, type Redactor } from './redaction'

/** The run's sign-in: an access token for a call, refreshed when the service refuses one. */
export interface RunAuth {
  /** rejected: the token the service answered 401 to. Throws SignInNeededError. */
  accessToken(rejected: string | null): Promise<string>
}

export interface HostCallsOptions {
  providerId: string
  broker: HttpBroker
  storage: Pick<ProviderStorage, 'get' | 'set' | 'delete'>
  /** Aborted when the run ends: every call in flight stops. */
  signal: AbortSignal
  /** The run's redactor: what it learns here is masked in everything the run writes out. */
  redactor: Redactor
  /** The provider's settings, secret ones included (aws.sign reads its keys here). */
  settings?: SettingReader
  /** Where downloads are kept; null (or absent) checks them and lets them go. */
  destination?: () => DestinationRun | null
  /** A secret setting's value (null when unset); absent for a provider run from a file. */
  secretSetting?: (key: string) => Promise<string | null>
  /** The provider's sign-in, once it has declared one; null before, or without one. */
  auth?: () => RunAuth | null
  /** What the provider declared in this run (skwirl.declare), or null. */
  declaration?: () => ProviderDeclaration | null
  /** A request is tried again: the run logs it and counts it. */
  onRetry?: (retry: HttpRetry, context: CallContext) => void
}

/** Header values remembered as noted (beyond this many, each is noted again: still correct). */
const NOTED_HEADERS_MAX = 1024
/** Request bodies larger than this are not searched for secret fields. */
const BODY_SCAN_MAX = 256 * 1024
/** Responses larger than this are not searched for tokens (a token answer is small). */
const RESPONSE_SCAN_MAX = 1024 * 1024
/** A token a server hands out, in a JSON answer (OAuth's token endpoint and its kin). */
const ANSWERED_TOKEN =
  /"(access_token|refresh_token|id_token|token|client_secret|secret|password|api_key|apikey|session_token|auth_token|accessToken|refreshToken|idToken|sessionToken|authToken)"\s*:\s*"([^"\\]+)"/g
const MAY_HOLD_TOKEN = /token|secret|password|api_?key/i

export class HostCalls {
  /** Header values already noted: a provider sends the same credential with every call. */
  private readonly notedHeaders = new Set<string>()

  constructor(private readonly options: HostCallsOptions) {}

  async perform(call: HostCall, context: CallContext): Promise<HostReply> {
    const { broker, storage, providerId, signal, onRetry } = this.options
    if ('url' in call) this.noteRequest(call)
    const http: CallOptions = {
      signal,
      onRetry: onRetry && ((retry) => onRetry(retry, context)),
    }
    if ('retry' in call) http.retry = call.retry
    if ('timeoutMs' in call) http.timeoutMs = call.timeoutMs
    switch (call.method) {
      case 'http.get': {
        const reply = await this.signed(call.auth, call.headers, (headers) =>
          broker.get(call.url, headers, call.params, http),
        )
        if (/json/i.test(reply.contentType)) this.noteAnswer(reply.body)
        return reply
      }
      case 'download_url':
        return this.download(call, context, http)
      case 'file.plan': {
        const destination = this.needDestination()
        const plan = await destination.plan(call.fileId, call.metadata)
        return { method: call.method, download: plan === 'download' }
      }
      case 'http.request': {
        const reply = await this.signed(call.auth, call.headers, (headers) =>
          broker.request(call.verb, call.url, headers, call.params, call.body, http),
        )
        if (/json/i.test(reply.headers['content-type'] ?? '')) this.noteAnswer(reply.body)
        return reply
      }
      case 'setting':
        return { method: 'setting', value: await this.secretSetting(call.key) }
      case 'storage.get':
        return { method: call.method, value: storage.get(providerId, call.key) }
      case 'storage.set':
        storage.set(providerId, call.key, call.value)
        return { method: call.method }
      case 'storage.delete':
        storage.delete(providerId, call.key)
        return { method: call.method }
      case 'aws.sign':
        return signForProvider(call, this.options.settings, this.options.redactor)
    }
  }

  private async download(
    call: Extract<HostCall, { method: 'download_url' }>,
    context: CallContext,
    http: CallOptions,
  ): Promise<HostReply> {
    const { broker } = this.options
    const destination = this.options.destination?.() ?? null
    if (!destination || context.fileId === null) {
      const { bytes, verified } = await this.signed(call.auth, call.headers, (headers) =>
        broker.download(call.url, headers, call.expected, http),
      )
      return { method: call.method, bytes, verified }
    }
    const file = await destination.openFile(context.fileId)
    try {
      // A second try after a 401 (a refreshed sign-in; with retries it may come after some
      // bytes were written, on a resumed request) writes the file from its start again.
      let tries = 0
      const result = await this.signed(call.auth, call.headers, async (headers) => {
        if (tries++ > 0) await file.restart()
        return broker.download(call.url, headers, call.expected, http, file)
      })
      await file.commit(result)
      return { method: call.method, bytes: result.bytes, verified: result.verified }
    } catch (error) {
      await file.discard()
      throw error
    }
  }

  private needDestination(): DestinationRun {
    const destination = this.options.destination?.() ?? null
    if (!destination) throw new Error('this run has no destination')
    return destination
  }

  /**
   * Sends the call as it is, or with the sign-in's Authorization header: a 401 (an error for
   * http.get and download_url, a status for http.request) renews the token and sends it once more.
   */
  private async signed<R>(
    auth: 'oauth' | null,
    headers: Record<string, string>,
    send: (headers: Record<string, string>) => Promise<R>,
  ): Promise<R> {
    if (auth === null) return send(headers)
    const signIn = this.options.auth?.() ?? null
    if (!signIn) {
      throw new Error(
        'auth = "oauth" needs a sign-in: this provider has none here (a provider run from a .lua file has no settings or sign-in; add it with skwirl provider add)',
      )
    }
    const withToken = (token: string): Record<string, string> => {
      this.options.redactor.add(token)
      return { ...headers, Authorization: `Bearer ${token}` }
    }
    const token = await signIn.accessToken(null)
    try {
      const reply = await send(withToken(token))
      const status = (reply as { method?: string; status?: number }).status
      if ((reply as { method?: string }).method !== 'http.request' || status !== 401) return reply
    } catch (error) {
      if (!(error instanceof HttpError) || error.status !== 401) throw error
    }
    return send(withToken(await signIn.accessToken(token)))
  }

  private async secretSetting(key: string): Promise<string | null> {
    const setting = this.options.declaration?.()?.settings.find((s) => s.key === key)
    if (!setting?.secret) {
      throw new Error(`skwirl.setting: "${key}" is not a secret setting the provider declares`)
    }
    const value = (await this.options.secretSetting?.(key)) ?? null
    if (value !== null) this.options.redactor.add(value)
    return value
  }

  private noteRequest(call: Extract<HostCall, { url: string }>): void {
    const { redactor } = this.options
    for (const name in call.headers) {
      const value = call.headers[name] as string
      if (!isSecretName(name, 'header') || this.notedHeaders.has(value)) continue
      if (this.notedHeaders.size < NOTED_HEADERS_MAX) this.notedHeaders.add(value)
      redactor.add(value)
      // The credential alone too ("Bearer <token>" → "<token>"): a script may quote it bare.
      redactor.add(/^\s*[A-Za-z][\w-]*\s+(\S+)\s*$/.exec(value)?.[1])
    }
    if ('params' in call) {
      for (const name in call.params) {
        if (isSecretName(name, 'query')) redactor.add(call.params[name])
      }
    }
    if (call.url.includes('@')) this.noteUrl(call.url)
    else if (call.url.includes('?')) this.noteQuery(call.url)
    if (call.method === 'http.request' && call.body && call.body.byteLength <= BODY_SCAN_MAX) {
      this.noteBody(call.headers, call.body)
    }
  }

  private noteUrl(url: string): void {
    const parsed = URL.parse(url)
    if (!parsed) return
    const { redactor } = this.options
    redactor.add(safeDecode(parsed.username))
    redactor.add(safeDecode(parsed.password))
    for (const [name, value] of parsed.searchParams) {
      if (isSecretName(name, 'query')) redactor.add(value)
    }
  }

  /** Secret-named parameters of a URL's query (as noteUrl finds them, without parsing the URL). */
  private noteQuery(url: string): void {
    const hash = url.indexOf('#')
    const query = url.slice(url.indexOf('?') + 1, hash < 0 ? undefined : hash)
    for (const [name, value] of new URLSearchParams(query)) {
      if (isSecretName(name, 'query')) this.options.redactor.add(value)
    }
  }

  /** Secret-named fields of a form or JSON body (client_secret, password, refresh_token…). */
  private noteBody(headers: Record<string, string>, body: Uint8Array): void {
    const type = Object.entries(headers).find(([name]) => /^content-type$/i.test(name))?.[1] ?? ''
    const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')
    if (/x-www-form-urlencoded/i.test(type)) {
      for (const [name, value] of new URLSearchParams(text)) {
        if (isSecretName(name, 'query')) this.options.redactor.add(value)
      }
    } else if (/json/i.test(type)) {
      try {
        this.noteJson(JSON.parse(text) as unknown, 0)
      } catch {
        // Not JSON after all: nothing to learn from it.
      }
    }
  }

  private noteJson(value: unknown, depth: number): void {
    if (depth > 20 || typeof value !== 'object' || value === null) return
    for (const [name, field] of Object.entries(value)) {
      if (typeof field === 'string') {
        if (isSecretName(name, 'field')) this.options.redactor.add(field)
      } else {
        this.noteJson(field, depth + 1)
      }
    }
  }

  /** Tokens in a JSON answer: the provider holds them now, and may log them bare. */
  private noteAnswer(body: string | Uint8Array): void {
    if (body.length > RESPONSE_SCAN_MAX) return
    const text =
      typeof body === 'string'
        ? body
        : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')
    if (!MAY_HOLD_TOKEN.test(text)) return
    for (const match of text.matchAll(ANSWERED_TOKEN)) this.options.redactor.add(match[2])
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
