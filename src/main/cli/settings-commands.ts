// `skwirl provider settings`, `skwirl provider set` and `skwirl auth`: a provider's declared
// settings, their values (secret ones only as set or not) and its sign-in, from the terminal.
import type { Provider } from '../../shared/api'
import { ApiError } from '../../shared/errors'
import type { ProviderDeclaration } from '../../shared/provider-declaration'
import type { SkwirlCore } from '../core/skwirl-core'
import { CliError } from './output'

export interface CliIo {
  out: (text: string) => void
  err: (text: string) => void
  /** --json: stdout carries JSON only. */
  json: boolean
}

/** A failure the person can fix: one line (JSON with --json), exit 1. */
function fail(message: string, code: 'failed' | 'invalid-argument' = 'failed'): never {
  throw new CliError(code, message)
}

async function declaration(core: SkwirlCore, provider: Provider): Promise<ProviderDeclaration> {
  try {
    return await core.providerSettings.declared(provider)
  } catch (error) {
    if (error instanceof ApiError) fail(error.message)
    throw error
  }
}

export async function showSettings(
  core: SkwirlCore,
  provider: Provider,
  json: boolean,
  io: CliIo,
): Promise<number> {
  const declared = await declaration(core, provider)
  const values = core.providerSettings.values(provider.id, declared)
  const signIn = await core.signIns.state(provider, declared)
  const protection = await core.secrets.protection()
  if (json) {
    const report = {
      provider: provider.name,
      settings: declared.settings.map((s) => ({
        key: s.key,
        label: s.label,
        secret: s.secret,
        required: s.required,
        isSet: values[s.key]?.isSet ?? false,
        value: s.secret ? null : (values[s.key]?.value ?? null),
        default: s.default,
      })),
      signIn: signIn && {
        status: signIn.status,
        reason: signIn.reason,
        signedInAt: signIn.signedInAt,
        host: signIn.host,
        scopes: signIn.scopes,
      },
      protection,
    }
    io.out(`${JSON.stringify(report, null, 2)}\n`)
    return 0
  }
  if (declared.settings.length === 0) {
    io.out(`${provider.name} declares no settings.\n`)
  } else {
    const rows = declared.settings.map((s) => {
      const value = values[s.key]
      let shown: string
      if (s.secret) shown = value?.isSet ? 'set (secret)' : 'not set'
      else if (value?.value != null) shown = value.value
      else shown = s.default !== null ? `${s.default} (default)` : 'not set'
      if (!value?.isSet && s.required) shown += ', required'
      return [s.label, s.key, shown.replace(/[\r\n]+/g, ' ')] as const
    })
    const width = (column: 0 | 1): number => Math.max(...rows.map((row) => row[column].length))
    for (const [label, key, shown] of rows) {
      io.out(`${label.padEnd(width(0))}  ${key.padEnd(width(1))}  ${shown}\n`)
    }
  }
  if (signIn) {
    const line =
      signIn.status === 'signed-in'
        ? `signed in at ${signIn.host} since ${signIn.signedInAt ?? '?'}`
        : `needed${signIn.reason === 'refused' ? ` (${signIn.host} refused the last sign-in)` : ''}: skwirl auth "${provider.name}"`
    io.out(`\nSign-in: ${line}\n`)
  }
  io.out(`${signIn ? '' : '\n'}${protection.summary}\n`)
  return 0
}

export async function setSettings(
  core: SkwirlCore,
  provider: Provider,
  settings: Array<[string, string | null]>,
  stdinKey: string | null,
  io: CliIo,
  readSecret: (prompt: string) => Promise<string>,
): Promise<{ set: string[]; cleared: string[] }> {
  const declared = await declaration(core, provider)
  const changes: Record<string, string | null> = Object.fromEntries(settings)
  if (stdinKey) {
    const setting = declared.settings.find((s) => s.key === stdinKey)
    changes[stdinKey] = await readSecret(
      `${setting?.label ?? stdinKey} for ${provider.name}${setting?.secret ? ' (not shown as you type)' : ''}: `,
    )
  }
  try {
    await core.providerSettings.update(provider.id, declared, changes)
  } catch (error) {
    if (error instanceof ApiError) fail(error.message, 'invalid-argument')
    throw error
  }
  const set = Object.entries(changes)
    .filter(([, value]) => value !== null)
    .map(([key]) => key)
  const cleared = Object.entries(changes)
    .filter(([, value]) => value === null)
    .map(([key]) => key)
  const parts = [
    set.length > 0 ? `set ${set.join(', ')}` : '',
    cleared.length > 0 ? `cleared ${cleared.join(', ')}` : '',
  ].filter(Boolean)
  // With --json the caller says it, with the rest of what it set, in one document.
  if (!io.json) io.out(`${provider.name}: ${parts.join('; ')}.\n`)
  if (set.some((key) => declared.settings.find((s) => s.key === key)?.secret)) {
    io.err(`${(await core.secrets.protection()).summary}\n`)
  }
  return { set, cleared }
}

export async function authCommand(
  core: SkwirlCore,
  provider: Provider,
  signOut: boolean,
  io: CliIo,
): Promise<number> {
  const declared = await declaration(core, provider)
  if (!declared.oauth) fail(`${provider.name} declares no sign-in; there is nothing to sign in to.`)
  if (signOut) {
    await core.signIns.signOut(provider, declared)
    if (io.json) io.out(`${JSON.stringify({ provider: provider.name, signedIn: false })}\n`)
    else io.out(`${provider.name}: signed out; its tokens are forgotten.\n`)
    return 0
  }
  let started: Awaited<ReturnType<SkwirlCore['signIns']['start']>>
  try {
    started = await core.signIns.start(provider, declared, {
      onRefused: (message) => io.err(`skwirl: ${message}\n`),
    })
  } catch (error) {
    if (error instanceof ApiError) fail(error.message)
    throw error
  }
  io.err(`Open this address in a browser to sign ${provider.name} in:\n`)
  // On a line of its own on stdout, so a script can take it (with --json, one JSON line each).
  io.out(io.json ? `${JSON.stringify({ url: started.url })}\n` : `${started.url}\n`)
  io.err('Waiting for the browser to come back (Ctrl-C cancels)…\n')
  let interrupted = 0
  const onSignal = (code: number) => () => {
    interrupted = code
    core.signIns.cancel(provider.id)
  }
  const onInt = onSignal(130)
  const onTerm = onSignal(143)
  process.once('SIGINT', onInt)
  process.once('SIGTERM', onTerm)
  try {
    await started.done
    if (io.json) io.out(`${JSON.stringify({ provider: provider.name, signedIn: true })}\n`)
    else io.out(`${provider.name}: signed in.\n`)
    return 0
  } catch (error) {
    if (interrupted) return interrupted
    fail(
      `${provider.name} is not signed in: ${error instanceof Error ? error.message : String(error)}`,
    )
  } finally {
    process.removeListener('SIGINT', onInt)
    process.removeListener('SIGTERM', onTerm)
  }
}

/**
 * A value from stdin: all of it when it is a pipe or a file (one trailing line break dropped),
 * or one line typed without echo at a terminal.
 */
export async function readStdinValue(prompt: string): Promise<string> {
  const stdin = process.stdin
  if (!stdin.isTTY) {
    const chunks: Buffer[] = []
    for await (const chunk of stdin) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '')
  }
  process.stderr.write(prompt)
  return new Promise((resolve, reject) => {
    let value = ''
    stdin.setRawMode(true)
    stdin.setEncoding('utf8')
    const done = (error: Error | null): void => {
      stdin.setRawMode(false)
      stdin.pause()
      stdin.removeListener('data', onData)
      process.stderr.write('\n')
      if (error) reject(error)
      else resolve(value)
    }
    const onData = (text: string): void => {
      for (const char of text) {
        if (char === '\r' || char === '\n') return done(null)
        if (char === '\u0003') return done(new Error('cancelled'))
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1)
        else value += char
      }
    }
    stdin.on('data', onData)
    stdin.resume()
  })
}
