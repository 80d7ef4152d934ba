// The runner process: one per run. It holds nothing but the provider's Lua state; every host
// call is a request to main, so killing it loses nothing.
import type {
  CallContext,
  HostCall,
  HostReply,
  MainToRunner,
  RunnerOutgoing,
  RunnerToMain,
} from '../../shared/runner-protocol'
import { serializeError } from '../../shared/errors'
import { connectToParent } from './parent-port'
import { Outbox } from './outbox'
import { endWithParent, parentPidFromArgv } from './parent-watch'
import { runTest } from './test-workflow'
import { readDeclaration, runWorkflow } from './workflow'
import { AHEAD, LuaSandbox } from './sandbox'

/** A workflow that threw past its own handling: the run (or test) ends failed, saying why. */
function failedToRun(error: unknown): void {
  const { message: text } = serializeError(error)
  send({
    type: 'done',
    status: 'failed',
    error: { stage: 'load', message: `runner error: ${text}` },
  })
}

const port = connectToParent()
endWithParent(parentPidFromArgv())
let seq = 0
const waiting = new Map<
  number,
  { resolve: (reply: HostReply) => void; reject: (error: Error) => void }
>()
let started = false
// A runner started ahead of its run (a spare, core/spare-runner.ts) builds its Lua state while it
// waits (below, once 'ready' is sent); one started with its run finds the run's message first and
// builds its own with it.
let ahead: LuaSandbox | null = null
const outbox = new Outbox((wire) => port.send(wire))

function send(message: RunnerOutgoing): number {
  seq++
  outbox.send({ ...message, seq } as RunnerToMain)
  return seq
}

/** A host call: main performs it and replies. */
function askMain(call: HostCall, context: CallContext): Promise<HostReply> {
  return new Promise<HostReply>((resolve, reject) => {
    const callSeq = send({ type: 'call', call, context })
    waiting.set(callSeq, { resolve, reject })
  })
}

port.onMessage((message: MainToRunner) => {
  if (message.type === 'reply') {
    const entry = waiting.get(message.replyTo)
    waiting.delete(message.replyTo)
    if (!entry) return
    if (message.ok) entry.resolve(message.value)
    else entry.reject(Object.assign(new Error(message.error.message), { name: message.error.name }))
    return
  }
  if (message.type === 'declare' && !started) {
    started = true
    ahead = null
    readDeclaration({
      providerName: message.providerName,
      code: message.code,
      cpuMs: message.limits.cpuMs,
      send,
    }).catch((error: unknown) => {
      send({ type: 'declare-done', error: `runner error: ${serializeError(error).message}` })
    })
    return
  }
  if (message.type === 'test' && !started) {
    started = true
    ahead = null
    runTest({
      providerName: message.providerName,
      code: message.code,
      cpuMs: message.limits.cpuMs,
      settings: message.settings,
      listLimit: message.listLimit,
      metadataFiles: message.metadataFiles,
      send,
      host: askMain,
    }).catch(failedToRun)
    return
  }
  if (message.type === 'start' && !started) {
    started = true
    runWorkflow({
      providerName: message.providerName,
      code: message.code,
      cpuMs: message.limits.cpuMs,
      planDownloads: message.planDownloads,
      planMode: message.planMode,
      settings: message.settings,
      transfers: message.transfers ?? 1,
      send,
      host: askMain,
      ahead,
    }).catch(failedToRun)
  }
})

send({ type: 'ready' })
setImmediate(() => {
  if (!started) ahead = new LuaSandbox(AHEAD)
})
