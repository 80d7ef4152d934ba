// SigV4 against published vectors and against AWS's own signer.
//  - AWS's documentation: the Signature Version 4 test suite's worked example
//    (get-vanilla-query-order-key-case: canonical request, string to sign, signature), the
//    suite's get-vanilla and post-vanilla signatures, the signing-key derivation example
//    (iam, 20120215), the IAM ListUsers example, and the four S3 examples of "Signature
//    Calculations for the Authorization Header: Transferring Payload in a Single Chunk" (GET
//    Object with Range, PUT Object, GET Bucket Lifecycle, GET Bucket with max-keys and prefix).
//  - The test suite's other cases (duplicate and unordered header values, trimming, unreserved
//    and UTF-8 paths and queries, path normalization, POST forms, session tokens), rebuilt from
//    their published requests and checked against @smithy/signature-v4, the signer of AWS's
//    JavaScript SDK, which is itself held to that suite; then 300 random requests, both ways.
import { createHash } from 'node:crypto'
import { SignatureV4 } from '@smithy/signature-v4'
import { describe, expect, it } from 'vitest'
import { NodeSha256 } from '../../../../test/servers/node-sha256'
import {
  amzDate,
  EMPTY_SHA256,
  sign,
  signingKey,
  type SigV4Options,
  type SigV4Request,
} from './sigv4'

const SUITE = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  scope: { amzDate: '20150830T123600Z', region: 'us-east-1', service: 'service' },
}
const S3_DOCS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  scope: { amzDate: '20130524T000000Z', region: 'us-east-1', service: 's3' },
}
const NOT_S3: SigV4Options = { s3: false }
const HOST: Array<[string, string]> = [
  ['Host', 'example.amazonaws.com'],
  ['X-Amz-Date', '20150830T123600Z'],
]

function suiteSign(request: Partial<SigV4Request>): ReturnType<typeof sign> {
  return sign(
    { method: 'GET', path: '/', query: [], headers: HOST, payloadHash: EMPTY_SHA256, ...request },
    SUITE.accessKeyId,
    SUITE.secretAccessKey,
    SUITE.scope,
    NOT_S3,
  )
}

function s3Sign(request: Partial<SigV4Request> & { payloadHash?: string }): string {
  const payloadHash = request.payloadHash ?? EMPTY_SHA256
  return sign(
    {
      method: 'GET',
      path: '/',
      query: [],
      ...request,
      payloadHash,
      headers: [
        ['Host', 'examplebucket.s3.amazonaws.com'],
        ...(request.headers ?? []),
        ['x-amz-content-sha256', payloadHash],
        ['x-amz-date', '20130524T000000Z'],
      ],
    },
    S3_DOCS.accessKeyId,
    S3_DOCS.secretAccessKey,
    S3_DOCS.scope,
    { s3: true },
  ).signature
}

describe('SigV4: the vectors AWS publishes', () => {
  it('the test suite worked example: get-vanilla-query-order-key-case', () => {
    const result = suiteSign({
      query: [
        ['Param2', 'value2'],
        ['Param1', 'value1'],
      ],
    })
    expect(result.canonicalRequest).toBe(
      [
        'GET',
        '/',
        'Param1=value1&Param2=value2',
        'host:example.amazonaws.com',
        'x-amz-date:20150830T123600Z',
        '',
        'host;x-amz-date',
        EMPTY_SHA256,
      ].join('\n'),
    )
    expect(result.stringToSign).toBe(
      [
        'AWS4-HMAC-SHA256',
        '20150830T123600Z',
        '20150830/us-east-1/service/aws4_request',
        '816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0',
      ].join('\n'),
    )
    expect(result.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
    )
  })

  it('the test suite: get-vanilla and post-vanilla', () => {
    expect(suiteSign({}).signature).toBe(
      '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    )
    expect(suiteSign({ method: 'POST' }).signature).toBe(
      '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b',
    )
  })

  it('deriving the signing key (the documentation example for iam on 20120215)', () => {
    const key = signingKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', {
      amzDate: '20120215T000000Z',
      region: 'us-east-1',
      service: 'iam',
    })
    expect(key.toString('hex')).toBe(
      'f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d',
    )
  })

  it('the IAM ListUsers example', () => {
    const result = sign(
      {
        method: 'GET',
        path: '/',
        query: [
          ['Action', 'ListUsers'],
          ['Version', '2010-05-08'],
        ],
        headers: [
          ['Content-Type', 'application/x-www-form-urlencoded; charset=utf-8'],
          ['Host', 'iam.amazonaws.com'],
          ['X-Amz-Date', '20150830T123600Z'],
        ],
        payloadHash: EMPTY_SHA256,
      },
      SUITE.accessKeyId,
      SUITE.secretAccessKey,
      { ...SUITE.scope, service: 'iam' },
      NOT_S3,
    )
    expect(result.signature).toBe(
      '5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    )
  })

  it('the four S3 examples (signed payloads, paths signed as sent)', () => {
    expect(s3Sign({ path: '/test.txt', headers: [['Range', 'bytes=0-9']] })).toBe(
      'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    )
    const body = 'Welcome to Amazon S3.'
    expect(
      s3Sign({
        method: 'PUT',
        path: '/test%24file.text',
        headers: [
          ['Date', 'Fri, 24 May 2013 00:00:00 GMT'],
          ['x-amz-storage-class', 'REDUCED_REDUNDANCY'],
        ],
        payloadHash: createHash('sha256').update(body).digest('hex'),
      }),
    ).toBe('98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd')
    expect(s3Sign({ query: [['lifecycle', '']] })).toBe(
      'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543',
    )
    expect(
      s3Sign({
        query: [
          ['max-keys', '2'],
          ['prefix', 'J'],
        ],
      }),
    ).toBe('34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7')
  })

  it('writes the date as SigV4 does', () => {
    expect(amzDate(new Date('2015-08-30T12:36:00.123Z'))).toBe('20150830T123600Z')
  })
})

interface Shape {
  method: string
  path: string
  query: Array<[string, string]>
  headers: Array<[string, string]>
  body?: string
}

/** The SDK's signature for the same request (headers with one name joined, as HTTP allows). */
async function sdkSignature(shape: Shape, options: SigV4Options, service: string): Promise<string> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: SUITE.accessKeyId, secretAccessKey: SUITE.secretAccessKey },
    region: SUITE.scope.region,
    service,
    sha256: NodeSha256,
    uriEscapePath: !options.s3,
    applyChecksum: false,
  })
  const headers: Record<string, string> = {}
  for (const [name, value] of shape.headers) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name
    headers[key] = headers[key] === undefined ? value : `${headers[key]},${value}`
  }
  const query: Record<string, string | string[]> = {}
  for (const [name, value] of shape.query) {
    const known = query[name]
    query[name] = known === undefined ? value : [...(Array.isArray(known) ? known : [known]), value]
  }
  const signed = await signer.sign(
    {
      method: shape.method,
      protocol: 'https:',
      hostname: 'example.amazonaws.com',
      path: shape.path,
      query,
      headers,
      body: shape.body,
    },
    { signingDate: new Date('2015-08-30T12:36:00Z') },
  )
  const authorization = signed.headers.authorization ?? ''
  return /Signature=([0-9a-f]{64})/.exec(authorization)?.[1] ?? `no signature in ${authorization}`
}

function ours(shape: Shape, options: SigV4Options, service: string): string {
  const payloadHash = createHash('sha256')
    .update(shape.body ?? '')
    .digest('hex')
  return sign(
    {
      method: shape.method,
      path: shape.path,
      query: shape.query,
      headers: shape.headers,
      payloadHash,
    },
    SUITE.accessKeyId,
    SUITE.secretAccessKey,
    { ...SUITE.scope, service },
    options,
  ).signature
}

const UNRESERVED = '-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const get = (path: string, more: Partial<Shape> = {}): Shape => ({
  method: 'GET',
  path,
  query: [],
  headers: HOST,
  ...more,
})
const post = (more: Partial<Shape>): Shape => ({ ...get('/'), method: 'POST', ...more })

const SUITE_CASES: Record<string, Shape> = {
  'get-header-key-duplicate': get('/', {
    headers: [
      ...HOST,
      ['My-Header1', 'value2'],
      ['My-Header1', 'value2'],
      ['My-Header1', 'value1'],
    ],
  }),
  'get-header-value-order': get('/', {
    headers: [
      ...HOST,
      ['My-Header1', 'value4'],
      ['My-Header1', 'value1'],
      ['My-Header1', 'value3'],
      ['My-Header1', 'value2'],
    ],
  }),
  'get-header-value-trim': get('/', {
    headers: [...HOST, ['My-Header1', ' value1'], ['My-Header2', ' "a   b   c"']],
  }),
  'get-unreserved': get(`/${UNRESERVED}`),
  'get-utf8': get('/ሴ'),
  'get-vanilla': get('/'),
  'get-vanilla-empty-query-key': get('/', { query: [['Param1', 'value1']] }),
  'get-vanilla-query-order-key': get('/', {
    query: [
      ['Param1', 'value2'],
      ['Param1', 'Value1'],
    ],
  }),
  'get-vanilla-query-order-key-case': get('/', {
    query: [
      ['Param2', 'value2'],
      ['Param1', 'value1'],
    ],
  }),
  'get-vanilla-query-order-value': get('/', {
    query: [
      ['Param1', 'value2'],
      ['Param1', 'value1'],
    ],
  }),
  'get-vanilla-query-unreserved': get('/', { query: [[UNRESERVED, UNRESERVED]] }),
  'get-vanilla-utf8-query': get('/', { query: [['ሴ', 'bar']] }),
  'normalize-path/get-relative': get('/example/..'),
  'normalize-path/get-relative-relative': get('/example1/example2/../..'),
  'normalize-path/get-slash': get('//'),
  'normalize-path/get-slash-dot-slash': get('/./'),
  'normalize-path/get-slash-pointless-dot': get('/./example'),
  'normalize-path/get-slashes': get('//example//'),
  'normalize-path/get-space': get('/example space/'),
  'post-header-key-case': post({}),
  'post-header-key-sort': post({ headers: [...HOST, ['My-Header1', 'value1']] }),
  'post-header-value-case': post({ headers: [...HOST, ['My-Header1', 'VALUE1']] }),
  'post-sts-token/post-sts-header-before': post({
    headers: [
      ...HOST,
      [
        'X-Amz-Security-Token',
        'AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==',
      ],
    ],
  }),
  'post-vanilla': post({}),
  'post-vanilla-empty-query-value': post({ query: [['Param1', 'value1']] }),
  'post-vanilla-query': post({ query: [['Param1', 'value1']] }),
  'post-x-www-form-urlencoded': post({
    headers: [...HOST, ['Content-Type', 'application/x-www-form-urlencoded']],
    body: 'Param1=value1',
  }),
  'post-x-www-form-urlencoded-parameters': post({
    headers: [...HOST, ['Content-Type', 'application/x-www-form-urlencoded; charset=utf8']],
    body: 'Param1=value1',
  }),
}

describe('SigV4: the test suite cases, against the AWS SDK signer', () => {
  for (const [name, shape] of Object.entries(SUITE_CASES)) {
    it(name, async () => {
      expect(ours(shape, NOT_S3, 'service')).toBe(await sdkSignature(shape, NOT_S3, 'service'))
    })
  }

  it('300 random requests, as S3 signs them and as every other service does', async () => {
    let seed = 18
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    const pieces = [
      'a',
      'Z',
      '0',
      '-',
      '_',
      '.',
      '~',
      ' ',
      '%',
      '+',
      '=',
      '&',
      '/',
      'é',
      '日本',
      '😀',
      '*',
      "'",
      '(',
    ]
    const word = (length: number): string =>
      Array.from({ length }, () => pieces[random(pieces.length)]).join('')
    const mismatches: string[] = []
    for (let i = 0; i < 300; i++) {
      const s3 = i % 2 === 0
      // Paths as sent: encoded the way S3 clients encode keys (the raw bytes for the others).
      const segments = Array.from({ length: 1 + random(3) }, () => word(1 + random(6)))
      const path = `/${segments.map((s) => (s3 ? encodeURIComponent(s) : s.replace(/[/%]/g, ''))).join('/')}`
      const query: Array<[string, string]> = Array.from({ length: random(4) }, () => [
        word(1 + random(4)),
        word(random(5)),
      ])
      const headers: Array<[string, string]> = [
        ...HOST,
        ...Array.from({ length: random(3) }, (_, j): [string, string] => [
          `X-Test-${j}`,
          `  ${word(1 + random(5)).replace(/[^\x20-\x7e]/g, 'x')}  `,
        ]),
      ]
      const shape: Shape = { method: random(2) ? 'GET' : 'PUT', path, query, headers }
      const options = { s3 }
      const service = s3 ? 's3' : 'service'
      const mine = ours(shape, options, service)
      const theirs = await sdkSignature(shape, options, service)
      if (mine !== theirs) mismatches.push(JSON.stringify(shape))
    }
    expect(mismatches).toEqual([])
  })
})
