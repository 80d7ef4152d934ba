// Skwirl's Lua API as the editor describes it: every host function, module and module member a
// provider can use, with its signature and one line of help (docs/providers.md has the rest).
// Completion and hover read it; a test holds it against what the sandbox really offers.

export interface LuaApiEntry {
  /** As code names it: "http.get", "skwirl.storage.set", "json.null", "require". */
  name: string
  kind: 'function' | 'value' | 'module' | 'provider-function'
  /** How it is called, with what it returns: "http.get(url [, options]) → body". */
  signature: string
  /** One line: what it does. */
  info: string
  /** What completion inserts (CodeMirror snippet syntax); the name when absent. */
  snippet?: string
}

/** The modules `require` hands out, in the order docs/providers.md lists them. */
export const LUA_MODULES = [
  'http',
  'skwirl',
  'json',
  'base64',
  'crypto',
  'time',
  'url',
  'log',
  'inspect',
  'xml',
  'yaml',
  'aws',
] as const

const MODULE_INFO: Record<(typeof LUA_MODULES)[number], string> = {
  http: 'HTTP requests, made by main: get, request, post; configure sets their pace and retries.',
  skwirl:
    'The workflow and the host: emit_file_id, emit_file_ids, download_url, declare, setting, storage, cache.',
  json: 'JSON: decode, encode, null, array, object.',
  base64: 'Base64: encode, decode, encode_url, decode_url.',
  crypto: 'Hashes and MACs: md5, sha1, sha256, sha512, hmac_sha256, random_bytes.',
  time: 'RFC 3339 times: now, parse, format.',
  url: 'Percent-encoding and query strings: encode, decode, query.',
  log: 'Lines in Skwirl’s log with their position: debug, info, warn, error.',
  inspect: 'inspect(value): a readable rendering of any value.',
  xml: 'Strict XML with namespaces: decode, encode, find, find_all, text, attr.',
  yaml: 'Safe YAML 1.2: decode, decode_all, null.',
  aws: 'AWS Signature Version 4: sign.',
}

const fn = (name: string, signature: string, info: string, snippet?: string): LuaApiEntry => ({
  name,
  kind: 'function',
  signature,
  info,
  snippet,
})

export const LUA_API: readonly LuaApiEntry[] = [
  // The provider's own three functions.
  {
    name: 'list_file_ids',
    kind: 'provider-function',
    signature: 'function list_file_ids()',
    info: 'Skwirl calls it first: call skwirl.emit_file_id(id) for every file, or skwirl.emit_file_ids(page) for a page of them.',
    snippet: 'function list_file_ids()\n\t${}\nend',
  },
  {
    name: 'get_file_metadata',
    kind: 'provider-function',
    signature:
      'function get_file_metadata(file_id) → { name, path, checksum, size, modified_time }',
    info: 'Skwirl calls it for each id: return the file’s name, path, checksum, size and modified time.',
    snippet:
      'function get_file_metadata(${file_id})\n\treturn { name = ${}, path = , checksum = , size = , modified_time =  }\nend',
  },
  {
    name: 'download_file',
    kind: 'provider-function',
    signature: 'function download_file(file_id)',
    info: 'Skwirl calls it for each file to back up: start the download with skwirl.download_url.',
    snippet: 'function download_file(${file_id})\n\tskwirl.download_url(${})\nend',
  },
  // require and the modules.
  fn(
    'require',
    'require(name) → module',
    'One of Skwirl’s modules: aws, base64, crypto, http, inspect, json, log, skwirl, time, url, xml, yaml (nothing is loaded from files).',
    'require("${name}")',
  ),
  ...LUA_MODULES.map((name): LuaApiEntry => ({
    name,
    kind: 'module',
    signature:
      name === 'http' || name === 'skwirl'
        ? `${name} (global)`
        : `local ${name} = require("${name}")`,
    info: MODULE_INFO[name],
  })),
  // http: host calls, made by main.
  fn(
    'http.get',
    'http.get(url [, { headers, params, auth, timeout }]) → body',
    'GET a URL (made by main). The body: a table when it is JSON, else a string. Raises on a network failure or a non-2xx status.',
    'http.get(${url}, { headers = { ${} } })',
  ),
  fn(
    'http.request',
    'http.request { method, url, headers, params, body, json, raw, auth, timeout } → { status, ok, headers, body }',
    'Any HTTP method; answers every status instead of raising (only a network failure, silence or the deadline raise).',
    'http.request({ method = "${GET}", url = ${url} })',
  ),
  fn(
    'http.post',
    'http.post(url [, { headers, params, body, json, raw, auth, timeout }]) → { status, ok, headers, body }',
    'http.request with method POST.',
    'http.post(${url}, { ${} })',
  ),
  fn(
    'http.configure',
    'http.configure { min_interval, burst, attempts, backoff, backoff_max, retry_after_max, retry_statuses, … }',
    'Says how the service wants to be called: its pace and how retries go. In the main chunk; fields left out keep the defaults.',
    'http.configure({ min_interval = ${0.1}, attempts = ${5} })',
  ),
  // skwirl: the workflow, settings and sign-in, storage.
  fn(
    'skwirl.emit_file_id',
    'skwirl.emit_file_id(id)',
    'Records one file id to back up (a non-empty string). Only in list_file_ids.',
    'skwirl.emit_file_id(${id})',
  ),
  fn(
    'skwirl.emit_file_ids',
    'skwirl.emit_file_ids(list [, field])',
    'Records a page of ids in one call: list is an array of ids, or of tables whose field (default "id") is the id. Much faster than a loop of emit_file_id. Only in list_file_ids.',
    'skwirl.emit_file_ids(${page.files})',
  ),
  fn(
    'skwirl.download_url',
    'skwirl.download_url(url [, { headers, auth, timeout }])',
    'Main streams the file into the backup folder, checking its size and MD5 against the metadata. Only in download_file.',
    'skwirl.download_url(${url}, { headers = { ${} } })',
  ),
  fn(
    'skwirl.declare',
    'skwirl.declare { settings = { { key, label, secret, required, default, help }… }, oauth = { … } }',
    'Declares the provider’s settings (the person fills them in) and its OAuth sign-in. At the top level, once.',
    'skwirl.declare {\n\tsettings = {\n\t\t{ key = "${key}", label = "${Label}" },\n\t},\n}',
  ),
  fn(
    'skwirl.setting',
    'skwirl.setting(key) → string or nil',
    'The value set for a declared setting, else its default. A secret one is asked of main and masked in the log.',
    'skwirl.setting("${key}")',
  ),
  {
    name: 'skwirl.storage',
    kind: 'module',
    signature: 'skwirl.storage',
    info: 'A small key/value store per provider, kept by main across runs (values as json encodes them; 64 KiB each, 1 MiB in all).',
  },
  fn(
    'skwirl.storage.get',
    'skwirl.storage.get(key) → value or nil',
    'The value stored under key, as json.decode gives it; nil when the key holds nothing.',
    'skwirl.storage.get(${key})',
  ),
  fn(
    'skwirl.storage.set',
    'skwirl.storage.set(key, value)',
    'Stores any value json can encode (set(key, nil) deletes). Keys up to 256 bytes, values up to 64 KiB as JSON.',
    'skwirl.storage.set(${key}, ${value})',
  ),
  fn(
    'skwirl.storage.delete',
    'skwirl.storage.delete(key)',
    'Deletes the key (a missing key is fine).',
    'skwirl.storage.delete(${key})',
  ),
  {
    name: 'skwirl.cache',
    kind: 'module',
    signature: 'skwirl.cache',
    info: 'Per-file data for one run, kept outside the Lua heap (what the listing said about each file); gone when the run ends.',
  },
  fn(
    'skwirl.cache.get',
    'skwirl.cache.get(key) → value or nil',
    'A fresh copy of the value kept under key (as json.decode gives it), or nil.',
    'skwirl.cache.get(${key})',
  ),
  fn(
    'skwirl.cache.set',
    'skwirl.cache.set(key, value)',
    'Keeps a copy of any value json can encode for this run (set(key, nil) forgets it); 64 KiB as JSON at most.',
    'skwirl.cache.set(${key}, ${value})',
  ),
  fn(
    'skwirl.cache.delete',
    'skwirl.cache.delete(key)',
    'Forgets the key (a missing key is fine).',
    'skwirl.cache.delete(${key})',
  ),
  // json
  fn(
    'json.decode',
    'json.decode(text) → value',
    'Parses JSON: objects and arrays as marked tables, null as json.null, big integers as exact floats.',
  ),
  fn(
    'json.encode',
    'json.encode(value [, { indent, sort_keys, ascii }]) → text',
    'Writes JSON; compact by default. ascii escapes everything non-ASCII (for headers).',
  ),
  {
    name: 'json.null',
    kind: 'value',
    signature: 'json.null',
    info: 'JSON null (a userdata, true in a test: compare with ==).',
  },
  fn(
    'json.array',
    'json.array([t]) → t',
    'Marks t (or a new table) as a JSON array, so that an empty one encodes as [].',
  ),
  fn(
    'json.object',
    'json.object([t]) → t',
    'Marks t (or a new table) as a JSON object, so that an empty one encodes as {}.',
  ),
  // base64
  fn('base64.encode', 'base64.encode(data) → text', 'Standard base64 with = padding.'),
  fn(
    'base64.decode',
    'base64.decode(text) → bytes',
    'Standard base64; whitespace is skipped, padding optional.',
  ),
  fn(
    'base64.encode_url',
    'base64.encode_url(data) → text',
    'URL-safe base64 (- and _), without padding, as JWTs use.',
  ),
  fn('base64.decode_url', 'base64.decode_url(text) → bytes', 'URL-safe base64; padding optional.'),
  // crypto
  fn(
    'crypto.md5',
    'crypto.md5(data [, format]) → digest',
    'MD5 of the bytes; format "hex" (default), "raw" or "base64".',
  ),
  fn(
    'crypto.sha1',
    'crypto.sha1(data [, format]) → digest',
    'SHA-1 of the bytes; format "hex" (default), "raw" or "base64".',
  ),
  fn(
    'crypto.sha256',
    'crypto.sha256(data [, format]) → digest',
    'SHA-256 of the bytes; format "hex" (default), "raw" or "base64".',
  ),
  fn(
    'crypto.sha512',
    'crypto.sha512(data [, format]) → digest',
    'SHA-512 of the bytes; format "hex" (default), "raw" or "base64".',
  ),
  fn(
    'crypto.hmac_sha256',
    'crypto.hmac_sha256(key, message [, format]) → mac',
    'HMAC-SHA256; the key may be raw bytes, so MACs chain (AWS-style signing).',
  ),
  fn(
    'crypto.random_bytes',
    'crypto.random_bytes(n) → bytes',
    'n bytes (0 to 65536) from the system’s secure generator.',
  ),
  // time
  fn(
    'time.now',
    'time.now() → seconds',
    'The current time in seconds since 1970, with sub-millisecond fractions.',
  ),
  fn(
    'time.parse',
    'time.parse(text) → seconds',
    'Seconds since 1970 from an RFC 3339 date-time (2024-10-01T12:00:00Z, with an offset or fractions).',
  ),
  fn(
    'time.format',
    'time.format(seconds [, offset]) → text',
    'RFC 3339 text, in UTC unless offset ("+02:00") says otherwise.',
  ),
  // url
  fn(
    'url.encode',
    'url.encode(text) → text',
    'Percent-encodes every byte but A-Z a-z 0-9 - . _ ~.',
  ),
  fn('url.decode', 'url.decode(text) → bytes', 'Decodes %XX escapes (+ stays +).'),
  fn(
    'url.query',
    'url.query(params) → text',
    'a=1&b=x%20y from a table of strings, numbers and booleans, keys sorted.',
  ),
  // log
  fn(
    'log.debug',
    'log.debug(…)',
    'A debug line in Skwirl’s log (and the test console), with this line’s position; tables shown as inspect does.',
  ),
  fn(
    'log.info',
    'log.info(…)',
    'An info line in Skwirl’s log (and the test console), with this line’s position.',
  ),
  fn(
    'log.warn',
    'log.warn(…)',
    'A warning in Skwirl’s log (and the test console), with this line’s position.',
  ),
  fn(
    'log.error',
    'log.error(…)',
    'An error line in Skwirl’s log; it does not stop the run (error() does).',
  ),
  // inspect
  fn(
    'inspect.inspect',
    'inspect(value [, { depth, compact }]) → text',
    'A readable, Lua-like rendering of any value; inspect(…) is the same function.',
  ),
  // xml
  fn(
    'xml.decode',
    'xml.decode(text [, { keep_whitespace }]) → element',
    'Parses strict XML 1.0 with namespaces: { name, ns, attrs, [1], [2]… }; declared entities are refused.',
  ),
  fn(
    'xml.encode',
    'xml.encode(element [, { prefixes, declaration }]) → text',
    'Writes an element (the shape xml.decode gives) as XML, for request bodies.',
  ),
  fn(
    'xml.find',
    'xml.find(el, name [, ns]) → element or nil',
    'The first child element with that name (el:find(name) as a method).',
  ),
  fn(
    'xml.find_all',
    'xml.find_all(el [, name [, ns]]) → { element… }',
    'The matching child elements, all of them without a name (el:find_all(…) as a method).',
  ),
  fn(
    'xml.text',
    'xml.text(el) → text',
    'All the text inside the element, in order (el:text() as a method).',
  ),
  fn(
    'xml.attr',
    'xml.attr(el, name [, ns]) → text or nil',
    'An attribute’s value (el:attr(name) as a method).',
  ),
  // yaml
  fn(
    'yaml.decode',
    'yaml.decode(text) → value',
    'Parses one YAML 1.2 document with the safe core schema (no tags, no timestamps).',
  ),
  fn('yaml.decode_all', 'yaml.decode_all(text) → { value… }', 'Every document of a YAML stream.'),
  {
    name: 'yaml.null',
    kind: 'value',
    signature: 'yaml.null',
    info: 'YAML null: the same value as json.null.',
  },
  // aws
  fn(
    'aws.sign',
    'aws.sign { method, url, params, headers, body, payload_hash, region, service, access_key_setting, secret_key_setting } → { url, headers }',
    'Signs a request with AWS Signature Version 4 in main; the secret key comes from a secret setting and never enters Lua.',
    'aws.sign({ method = "GET", url = ${url}, region = ${region}, service = "s3", access_key_setting = "access_key_id", secret_key_setting = "secret_access_key" })',
  ),
]
