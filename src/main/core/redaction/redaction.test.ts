import { describe, expect, it } from 'vitest'
import { escapeControls, isCredentialHeader, isSecretName, Redactor, redactPatterns } from '.'

describe('isSecretName', () => {
  it('knows credential headers, including *-Token, *-Key and *-Secret', () => {
    for (const name of [
      'Authorization',
      'Proxy-Authorization',
      'Cookie',
      'Set-Cookie',
      'X-API-Key',
      'X-Auth-Token',
      'X-Goog-Api-Key',
      'X-Amz-Security-Token',
      'Ocp-Apim-Subscription-Key',
      'X-Client-Secret',
      'x-my-password',
    ]) {
      expect(isCredentialHeader(name), name).toBe(true)
    }
    for (const name of ['Accept', 'Content-Type', 'X-Request-Id', 'Dropbox-API-Arg', 'Range']) {
      expect(isCredentialHeader(name), name).toBe(false)
    }
  })

  it('knows fields named like tokens in any case style, but not every "key"', () => {
    for (const name of [
      'access_token',
      'refresh_token',
      'id_token',
      'client_secret',
      'password',
      'api_key',
      'apiKey',
      'token',
      'accessToken',
      'private_key',
      'aws_secret_access_key',
    ]) {
      expect(isSecretName(name, 'field'), name).toBe(true)
    }
    for (const name of ['Key', 'key', 'name', 'path', 'sort_key', 'tokens_used', 'error']) {
      expect(isSecretName(name, 'field'), name).toBe(false)
    }
    // Google's API key and signed URLs' signatures are query parameters.
    expect(isSecretName('key', 'query')).toBe(true)
    expect(isSecretName('sig', 'query')).toBe(true)
  })
})

describe('redactPatterns', () => {
  const cases: Array<[string, string]> = [
    [
      'GET https://x.test/a?access_token=s3cr3t&b=1',
      'GET https://x.test/a?access_token=[redacted]&b=1',
    ],
    ['https://x.test/?key=AIzaSyA&alt=json', 'https://x.test/?key=[redacted]&alt=json'],
    ['http://user:hunter22@host.test/dav/', 'http://[redacted]@host.test/dav/'],
    ['sent Authorization: Bearer abc.def-123', 'sent Authorization: [redacted]'],
    ['echo X-Auth-Token: tok-123456 end', 'echo X-Auth-Token: [redacted]'],
    ['{"x-goog-api-key":"AIza123","ok":1}', '{"x-goog-api-key":"[redacted]","ok":1}'],
    [
      '{"access_token": "ya29.a0", "refresh_token":"1//0g", "expires_in": 3599}',
      '{"access_token": "[redacted]", "refresh_token":"[redacted]", "expires_in": 3599}',
    ],
    [
      'token { access_token = "ya29.a0", refresh_token = "1//0g", expires_in = 3599 }',
      'token { access_token = "[redacted]", refresh_token = "[redacted]", expires_in = 3599 }',
    ],
    ['{ ["X-Auth-Token"] = "abcdef" }', '{ ["X-Auth-Token"] = "[redacted]" }'],
    [
      'body grant_type=refresh_token&refresh_token=1//0g&client_secret=GOCSPX',
      'body grant_type=refresh_token&refresh_token=[redacted]&client_secret=[redacted]',
    ],
    ["password = 'letmein'", "password = '[redacted]'"],
  ]
  it.each(cases)('%s', (text, expected) => {
    expect(redactPatterns(text)).toBe(expected)
  })

  it('leaves ordinary text alone', () => {
    for (const text of [
      'HTTP 404: File not found: abc.',
      'the refresh token is invalid; sign in again',
      '{"Key": "photos/2020/a.jpg", "Size": 12}',
      'report.pdf',
    ]) {
      expect(redactPatterns(text)).toBe(text)
    }
  })
})

describe('Redactor', () => {
  it('masks registered values, URL-encoded and JSON-escaped too, and a child its parent’s', () => {
    const root = new Redactor()
    const run = root.child()
    run.add('tok/with+chars"1')
    root.add('process-wide-secret')
    expect(run.redact('a tok/with+chars"1 b')).toBe('a [redacted] b')
    expect(run.redact('a tok%2Fwith%2Bchars%221 b')).toBe('a [redacted] b')
    expect(run.redact('{"t":"tok/with+chars\\"1"}')).toBe('{"t":"[redacted]"}')
    expect(run.redact('x process-wide-secret y')).toBe('x [redacted] y')
    // The parent does not learn its children's secrets.
    expect(root.redact('a tok/with+chars"1 b')).toBe('a tok/with+chars"1 b')
    // Values too short to be credentials are not masked as values.
    run.add('1234')
    expect(run.redact('page 1234')).toBe('page 1234')
  })
})

describe('escapeControls', () => {
  it('escapes terminal controls, C1 and bidi overrides; keeps tabs and (if asked) line feeds', () => {
    expect(escapeControls('a\u001b]0;pwned\u0007b\u001b[2J\u009b\u202e\tc\nd')).toBe(
      'a\\u001b]0;pwned\\u0007b\\u001b[2J\\u009b\\u202e\tc\nd',
    )
    expect(escapeControls('a\nb\rc', false)).toBe('a\\u000ab\\u000dc')
    expect(JSON.parse(`"${escapeControls('\u009b')}"`)).toBe('\u009b')
  })
})
