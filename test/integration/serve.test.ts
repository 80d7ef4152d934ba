// `skwirl serve` as a hostile page or client meets it: crafted request targets, broken upgrades,
// garbage frames. Whatever arrives, the server answers or drops that one connection and goes on
// serving, and nothing it does is logged as a bug.
import { spawn, type ChildProcess } from 'node:child_process'
import { connect } from 'node:net'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { SOCKET_PATH } from '../../src/shared/socket-protocol'
import { FAST_HTTP_ENV, makeDataDir, REPO_ROOT } from '../support/fixtures'

const BIN = join(REPO_ROOT, 'bin', 'skwirl.cjs')

interface Serve {
  child: ChildProcess
  url: string
  port: number
  token: string
  stdout: () => string
  stderr: () => string
  exited: Promise<number | null>
}

const children = new Set<ChildProcess>()
const cleanups: Array<() => void> = []

afterEach(async () => {
  for (const child of children) child.kill('SIGKILL')
  children.clear()
  while (cleanups.length > 0) cleanups.pop()?.()
})

async function serve(args: string[] = []): Promise<Serve> {
  const data = makeDataDir()
  cleanups.push(data.remove)
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('SKWIRL_')),
  )
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    cwd: REPO_ROOT,
    env: { ...base, ...FAST_HTTP_ENV, SKWIRL_DATA_DIR: data.dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  let stdout = ''
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      const found = /Skwirl is at (\S+)/.exec(stdout)
      if (found) resolve(found[1] as string)
    })
    void exited.then((code) => reject(new Error(`serve exited (${code}): ${stderr}`)))
  })
  const parsed = new URL(url)
  return {
    child,
    url,
    port: Number(parsed.port),
    token: parsed.searchParams.get('token') ?? '',
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
  }
}

/** Sends raw bytes and answers the status line the server replies with ('' if it just closes). */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let answer = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => (answer += chunk))
    socket.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' ? resolve(answer.split('\r\n')[0] ?? '') : reject(error),
    )
    socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''))
    socket.write(text, 'latin1')
  })
}

function get(target: string, port: number, extra = ''): string {
  return `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n${extra}\r\n`
}

function upgrade(target: string, port: number): string {
  return get(
    target,
    port,
    'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n',
  )
}

async function stillServes(s: Serve): Promise<void> {
  const page = await fetch(s.url)
  expect(page.status).toBe(200)
  await page.body?.cancel()
  expect(s.child.exitCode).toBeNull()
  // Nothing that came in was a bug of Skwirl's (the safety net would have logged one).
  expect(s.stdout()).not.toMatch(/bug:|uncaught|unhandled/i)
}

function openSocket(s: Serve): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}${SOCKET_PATH}?token=${s.token}`)
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

function call(ws: WebSocket, id: number, method: unknown, args: unknown): Promise<unknown> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const message = JSON.parse(data.toString()) as { type: string; id: number }
      if (message.type === 'result' && message.id === id) {
        ws.off('message', onMessage)
        resolve(message)
      }
    }
    ws.on('message', onMessage)
    ws.send(JSON.stringify({ type: 'call', id, method, args }))
  })
}

const CRAFTED = ['//', '///', '//@', '//[', '//a@b/c', '/\\\\evil', '/%', '*', 'http://x/', '']

describe('skwirl serve against crafted requests', () => {
  it('answers crafted targets, with and without an upgrade, and goes on serving', async () => {
    const s = await serve()
    for (const target of CRAFTED) {
      for (const withToken of [false, true]) {
        const t =
          withToken && target.startsWith('/')
            ? `${target}${target.includes('?') ? '&' : '?'}token=${s.token}`
            : target
        const plain = await rawRequest(s.port, get(t, s.port))
        expect(plain, `GET ${t}`).toMatch(/^HTTP\/1\.1 (200|400|401|404|500) /)
        const upgraded = await rawRequest(s.port, upgrade(t, s.port))
        expect(upgraded, `upgrade ${t}`).toMatch(/^HTTP\/1\.1 (400|401|403|404) /)
      }
    }
    // Requests that cannot be parsed at all get 400.
    expect(await rawRequest(s.port, get('*', s.port))).toMatch(/^HTTP\/1\.1 400 /)
    expect(await rawRequest(s.port, upgrade('http://x/', s.port))).toMatch(/^HTTP\/1\.1 400 /)
    expect(await rawRequest(s.port, 'GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 |^$/)
    // A client that starts an upgrade and vanishes.
    await new Promise<void>((resolve) => {
      const socket = connect(s.port, '127.0.0.1', () => {
        socket.write(upgrade('//', s.port).slice(0, -2))
        socket.resetAndDestroy()
        resolve()
      })
    })
    await stillServes(s)
  })

  it('survives garbage on the socket and answers the next call', async () => {
    const s = await serve()
    const ws = await openSocket(s)
    ws.send('not json')
    ws.send(Buffer.from([0xff, 0xfe, 0x00, 0x01]))
    ws.send(JSON.stringify({ type: 'call', id: 'x', method: 'listProviders', args: [] }))
    ws.send(`${'['.repeat(200_000)}${']'.repeat(200_000)}`)
    ws.send(JSON.stringify({ type: 'call', id: 1, method: '__proto__', args: [] }))
    ws.send(JSON.stringify({ type: 'call', id: 2, method: 'getProvider', args: { length: 1 } }))
    expect(await call(ws, 3, 'constructor', [])).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument' },
    })
    expect(
      await call(ws, 4, 'listRunFiles', [{ runId: 'x', filter: 'all', offset: -1 }]),
    ).toMatchObject({ ok: false, error: { code: 'invalid-argument' } })
    const list = (await call(ws, 5, 'listProviders', [])) as { ok: boolean }
    expect(list.ok).toBe(true)
    // A frame over the size limit closes that socket, not the server.
    const closed = new Promise<number>((resolve) => ws.once('close', resolve))
    ws.send(Buffer.alloc(17 * 1024 * 1024, 0x61))
    expect(await closed).toBe(1009)
    const again = await openSocket(s)
    expect(((await call(again, 1, 'listRuns', [])) as { ok: boolean }).ok).toBe(true)
    again.close()
    await stillServes(s)
  })
})

describe('skwirl serve --host', () => {
  it('warns that a non-loopback address carries the token in clear', async () => {
    const s = await serve(['--host', '0.0.0.0'])
    await expect.poll(() => s.stderr()).toMatch(/warning: listening on 0\.0\.0\.0/)
    expect(s.stderr()).toMatch(/access token travels in clear text/)
    expect(s.stderr()).toMatch(/ssh -L/)
  })

  it('warns of nothing on the default loopback address', async () => {
    const s = await serve()
    await stillServes(s)
    expect(s.stderr()).not.toContain('warning')
  })
})
