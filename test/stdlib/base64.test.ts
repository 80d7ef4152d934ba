// base64 through a real runner: RFC 4648 §10's test vectors in both alphabets, bytes of every
// value, and the errors for text that is not base64.
import { describe, it } from 'vitest'
import { expectLua, lit, useStdlibFixtures } from './harness'

const fixtures = useStdlibFixtures()

const RFC4648: Array<[string, string]> = [
  ['', ''],
  ['f', 'Zg=='],
  ['fo', 'Zm8='],
  ['foo', 'Zm9v'],
  ['foob', 'Zm9vYg=='],
  ['fooba', 'Zm9vYmE='],
  ['foobar', 'Zm9vYmFy'],
]

describe('base64', () => {
  it('encode and decode: the RFC 4648 §10 vectors', async () => {
    await expectLua(
      fixtures.core,
      [
        'local base64 = require "base64"',
        ...RFC4648.flatMap(([plain, encoded]) => [
          `eq("encode ${plain}", base64.encode(${lit(plain)}), ${lit(encoded)})`,
          `eq("decode ${encoded}", base64.decode(${lit(encoded)}), ${lit(plain)})`,
        ]),
      ].join('\n'),
    )
  })

  it('the URL-safe alphabet (§5): the same vectors without padding, - and _ for + and /', async () => {
    await expectLua(
      fixtures.core,
      [
        'local base64 = require "base64"',
        ...RFC4648.flatMap(([plain, encoded]) => [
          `eq("encode_url ${plain}", base64.encode_url(${lit(plain)}), ${lit(encoded.replace(/=/g, ''))})`,
          `eq("decode_url ${encoded}", base64.decode_url(${lit(encoded.replace(/=/g, ''))}), ${lit(plain)})`,
          `eq("decode_url padded ${encoded}", base64.decode_url(${lit(encoded)}), ${lit(plain)})`,
        ]),
        // 0xfb 0xff encodes to the two symbols the alphabets differ in.
        `eq("standard", base64.encode("\\251\\255"), "+/8=")`,
        `eq("url-safe", base64.encode_url("\\251\\255"), "-_8")`,
        `eq("url-safe back", base64.decode_url("-_8"), "\\251\\255")`,
      ].join('\n'),
    )
  })

  it('every byte value survives a round trip, and line breaks in the text are skipped', async () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i)
    const wrapped = Buffer.from(all).toString('base64').replace(/.{60}/g, '$&\r\n')
    await expectLua(
      fixtures.core,
      `local base64 = require "base64"
      local all = ${lit(all)}
      eq("round trip", base64.decode(base64.encode(all)), all)
      eq("url round trip", base64.decode_url(base64.encode_url(all)), all)
      eq("wrapped at 60 with CRLF", base64.decode(${lit(wrapped)}), all)
      eq("spaces and tabs", base64.decode(" Zm9v\\tYmFy \\n"), "foobar")
      eq("missing padding is fine", base64.decode("Zm9vYg"), "foob")`,
    )
  })

  it('text that is not base64 raises an error that says why', async () => {
    await expectLua(
      fixtures.core,
      `local base64 = require "base64"
      fails("bad symbol", 'base64.decode: "%%" at position 3 is not in the base64 alphabet', base64.decode, "Zm%v")
      fails("url symbol in standard", '"%-" at position 1 is not in the base64 alphabet', base64.decode, "-_8=")
      fails("standard symbol in url", '"%+" at position 1 is not in the base64 alphabet', base64.decode_url, "+/8=")
      fails("padding inside", '"=" may only end the text', base64.decode, "Zg==Zg==")
      fails("one symbol left over", "5 symbols cannot be base64", base64.decode, "Zm9vY")
      fails("too much padding", "the padding does not fit", base64.decode, "Zg===")
      fails("not a string", "base64.encode: the data %(argument 1%) must be a string, got table", base64.encode, {})`,
    )
  })
})
