// What main does for each host call a provider's runner makes: HTTP through the broker,
// skwirl.storage through the store, aws.sign with the provider's keys. Credentials it sees in headers join the run's secrets, so
// that the log never shows them.
import type { HostCall, HostReply } from '../../shared/runner-protocol'
import { signForProvider, type SettingReader } from './aws'
import type { HttpBroker } from './http-broker'
import type { ProviderStorage } from './provider-storage'

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
}

const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|x-api-key|cookie)$/i

export class HostCalls {
  constructor(private readonly options: HostCallsOptions) {}

  async perform(call: HostCall): Promise<HostReply> {
    const { broker, storage, providerId, signal } = this.options
    if ('headers' in call) this.noteCredentials(call.headers)
    switch (call.method) {
      case 'http.get':
        return broker.get(call.url, call.headers, call.params, signal)
      case 'download_url':
        return broker.download(call.url, call.headers, call.expected, signal)
      case 'http.request':
        return broker.request(call.verb, call.url, call.headers, call.params, call.body, signal)
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
