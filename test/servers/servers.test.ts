// The real servers, spoken to by Lua through the modules: a PROPFIND Depth: 1 (xml.encode'd
// body, xml.decode'd answer) and a GET against rclone serve webdav and Apache mod_dav; a
// ListObjectsV2 with continuation tokens and a GET against s3rver, signed by aws.sign, and a
// wrong secret refused as S3 refuses it. The tree is small here; the backups use the full one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHECKS, lit } from '../stdlib/harness'
import { provider, run, runError } from '../sandbox/harness'
import { startTestCore, type TestCore } from '../support/fixtures'
import { startS3, type S3Server } from './s3'
import { generateTree, type Tree } from './tree'
import { startApacheWebdav, startRcloneWebdav, type WebdavServer } from './webdav'

let tree: Tree
let core: TestCore
let s3: S3Server
const webdav: WebdavServer[] = []
const settings: Record<string, string> = {}

beforeAll(async () => {
  tree = await generateTree({ smallFiles: 12, bigBytes: 3 * 1024 * 1024 + 17 })
  webdav.push(await startRcloneWebdav(tree.root), await startApacheWebdav(tree.root))
  s3 = await startS3(tree, { prefix: 'home/' })
  settings.access_key_id = s3.credentials.accessKeyId
  settings.secret_access_key = s3.credentials.secretAccessKey
  settings.wrong_secret = `${s3.credentials.secretAccessKey}x`
  core = startTestCore(
    { cpuMs: 5000, watchdogMs: 10_000 },
    undefined,
    undefined,
    () => (key) => settings[key] ?? null,
  )
}, 120_000)

afterAll(async () => {
  await core?.dispose()
  await Promise.all(webdav.map((server) => server.stop()))
  await s3?.stop()
  tree?.remove()
})

async function expectLua(lua: string): Promise<void> {
  const outcome = await run(core, provider(`${CHECKS}\n${lua}`))
  expect(runError(outcome)).toBe('')
  expect(outcome.status).toBe('completed')
}

function file(path: string): { size: number; md5: string } {
  const found = tree.files.find((f) => f.path === path)
  if (!found) throw new Error(`no ${path} in the tree`)
  return found
}

describe.each(['rclone serve webdav', 'Apache mod_dav'])('%s', (name) => {
  it('answers a PROPFIND Depth: 1 and a GET, read with xml', async () => {
    const server = webdav.find((w) => w.name === name) as WebdavServer
    const photo = file('Photos/Été 2024/plage – soleil.jpg')
    await expectLua(
      `local xml = require "xml"
      local body = xml.encode({ name = "propfind", ns = "DAV:", { name = "prop", ns = "DAV:",
        { name = "resourcetype", ns = "DAV:" }, { name = "getcontentlength", ns = "DAV:" },
        { name = "getlastmodified", ns = "DAV:" }, { name = "getetag", ns = "DAV:" } } })
      local r = http.request { method = "PROPFIND", url = ${lit(server.url)} .. "Photos/%C3%89t%C3%A9%202024/",
        headers = { Depth = "1", ["Content-Type"] = "application/xml; charset=utf-8" }, body = body }
      eq("status", r.status, 207)
      local files = {}
      for _, response in ipairs(xml.decode(r.body):find_all("response", "DAV:")) do
        local href = url.decode(response:find("href"):text())
        for _, propstat in ipairs(response:find_all("propstat")) do
          if propstat:find("status"):text():find(" 200 ") then
            local prop = propstat:find("prop")
            if not prop:find("resourcetype"):find("collection") then
              files[href:match("[^/]+$")] = tonumber(prop:find("getcontentlength"):text())
              eq("etag", type(prop:find("getetag"):text()), "string")
            end
          end
        end
      end
      eq("photo size", files["plage – soleil.jpg"], ${photo.size})
      eq("second photo", files["IMG_0001.JPG"], 65536)
      local got = http.request { url = ${lit(server.url)} .. "Photos/%C3%89t%C3%A9%202024/plage%20%E2%80%93%20soleil.jpg" }
      eq("get", got.status, 200)
      eq("md5", require("crypto").md5(got.body), ${lit(photo.md5)})`.replace(
        'local xml',
        'local url = require "url"\n      local xml',
      ),
    )
  })
})

describe('S3 (s3rver behind a SigV4 check)', () => {
  it('lists with ListObjectsV2 and continuation tokens, and GETs, every request signed', async () => {
    const expected = tree.files.length
    const deep = file('日本語/ファイル.txt')
    await expectLua(
      `local xml, aws, crypto = require "xml", require "aws", require "crypto"
      local function signed(params, path)
        return aws.sign { url = ${lit(`${s3.endpoint}/${s3.bucket}/`)} .. (path or ""), params = params,
          region = ${lit(s3.region)}, service = "s3",
          access_key_setting = "access_key_id", secret_key_setting = "secret_access_key" }
      end
      local keys, token, pages = {}, nil, 0
      repeat
        local r = http.request(signed { ["list-type"] = "2", prefix = "home/", ["max-keys"] = "5", ["continuation-token"] = token })
        eq("list status " .. pages, r.status, 200)
        local result = xml.decode(r.body)
        for _, c in ipairs(result:find_all("Contents")) do keys[#keys + 1] = c:find("Key"):text() end
        pages = pages + 1
        token = result:find("IsTruncated"):text() == "true" and result:find("NextContinuationToken"):text() or nil
      until not token
      eq("keys", #keys, ${expected})
      eq("pages", pages, ${Math.ceil(expected / 5)})
      local key = "home/日本語/ファイル.txt"
      local parts = {}
      for part in key:gmatch("[^/]+") do parts[#parts + 1] = require("url").encode(part) end
      local g = signed(nil, table.concat(parts, "/"))
      local got = http.request(g)
      eq("get", got.status, 200)
      eq("md5", crypto.md5(got.body), ${lit(deep.md5)})
      eq("etag is the md5", got.headers.etag, '"' .. ${lit(deep.md5)} .. '"')`,
    )
    expect(s3.requests().every((r) => r.status === 200)).toBe(true)
    expect(s3.requests().filter((r) => r.query.includes('list-type=2')).length).toBe(
      Math.ceil(expected / 5),
    )
  })

  it('refuses a request signed with the wrong secret, as S3 does', async () => {
    await expectLua(
      `local xml, aws = require "xml", require "aws"
      local r = http.request(aws.sign { url = ${lit(`${s3.endpoint}/${s3.bucket}/`)}, params = { ["list-type"] = "2" },
        region = ${lit(s3.region)}, service = "s3", access_key_setting = "access_key_id", secret_key_setting = "wrong_secret" })
      eq("status", r.status, 403)
      eq("code", xml.decode(r.body):find("Code"):text(), "SignatureDoesNotMatch")
      local unsigned = http.request { url = ${lit(`${s3.endpoint}/${s3.bucket}/`)} }
      eq("unsigned", unsigned.status, 403)`,
    )
  })

  it('serves the big file, uploaded in parts, to a signed HEAD', async () => {
    const big = tree.big as string
    const path = `home/${big.split('/').map(encodeURIComponent).join('/')}`
    await expectLua(
      `local aws = require "aws"
      local r = http.request(aws.sign { method = "HEAD", url = ${lit(`${s3.endpoint}/${s3.bucket}/${path}`)},
        region = ${lit(s3.region)}, service = "s3", access_key_setting = "access_key_id", secret_key_setting = "secret_access_key" })
      eq("status", r.status, 200)
      eq("size", r.headers["content-length"], "${file(big).size}")`,
    )
  })
})
