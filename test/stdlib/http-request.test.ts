// http.request and http.post through a real runner against a local server: every verb, statuses
// answered rather than raised, headers both ways, params, string and JSON bodies, JSON answers.
import { beforeAll, describe, expect, it } from 'vitest'
import { provider, run, runError } from '../sandbox/harness'
import { CHECKS, expectLua, lit, useStdlibFixtures } from './harness'

const fixtures = useStdlibFixtures()
let base: string

beforeAll(() => {
  base = `local URL = ${lit(fixtures.server.url)}\nlocal json = require "json"\n`
})

const lua = (code: string): Promise<void> => expectLua(fixtures.core, base + code)

describe('http.request', () => {
  it('sends every verb and answers status, headers and body', async () => {
    await lua(`
      for _, verb in ipairs({ "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" }) do
        local r = http.request({ method = verb, url = URL .. "/echo" })
        eq(verb .. " status", r.status, 200)
        eq(verb .. " ok", r.ok, true)
        eq(verb .. " arrived as", r.body.method, verb)
        eq(verb .. " content-type", r.headers["content-type"], "application/json; charset=UTF-8")
      end
      eq("lower-case method", http.request({ method = "put", url = URL .. "/echo" }).body.method, "PUT")
      eq("GET by default", http.request({ url = URL .. "/echo" }).body.method, "GET")
      local head = http.request({ method = "HEAD", url = URL .. "/json" })
      eq("HEAD status", head.status, 200)
      eq("HEAD body", head.body, "")`)
  })

  it('answers non-2xx statuses instead of raising', async () => {
    await lua(`
      for _, status in ipairs({ 201, 301, 400, 401, 404, 409, 429, 500, 503 }) do
        local r = http.request({ url = URL .. "/status/" .. status })
        if status ~= 301 then
          eq(status .. " status", r.status, status)
          eq(status .. " ok", r.ok, status < 300)
          eq(status .. " header", r.headers["x-status"], tostring(status))
          eq(status .. " decoded body", r.body.error.message, "status " .. status)
        end
      end
      local missing = http.request({ url = URL .. "/nowhere" })
      eq("404", missing.status, 404)
      eq("404 body", missing.body.error.message, "Not found: /nowhere.")`)
  })

  it('sends headers, params (encoded as http.get does) and string bodies byte for byte', async () => {
    await lua(`
      local r = http.request({
        method = "POST",
        url = URL .. "/echo?fixed=1",
        headers = { ["X-Custom"] = "yes", ["Content-Type"] = "application/octet-stream", ["X-Number"] = 42 },
        params = { q = "a b&c", n = 2^40 },
        body = "\\0\\1\\255 binary ✓",
      }).body
      eq("header", r.headers["x-custom"], "yes")
      eq("number header", r.headers["x-number"], "42")
      eq("content-type", r.headers["content-type"], "application/octet-stream")
      assert(r.query:find("^fixed=1&"), r.query)
      assert(r.query:find("q=a%%20b%%26c", 1, false), r.query)
      assert(r.query:find("n=1099511627776", 1, true), r.query)
      eq("body bytes", r.bodyBase64, require("base64").encode("\\0\\1\\255 binary ✓"))`)
  })

  it('json = value sends JSON (with a Content-Type unless one is given), and answers decode', async () => {
    await lua(`
      local r = http.request({ method = "POST", url = URL .. "/echo",
        json = { name = "ünï ✓", size = 12345678901, tags = json.array(), meta = json.object(), gone = json.null } }).body
      eq("content-type", r.headers["content-type"], "application/json")
      local sent = json.decode(r.body)
      eq("unicode", sent.name, "ünï ✓")
      eq("big integer", json.encode(sent.size), "12345678901")
      eq("sent exactly", json.encode(sent, { sort_keys = true }),
        '{"gone":null,"meta":{},"name":"ünï ✓","size":12345678901,"tags":[]}')
      local typed = http.request({ method = "PUT", url = URL .. "/echo", json = { 1, 2 },
        headers = { ["content-type"] = "application/vnd.api+json" } }).body
      eq("own content-type kept", typed.headers["content-type"], "application/vnd.api+json")
      eq("array body", typed.body, "[1,2]")
      eq("null body", http.request({ method = "POST", url = URL .. "/echo", json = json.null }).body.body, "null")`)
  })

  it('raw = true answers the text; other content types answer bytes', async () => {
    await lua(`
      local raw = http.request({ url = URL .. "/json", raw = true })
      eq("raw", raw.body, '{"answer":42,"items":["a","b","c"]}')
      eq("text", http.request({ url = URL .. "/text" }).body, "plain text")
      eq("bytes", http.request({ url = URL .. "/file/x" }).body, ("\\7"):rep(16))`)
  })

  it('http.post(url, options) is a POST', async () => {
    await lua(`
      local r = http.post(URL .. "/echo", { json = { a = 1 }, headers = { ["X-Via"] = "post" }, params = { p = 1 } })
      eq("status", r.status, 200)
      eq("method", r.body.method, "POST")
      eq("body", r.body.body, '{"a":1}')
      eq("header", r.body.headers["x-via"], "post")
      eq("params", r.body.query, "p=1")
      eq("no options", http.post(URL .. "/echo").body.method, "POST")
      local form = http.post(URL .. "/echo", { body = require("url").query({ grant_type = "refresh_token", x = "a b" }),
        headers = { ["Content-Type"] = "application/x-www-form-urlencoded" } }).body
      eq("form body", form.body, "grant_type=refresh_token&x=a%20b")`)
  })

  it('raises on misuse and on network failure, with messages that name the function', async () => {
    await lua(`
      fails("not a table", "http.request: expects a table { method, url, headers, params, body, json, raw }, got string",
        http.request, URL)
      fails("no url", "http.request: url must be a string, got nil", http.request, {})
      fails("bad method", 'http.request: method must be an HTTP method such as "GET" or "POST", got "GET /x"',
        http.request, { method = "GET /x", url = URL })
      fails("CONNECT", "the HTTP method CONNECT is not allowed", http.request, { method = "CONNECT", url = URL })
      fails("GET with a body", "http.request: a GET request cannot have a body",
        http.request, { url = URL .. "/echo", body = "x" })
      fails("both bodies", "http.post: give options.body or options.json, not both",
        http.post, URL .. "/echo", { body = "x", json = {} })
      fails("body not a string", "http.post: options.body must be a string, got table",
        http.post, URL .. "/echo", { body = {} })
      fails("json that cannot be", "http.post: options.json: cannot encode a function value %(at %$%.f%)",
        http.post, URL .. "/echo", { json = { f = print } })
      fails("header table", "http.request: options.headers.x must be a string, number or boolean, got table",
        http.request, { url = URL, headers = { x = {} } })
      fails("refused", "POST http://127.0.0.1:1/ failed: ", http.post, "http://127.0.0.1:1/")
      fails("not http", "only http and https URLs can be fetched", http.request, { url = "file:///etc/passwd" })
      fails("broken JSON", "http.request: the response %(HTTP 502%) says it is JSON but could not be parsed",
        http.request, { url = URL .. "/broken-json" })
      eq("raw takes it as it is", http.request({ url = URL .. "/broken-json", raw = true }).body,
        '{"error": "upstream said <html>')`)
  })

  it('an uncaught network failure fails the run with the provider, function and line', async () => {
    const outcome = await run(
      fixtures.core,
      provider(`${CHECKS}\nhttp.request({ method = "DELETE", url = "http://127.0.0.1:1/x" })`),
    )
    expect(outcome.status).toBe('failed')
    expect(runError(outcome)).toMatch(
      /^list: sandbox probe:\d+: in list_file_ids: DELETE http:\/\/127\.0\.0\.1:1\/x failed: /,
    )
  })
})
