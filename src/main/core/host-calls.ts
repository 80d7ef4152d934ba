// What main does for each host call a provider's runner makes: HTTP through the broker (with the
// sign-in's Authorization header when the call names it; a download into the run's destination,
// when it has one), secret settings, skwirl.storage through the store, aws.sign with the
// provider's keys, and the workflow's question whether a file must be downloaded. Credentials it
// sees or adds join the run's secrets, so that the log never shows them.
import type { ProviderDeclaration } from '../../shared/provider-declaration'
import type { CallContext, HostCall, HostReply } from '../../shared/runner-protocol'
import { signForProvider, type SettingReader } from './aws'
import type { DestinationRun } from './destination'
import { HttpError, type CallOptions, type HttpBroker, type HttpRetry } from './http-broker'
import type { ProviderStorage } from './provider-storage'

/** The run's sign-in: an access token for a call, refreshed when the service refuses one. */
export interface RunAuth {
  /** rejected: the token the service answered 401 to. Throws SignInNeededError. */
  accessToken(rejected: string | null): Promise<string>
}

export interface HostCallsOptions {
  providerId: string
  broker: HttpBroker
  storage: ProviderStorage
  /** Aborted when the run ends: every call in flight stops. */
  signal: AbortSignal
  /** Values the log must mask (a run's secrets, shared with its logger). */
  secrets: Set<string>
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

const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|x-api-key|cookie)$/i

export class HostCalls {
  constructor(private readonly options: HostCallsOptions) {}

  async perform(call: HostCall, context: CallContext): Promise<HostReply> {
    const { broker, storage, providerId, signal, onRetry } = this.options
    if ('headers' in call) this.noteCredentials(call.headers)
    const http: CallOptions = {
      signal,
      onRetry: onRetry && ((retry) => onRetry(retry, context)),
    }
    if ('retry' in call) http.retry = call.retry
    switch (call.method) {
      case 'http.get':
        return this.signed(call.auth, call.headers, (headers) =>
          broker.get(call.url, headers, call.params, http),
        )
      case 'download_url':
        return this.download(call, context, http)
      case 'file.plan': {
        const destination = this.needDestination()
        const plan = await destination.plan(call.fileId, call.metadata)
        return { method: call.method, download: plan === 'download' }
      }
      case 'http.request':
        return this.signed(call.auth, call.headers, (headers) =>
          broker.request(call.verb, call.url, headers, call.params, call.body, http),
        )
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
        return signForProvider(call, this.options.settings, this.options.secrets)
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
      // A second try after a 401 (a refreshed sign-in) writes the file from its start again.
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
      this.options.secrets.add(token)
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
    if (value !== null) this.options.secrets.add(value)
    return value
  }

  private noteCredentials(headers: Record<string, string>): void {
    for (const [name, value] of Object.entries(headers)) {
      if (!CREDENTIAL_HEADER.test(name)) continue
      this.options.secrets.add(value)
      // The credential alone too ("Bearer <token>" → "<token>"): a script may quote it bare.
      const credential = /^\s*[A-Za-z][\w-]*\s+(\S+)\s*$/.exec(value)?.[1]
      if (credential) this.options.secrets.add(credential)
    }
  }
}
