import { describe, expect, it } from 'vitest'
import { classifyFailure, providerLine } from './run-problem'

const P = 'Acme (test)'

describe('classifyFailure', () => {
  it.each([
    [
      `${P}:12: in list_file_ids: HTTP 404: File not found: abc.`,
      'http',
      'HTTP 404 at line 12',
      12,
      404,
    ],
    [
      `${P}:3: in list_file_ids: HTTP 401: Invalid Credentials`,
      'sign-in',
      'Sign-in needed (HTTP 401)',
      3,
      401,
    ],
    [
      `${P}:9: in access_token: HTTP 400: invalid_grant`,
      'sign-in',
      'Sign-in needed (HTTP 400)',
      9,
      400,
    ],
    [
      `${P}:5: in list_file_ids: GET http://127.0.0.1:9/files failed: connect ECONNREFUSED 127.0.0.1:9`,
      'network',
      'Network unreachable at line 5',
      5,
      null,
    ],
    [
      `${P}:5: in list_file_ids: GET https://nowhere.invalid/x failed: getaddrinfo ENOTFOUND nowhere.invalid`,
      'network',
      'Network unreachable at line 5',
      5,
      null,
    ],
    [
      `${P}:7: in list_file_ids: attempt to index a nil value (local 'page')`,
      'lua',
      'Lua error at line 7',
      7,
      null,
    ],
    [`${P}:2: in the main chunk: boom`, 'lua', 'Lua error at line 2', 2, null],
    [
      `${P}:4: in list_file_ids: the script ran for more than 10 s of CPU without calling the host and was stopped`,
      'limit',
      'Limit hit: CPU time',
      4,
      null,
    ],
    [
      'the runner was killed: it went over its memory limit of 512 MB',
      'limit',
      'Limit hit: memory',
      null,
      null,
    ],
    [
      'the runner was killed: it neither called the host nor reported for 15 s (a builtin such as string.rep or a pattern match running too long)',
      'limit',
      'Limit hit: stuck in a builtin',
      null,
      null,
    ],
    [
      `${P}:8: in list_file_ids: GET http://h/x failed: no data for 60 s`,
      'limit',
      'Limit hit: no answer from the server in time',
      8,
      null,
    ],
    [
      'the runner process ended unexpectedly (exit code 1, signal none)',
      'runner',
      'The runner crashed',
      null,
      null,
    ],
    [
      'the provider does not define get_file_metadata(), download_file(); a provider defines list_file_ids, get_file_metadata and download_file as global functions',
      'lua',
      'Not defined: get_file_metadata(), download_file()',
      null,
      null,
    ],
  ])('%s', (message, kind, summary, line, status) => {
    expect(classifyFailure('list', message, P)).toEqual({
      stage: 'list',
      kind,
      summary,
      line,
      status,
    })
  })
})

describe('providerLine', () => {
  it('finds the provider’s own position, not another chunk’s or a number elsewhere', () => {
    expect(providerLine(`run failed: ${P}:42: in f: x`, P)).toBe(42)
    expect(providerLine('sandbox:3: in f: x', P)).toBeNull()
    expect(providerLine(`HTTP 404: ${P} item 12: gone`, P)).toBeNull()
    // A name with regular-expression characters in it is taken as text.
    expect(providerLine('a.b:7: x', 'a.b')).toBe(7)
    expect(providerLine('axb:7: x', 'a.b')).toBeNull()
  })
})
