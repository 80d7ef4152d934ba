// aws.sign through a real runner: main signs with the keys it reads from the provider's
// settings (the S3 documentation's GET Object example, byte for byte), the secret key never
// reaches Lua or the log, and misuse gets a message that says what to do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { provider, run, runError } from '../sandbox/harness'
import { startTestCore, type TestCore } from '../support/fixtures'
import { CHECKS } from './harness'

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
const SETTINGS: Record<string, string> = {
  access_key_id: 'AKIAIOSFODNN7EXAMPLE',
  secret_access_key: SECRET,
}

let core: TestCore

beforeAll(() => {
  core = startTestCore(
    { cpuMs: 5000, watchdogMs: 10_000 },
    undefined,
    undefined,
    () => (key) => SETTINGS[key] ?? null,
  )
})
afterAll(async () => {
  await core.dispose()
})

async function expectLua(lua: string): Promise<void> {
  const outcome = await run(core, provider(`${CHECKS}\n${lua}`))
  expect(runError(outcome)).toBe('')
  expect(outcome.status).toBe('completed')
}

describe('aws.sign', () => {
  it("signs the S3 documentation's GET Object example with the keys from the settings", async () => {
    await expectLua(
      `local aws = require "aws"
      local r = aws.sign {
        url = "https://examplebucket.s3.amazonaws.com/test.txt",
        headers = { Range = "bytes=0-9" },
        region = "us-east-1", service = "s3",
        access_key_setting = "access_key_id", secret_key_setting = "secret_access_key",
        time = 1369353600, -- 2013-05-24T00:00:00Z
      }
      eq("method", r.method, "GET")
      eq("url", r.url, "https://examplebucket.s3.amazonaws.com/test.txt")
      eq("range kept", r.headers.Range, "bytes=0-9")
      eq("date", r.headers["X-Amz-Date"], "20130524T000000Z")
      eq("payload", r.headers["X-Amz-Content-Sha256"], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
      eq("authorization", r.headers.Authorization, "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
      for k, v in pairs(r.headers) do
        if tostring(v):find("wJalrXUtnFEMI", 1, true) then error("the secret reached Lua in " .. k) end
      end`,
    )
    expect(core.readLog()).not.toContain(SECRET)
  })

  it('returns the URL in the form it signed: params sorted and encoded, paths encoded once', async () => {
    await expectLua(
      `local aws = require "aws"
      local r = aws.sign {
        method = "get", url = "http://127.0.0.1:9000/bucket/photos/caf%C3%A9 & co.jpg?b=2",
        params = { ["list-type"] = 2, prefix = "a b/", ["continuation-token"] = "x+y=" },
        region = "eu-west-1", service = "s3",
        access_key = "AKID", secret_key_setting = "secret_access_key",
      }
      eq("method", r.method, "GET")
      eq("url", r.url, "http://127.0.0.1:9000/bucket/photos/caf%C3%A9%20%26%20co.jpg?b=2&continuation-token=x%2By%3D&list-type=2&prefix=a%20b%2F")
      eq("credential", r.headers.Authorization:match("Credential=([^,]+)"), "AKID/" .. r.headers["X-Amz-Date"]:sub(1, 8) .. "/eu-west-1/s3/aws4_request")
      local other = aws.sign { url = "https://example.amazonaws.com/a/./b/../c", region = "us-east-1", service = "service",
        access_key = "AKID", secret_key_setting = "secret_access_key", body = "x=1", method = "POST" }
      eq("normalized for other services", other.url, "https://example.amazonaws.com/a/c")
      eq("body back", other.body, "x=1")
      eq("no content hash header but for s3", other.headers["X-Amz-Content-Sha256"], nil)`,
    )
  })

  it('refuses a secret in Lua, and says which setting is missing', async () => {
    await expectLua(
      `local aws = require "aws"
      local base = { url = "https://s3.amazonaws.com/b", region = "us-east-1", service = "s3", access_key = "AKID" }
      local function with(extra) local t = {} for k, v in pairs(base) do t[k] = v end for k, v in pairs(extra) do t[k] = v end return t end
      fails("secret given", "secret_key is not accepted: name the setting", aws.sign, with { secret_key = "x" })
      fails("no secret setting", "secret_key_setting is required", aws.sign, base)
      fails("unset setting", 'the provider setting "nope" %(the secret access key%) is not set', aws.sign, with { secret_key_setting = "nope" })
      fails("both keys", "give access_key %(the key id%) or access_key_setting", aws.sign, with { secret_key_setting = "secret_access_key", access_key_setting = "access_key_id" })
      fails("no region", "region is required", aws.sign, { url = "https://x/", service = "s3", access_key = "A", secret_key_setting = "s" })
      fails("hash", "payload_hash must be", aws.sign, with { secret_key_setting = "secret_access_key", payload_hash = "abc" })
      fails("not a table", "expects a table", aws.sign, "https://x/")
      fails("bad url", "not a valid URL", aws.sign, with { secret_key_setting = "secret_access_key", url = "nope" })`,
    )
  })
})
