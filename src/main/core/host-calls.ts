// What main does for each host call a provider's runner makes: HTTP through the broker (a
// download into the run's destination, when it has one), skwirl.storage through the store,
// aws.sign with the provider's keys, and the workflow's question whether a file must be
// downloaded. Credentials it sees in headers join the run's secrets, so that the log never
// shows them.
import type { CallContext, HostCall, HostReply } from '../../shared/runner-protocol'
import { signForProvider, type SettingReader } from './aws'
import type { DestinationRun } from './destination'
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
  /** Where downloads are kept; null (or absent) checks them and lets them go. */
  destination?: () => DestinationRun | null
}

const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|x-api-key|cookie)$/i

export class HostCalls {
  constructor(private readonly options: HostCallsOptions) {}

  async perform(call: HostCall, context: CallContext): Promise<HostReply> {
    const { broker, storage, providerId, signal } = this.options
    if ('headers' in call) this.noteCredentials(call.headers)
    switch (call.method) {
      case 'http.get':
        return broker.get(call.url, call.headers, call.params, signal)
      case 'download_url':
        return this.download(call, context)
      case 'file.plan': {
        const destination = this.needDestination()
        const plan = await destination.plan(call.fileId, call.metadata)
        return { method: call.method, download: plan === 'download' }
      }
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

  private async download(
    call: Extract<HostCall, { method: 'download_url' }>,
    context: CallContext,
  ): Promise<HostReply> {
    const { broker, signal } = this.options
    const destination = this.options.destination?.() ?? null
    if (!destination || context.fileId === null) {
      const { bytes } = await broker.download(call.url, call.headers, call.expected, signal)
      return { method: call.method, bytes }
    }
    const file = await destination.openFile(context.fileId)
    try {
      const result = await broker.download(call.url, call.headers, call.expected, signal, file)
      await file.commit(result)
      return { method: call.method, bytes: result.bytes }
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
