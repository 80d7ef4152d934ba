// crypto through a real runner, against the published vectors: RFC 1321's MD5 suite, FIPS 180's
// SHA examples ("abc", the 448- and 896-bit messages, a million "a"), RFC 4231's HMAC-SHA256
// cases 1-4, 6 and 7.
import { createHash } from 'node:crypto'
import { describe, it } from 'vitest'
import { expectLua, lit, useStdlibFixtures } from './harness'

const fixtures = useStdlibFixtures()

const M448 = 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'
const M896 =
  'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu'

/** Lua that checks `crypto.<fn>(input)` against each expected hex digest. */
function digests(fn: string, cases: Array<[string, string]>): string {
  return [
    'local crypto = require "crypto"',
    ...cases.map(
      ([input, hex], i) => `eq("${fn} #${i + 1}", crypto.${fn}(${lit(input)}), ${lit(hex)})`,
    ),
  ].join('\n')
}

describe('crypto', () => {
  it('md5: the RFC 1321 test suite', async () => {
    await expectLua(
      fixtures.core,
      digests('md5', [
        ['', 'd41d8cd98f00b204e9800998ecf8427e'],
        ['a', '0cc175b9c0f1b6a831c399e269772661'],
        ['abc', '900150983cd24fb0d6963f7d28e17f72'],
        ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
        ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
        [
          'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
          'd174ab98d277d9f5a5611c2c9f419d9f',
        ],
        ['1234567890'.repeat(8), '57edf4a22be3c955ac49da2e2107b67a'],
      ]),
    )
  })

  it('sha1: FIPS 180 "abc", the 448-bit message, and a million "a"', async () => {
    await expectLua(
      fixtures.core,
      `${digests('sha1', [
        ['abc', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
        [M448, '84983e441c3bd26ebaae4aa1f95129e5e54670f1'],
        ['', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
      ])}
      eq("a million a", crypto.sha1(("a"):rep(1000000)), "34aa973cd4c4daa4f61eeb2bdbad27316534016f")`,
    )
  })

  it('sha256: FIPS 180 "abc", the 448-bit message, and a million "a"', async () => {
    await expectLua(
      fixtures.core,
      `${digests('sha256', [
        ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
        [M448, '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
        ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
      ])}
      eq("a million a", crypto.sha256(("a"):rep(1000000)),
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")`,
    )
  })

  it('sha512: FIPS 180 "abc", the 448- and 896-bit messages', async () => {
    await expectLua(
      fixtures.core,
      digests('sha512', [
        [
          'abc',
          'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
        ],
        [
          M448,
          '204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445',
        ],
        [
          M896,
          '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909',
        ],
        [
          '',
          'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
        ],
      ]),
    )
  })

  it('hmac_sha256: RFC 4231 test cases 1, 2, 3, 4, 6 and 7', async () => {
    const key4 = Uint8Array.from({ length: 25 }, (_, i) => i + 1)
    const cases: Array<[string, Uint8Array | string, Uint8Array | string, string]> = [
      [
        '1',
        new Uint8Array(20).fill(0x0b),
        'Hi There',
        'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
      ],
      [
        '2',
        'Jefe',
        'what do ya want for nothing?',
        '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
      ],
      [
        '3',
        new Uint8Array(20).fill(0xaa),
        new Uint8Array(50).fill(0xdd),
        '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
      ],
      [
        '4',
        key4,
        new Uint8Array(50).fill(0xcd),
        '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
      ],
      [
        '6',
        new Uint8Array(131).fill(0xaa),
        'Test Using Larger Than Block-Size Key - Hash Key First',
        '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
      ],
      [
        '7',
        new Uint8Array(131).fill(0xaa),
        'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.',
        '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
      ],
    ]
    await expectLua(
      fixtures.core,
      [
        'local crypto = require "crypto"',
        ...cases.map(
          ([n, key, data, hex]) =>
            `eq("RFC 4231 case ${n}", crypto.hmac_sha256(${lit(key)}, ${lit(data)}), ${lit(hex)})`,
        ),
      ].join('\n'),
    )
  })

  it('raw and base64 output, for signing chains such as AWS Signature V4', async () => {
    await expectLua(
      fixtures.core,
      `local crypto = require "crypto"
      local raw = crypto.hmac_sha256("Jefe", "what do ya want for nothing?", "raw")
      eq("raw length", #raw, 32)
      eq("raw bytes", (raw:gsub(".", function(c) return ("%02x"):format(c:byte()) end)),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
      eq("base64", crypto.sha256("abc", "base64"), "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=")
      eq("hex is the default", crypto.md5("abc", "hex"), crypto.md5("abc"))
      -- A chain: the next key is the previous raw MAC (AWS Signature V4 derives its key so).
      local k = crypto.hmac_sha256("AWS4" .. "secret", "20150830", "raw")
      k = crypto.hmac_sha256(k, "us-east-1", "raw")
      k = crypto.hmac_sha256(k, "iam", "raw")
      k = crypto.hmac_sha256(k, "aws4_request", "raw")
      eq("chain", #crypto.hmac_sha256(k, "string to sign"), 64)
      eq("digests take bytes", crypto.md5("\\0\\255"), "${md5Hex([0, 255])}")`,
    )
  })

  it('random_bytes gives n fresh bytes, and refuses silly counts', async () => {
    await expectLua(
      fixtures.core,
      `local crypto = require "crypto"
      local a, b = crypto.random_bytes(32), crypto.random_bytes(32)
      eq("length", #a, 32)
      assert(a ~= b, "two calls gave the same bytes")
      eq("zero", crypto.random_bytes(0), "")
      fails("negative", "whole number from 0 to 65536, got %-1", crypto.random_bytes, -1)
      fails("too many", "from 0 to 65536", crypto.random_bytes, 65537)
      fails("fraction", "whole number", crypto.random_bytes, 1.5)
      fails("string", "the count %(argument 1%) must be a number, got string", crypto.random_bytes, "8")`,
    )
  })

  it('misuse raises errors that name the function and the argument', async () => {
    await expectLua(
      fixtures.core,
      `local crypto = require "crypto"
      fails("nil data", "crypto.md5: the data %(argument 1%) must be a string, got no value", crypto.md5)
      fails("number data", "crypto.sha256: the data %(argument 1%) must be a string, got number",
        crypto.sha256, 42)
      fails("bad format", 'crypto.sha1: the format %(argument 2%) must be "hex", "raw" or "base64", got "HEX"',
        crypto.sha1, "x", "HEX")
      fails("no message", "crypto.hmac_sha256: the message %(argument 2%) must be a string, got no value",
        crypto.hmac_sha256, "key")`,
    )
  })
})

function md5Hex(bytes: number[]): string {
  return createHash('md5').update(Uint8Array.from(bytes)).digest('hex')
}
