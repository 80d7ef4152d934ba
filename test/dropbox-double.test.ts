// The Dropbox double answers as Dropbox's API v2 does: checked here with plain fetch, so the
// provider tests stand on a double that behaves like the real service.
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BLOCK_SIZE,
  contentHash,
  contentOf,
  DEFAULT_APP,
  makeFiles,
  startDropboxDouble,
  type DropboxDouble,
} from './dropbox-double/server'

let double: DropboxDouble
let token: string

interface Answer {
  status: number
  type: string
  text: string
  headers: Headers
}

async function call(
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const res = await fetch(`${double.url}${path}`, { method: 'POST', ...init })
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    text: await res.text(),
    headers: res.headers,
  }
}

async function rpc(endpoint: string, args: unknown, auth = `Bearer ${token}`): Promise<Answer> {
  return call(`/2/${endpoint}`, {
    headers: { Authorization: auth, 'Content-Type': 'application/json' },
    body: JSON.stringify(args),
  })
}

function json<T>(answer: Answer): T {
  return JSON.parse(answer.text) as T
}

const basic = `Basic ${Buffer.from(`${DEFAULT_APP.appKey}:${DEFAULT_APP.appSecret}`).toString('base64')}`
const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString()
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' }

beforeAll(async () => {
  double = await startDropboxDouble({ files: makeFiles(12) })
  const answer = await call('/oauth2/token', {
    headers: { ...FORM, Authorization: basic },
    body: form({ grant_type: 'refresh_token', refresh_token: DEFAULT_APP.refreshToken }),
  })
  token = json<{ access_token: string }>(answer).access_token
})

afterAll(async () => {
  await double.close()
})

interface Entry {
  '.tag': string
  id: string
  path_lower: string
  path_display: string
  size?: number
  content_hash?: string
}
interface Page {
  entries: Entry[]
  cursor: string
  has_more: boolean
}

describe('the Dropbox double', () => {
  it('issues access tokens for a refresh token, with Basic auth or client_id/client_secret', async () => {
    const viaBasic = await call('/oauth2/token', {
      headers: { ...FORM, Authorization: basic },
      body: form({ grant_type: 'refresh_token', refresh_token: DEFAULT_APP.refreshToken }),
    })
    expect(viaBasic.status).toBe(200)
    expect(json(viaBasic)).toEqual({
      access_token: expect.stringMatching(/^sl\./),
      token_type: 'bearer',
      expires_in: 14400,
    })
    const viaBody = await call('/oauth2/token', {
      headers: FORM,
      body: form({
        grant_type: 'refresh_token',
        refresh_token: DEFAULT_APP.refreshToken,
        client_id: DEFAULT_APP.appKey,
        client_secret: DEFAULT_APP.appSecret,
      }),
    })
    expect(viaBody.status).toBe(200)
    const wrongSecret = await call('/oauth2/token', {
      headers: FORM,
      body: form({
        grant_type: 'refresh_token',
        refresh_token: 'x',
        client_id: 'a',
        client_secret: 'b',
      }),
    })
    expect([wrongSecret.status, json(wrongSecret)]).toEqual([
      400,
      { error: 'invalid_client', error_description: 'Invalid client_id or client_secret' },
    ])
    const wrongGrant = await call('/oauth2/token', {
      headers: { ...FORM, Authorization: basic },
      body: form({ grant_type: 'refresh_token', refresh_token: 'revoked' }),
    })
    expect([wrongGrant.status, json(wrongGrant)]).toEqual([
      400,
      { error: 'invalid_grant', error_description: 'refresh token is invalid or revoked' },
    ])
    const wrongType = await call('/oauth2/token', {
      headers: { ...FORM, Authorization: basic },
      body: form({ grant_type: 'password' }),
    })
    expect(json(wrongType)).toEqual({ error: 'unsupported_grant_type' })
  })

  it('refuses calls without a valid token, and bodies that are not JSON, as Dropbox does', async () => {
    const none = await call('/2/files/list_folder', {
      headers: { 'Content-Type': 'application/json' },
      body: '{"path":""}',
    })
    expect(none.status).toBe(400)
    expect(none.type).toMatch(/^text\/plain/)
    expect(none.text).toBe(
      'Error in call to API function "files/list_folder": Must provide HTTP header "Authorization" or URL parameter "authorization".',
    )
    const invalid = await rpc('files/list_folder', { path: '' }, 'Bearer nope')
    expect([invalid.status, json(invalid)]).toEqual([
      401,
      { error_summary: 'invalid_access_token/..', error: { '.tag': 'invalid_access_token' } },
    ])
    const wrongType = await call('/2/files/list_folder', {
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/plain' },
      body: '{"path":""}',
    })
    expect(wrongType.status).toBe(400)
    expect(wrongType.text).toContain('Bad HTTP "Content-Type" header: "text/plain"')
    const notJson = await call('/2/files/list_folder', {
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: '{path:',
    })
    expect(notJson.text).toBe(
      'Error in call to API function "files/list_folder": request body: could not decode input as JSON',
    )
  })

  it('pages a recursive listing with a cursor: every entry once, folders before their contents', async () => {
    const whole = json<Page>(await rpc('files/list_folder', { path: '', recursive: true }))
    expect(whole.has_more).toBe(false)
    const seen: Entry[] = []
    let page = json<Page>(await rpc('files/list_folder', { path: '', recursive: true, limit: 3 }))
    let pages = 1
    for (;;) {
      expect(page.entries.length).toBeLessThanOrEqual(3)
      seen.push(...page.entries)
      if (!page.has_more) break
      page = json<Page>(await rpc('files/list_folder/continue', { cursor: page.cursor }))
      pages++
    }
    expect(seen).toEqual(whole.entries)
    expect(pages).toBe(Math.ceil(whole.entries.length / 3))
    expect(seen.filter((e) => e['.tag'] === 'file')).toHaveLength(12)
    for (const [i, entry] of seen.entries()) {
      const parent = entry.path_lower.slice(0, entry.path_lower.lastIndexOf('/'))
      if (parent) {
        expect(seen.findIndex((e) => e.path_lower === parent)).toBeLessThan(i)
      }
    }
    const top = json<Page>(await rpc('files/list_folder', { path: '/Photos' }))
    expect(top.entries.every((e) => e.path_lower.split('/').length === 3)).toBe(true)
  })

  it('answers Dropbox’s errors for bad paths, limits and cursors', async () => {
    const root = await rpc('files/list_folder', { path: '/' })
    expect(root.text).toContain('Specify the root folder as an empty string')
    const missing = await rpc('files/list_folder', { path: '/nowhere' })
    expect([missing.status, json(missing)]).toEqual([
      409,
      {
        error_summary: 'path/not_found/..',
        error: { '.tag': 'path', path: { '.tag': 'not_found' } },
      },
    ])
    const limit = await rpc('files/list_folder', { path: '', limit: 5000 })
    expect(limit.text).toContain('limit: 5000 is not within range [1, 2000]')
    const garbled = await rpc('files/list_folder/continue', { cursor: 'garbage' })
    expect(garbled.status).toBe(400)
    expect(garbled.text).toContain('Invalid "cursor" parameter')

    const first = json<Page>(
      await rpc('files/list_folder', { path: '', recursive: true, limit: 2 }),
    )
    double.faults.resetCursorsBefore = 99
    const reset = await rpc('files/list_folder/continue', { cursor: first.cursor })
    double.faults.resetCursorsBefore = 0
    expect([reset.status, json(reset)]).toEqual([
      409,
      { error_summary: 'reset/..', error: { '.tag': 'reset' } },
    ])
  })

  it('get_metadata finds a file by id or by path (any case)', async () => {
    const file = double.files[4]!
    const byId = json<Entry>(await rpc('files/get_metadata', { path: file.id }))
    const byPath = json<Entry>(await rpc('files/get_metadata', { path: file.path.toUpperCase() }))
    expect(byId).toEqual(byPath)
    expect(byId).toMatchObject({
      '.tag': 'file',
      id: file.id,
      path_display: file.path,
      size: file.size,
    })
    const gone = await rpc('files/get_metadata', { path: 'id:nothing' })
    expect(gone.status).toBe(409)
  })

  it('downloads by GET or POST, arguments in Dropbox-API-Arg or arg, metadata in Dropbox-API-Result', async () => {
    const file = double.files.find((f) => /Été/.test(f.path))!
    const arg = JSON.stringify({ path: file.id })
    for (const init of [
      { path: '/2/files/download', method: 'GET', headers: { 'Dropbox-API-Arg': arg } },
      { path: '/2/files/download', method: 'POST', headers: { 'Dropbox-API-Arg': arg } },
      { path: `/2/files/download?arg=${encodeURIComponent(arg)}`, method: 'GET', headers: {} },
    ]) {
      const res = await fetch(`${double.url}${init.path}`, {
        method: init.method,
        headers: { Authorization: `Bearer ${token}`, ...init.headers },
      })
      expect(res.status).toBe(200)
      const bytes = Buffer.from(await res.arrayBuffer())
      expect(bytes.equals(contentOf(file))).toBe(true)
      expect(res.headers.get('content-length')).toBe(String(file.size))
      const result = JSON.parse(res.headers.get('dropbox-api-result') ?? '{}') as Entry
      expect(result.path_display).toBe(file.path)
      expect(res.headers.get('dropbox-api-result')).toMatch(/^[\x20-\x7e]+$/)
    }
    // A path in the header as raw UTF-8 is not "HTTP header safe".
    const unsafe = await fetch(`${double.url}/2/files/download`, {
      headers: { Authorization: `Bearer ${token}`, 'Dropbox-API-Arg': '{"path":"/Photos/Été"}' },
    })
    expect(unsafe.status).toBe(400)
    const missing = await fetch(`${double.url}/2/files/download`, {
      headers: { Authorization: `Bearer ${token}`, 'Dropbox-API-Arg': '{"path":"id:none"}' },
    })
    expect(missing.status).toBe(409)
  })

  it('computes content_hash as Dropbox does: SHA-256 over each 4 MiB block’s SHA-256', () => {
    const sha = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest()
    // No block for an empty file: the hash of nothing.
    expect(contentHash(new Uint8Array())).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    )
    const bytes = contentOf({ seed: 7, size: 2 * BLOCK_SIZE + 1000 })
    const blocks = [
      bytes.subarray(0, BLOCK_SIZE),
      bytes.subarray(BLOCK_SIZE, 2 * BLOCK_SIZE),
      bytes.subarray(2 * BLOCK_SIZE),
    ]
    expect(contentHash(bytes)).toBe(sha(Buffer.concat(blocks.map(sha))).toString('hex'))
    expect(contentHash(bytes.subarray(0, 10))).toBe(sha(sha(bytes.subarray(0, 10))).toString('hex'))
  })

  it('answers injected rate limits with Retry-After, and expires tokens on demand', async () => {
    double.faults.status = { '/2/files/get_metadata': { status: 429, times: 1, retryAfter: 7 } }
    const limited = await rpc('files/get_metadata', { path: double.files[0]!.id })
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('7')
    expect(json(limited)).toEqual({
      error_summary: 'too_many_requests/..',
      error: { reason: { '.tag': 'too_many_requests' }, retry_after: 7 },
    })
    expect((await rpc('files/get_metadata', { path: double.files[0]!.id })).status).toBe(200)
    double.expireTokens()
    const expired = await rpc('files/get_metadata', { path: double.files[0]!.id })
    expect([expired.status, json(expired)]).toEqual([
      401,
      { error_summary: 'expired_access_token/..', error: { '.tag': 'expired_access_token' } },
    ])
  })
})
