// json through a real runner: round trips that keep unicode, integers beyond 32 bits, empty
// arrays apart from empty objects, and null; sort_keys and indent against JSON.stringify's own
// output; and errors that say where in the value the problem is.
import { describe, it } from 'vitest'
import { expectLua, lit, useStdlibFixtures } from './harness'

const fixtures = useStdlibFixtures()

/**
 * JSON.stringify(value, null, indent) with every object's keys in UTF-8 byte order, as sort_keys
 * writes them (a JS object cannot hold "1" after "", so the order is kept here instead).
 */
function sortedJson(value: unknown, indent = '', depth = 0): string {
  const open = (items: string[], left: string, right: string): string => {
    if (items.length === 0) return `${left}${right}`
    if (!indent) return `${left}${items.join(',')}${right}`
    const inner = `\n${indent.repeat(depth + 1)}`
    return `${left}${inner}${items.join(`,${inner}`)}\n${indent.repeat(depth)}${right}`
  }
  if (Array.isArray(value))
    return open(
      value.map((v) => sortedJson(v, indent, depth + 1)),
      '[',
      ']',
    )
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) =>
      Buffer.compare(Buffer.from(a), Buffer.from(b)),
    )
    const sep = indent ? ': ' : ':'
    return open(
      entries.map(([k, v]) => `${JSON.stringify(k)}${sep}${sortedJson(v, indent, depth + 1)}`),
      '{',
      '}',
    )
  }
  return JSON.stringify(value)
}

const DOC = {
  id: 'f-001',
  name: 'Résumé – 2024 ✓ 𝄞 日本語',
  size: 12345678901,
  count: 3,
  ratio: 0.1,
  negative: -4294967296,
  max_exact: 9007199254740992,
  huge: 1e300,
  tiny: 5e-324,
  flags: [true, false, null],
  empty_list: [],
  empty_map: {},
  nested: { a: [[], [{}], [[1, [2, [3]]]]], 'key with "quotes"': 'line\nbreak\ttab\u0001' },
  '': 'empty key',
  '1': 'a key that looks like a number',
  escapes: '\\ " / \b \f \u2028 \u007f',
  ünïcødé_kéy: '✓',
}

describe('json', () => {
  it('a document round trips exactly: unicode, big integers, [] and {}, null, nesting', async () => {
    const canonical = sortedJson(DOC)
    await expectLua(
      fixtures.core,
      `local json = require "json"
      local t = json.decode(${lit(JSON.stringify(DOC))})
      eq("round trip", json.encode(t, { sort_keys = true }), ${lit(canonical)})
      eq("twice", json.encode(json.decode(json.encode(t)), { sort_keys = true }), ${lit(canonical)})
      eq("unicode arrives as UTF-8 bytes", t.name, ${lit(DOC.name)})
      eq("a big integer is an exact float", t.size, 12345678901)
      eq("... of type float", math.type(t.size), "float")
      eq("a small one is an integer", math.type(t.count), "integer")
      eq("2^53", t.max_exact, 2^53)
      eq("negative beyond 32 bits", t.negative, -4294967296)
      eq("null in an array keeps its place", t.flags[3], json.null)
      eq("... and the length", #t.flags, 3)
      eq("empty array is marked", getmetatable(t.empty_list).__jsontype, "array")
      eq("empty object is marked", getmetatable(t.empty_map).__jsontype, "object")
      eq("a numeric-looking key stays a string", t["1"], "a key that looks like a number")
      eq("deep", t.nested.a[3][1][2][2][1], 3)`,
    )
  })

  it('sort_keys and indent give what JSON.stringify(value, null, indent) gives (keys sorted)', async () => {
    await expectLua(
      fixtures.core,
      `local json = require "json"
      local t = json.decode(${lit(JSON.stringify(DOC))})
      eq("indent = true", json.encode(t, { indent = true, sort_keys = true }), ${lit(sortedJson(DOC, '  '))})
      eq("indent = 4", json.encode(t, { indent = 4, sort_keys = true }), ${lit(sortedJson(DOC, '    '))})
      eq("indent = tab", json.encode(t, { indent = "\\t", sort_keys = true }), ${lit(sortedJson(DOC, '\t'))})
      eq("empty containers stay on one line", json.encode({ a = json.array(), b = json.object() }, { indent = true, sort_keys = true }),
        ${lit('{\n  "a": [],\n  "b": {}\n}')})
      eq("sort_keys is byte order", json.encode({ b = 1, a = 2, B = 3, ["é"] = 4, ["_"] = 5 }, { sort_keys = true }),
        '{"B":3,"_":5,"a":2,"b":1,"é":4}')`,
    )
  })

  it('Lua values encode as JSON: sequences as arrays, string keys as objects', async () => {
    await expectLua(
      fixtures.core,
      `local json = require "json"
      eq("array", json.encode({ 1, 2, 3 }), "[1,2,3]")
      eq("object", json.encode({ a = 1 }), '{"a":1}')
      eq("string", json.encode("x"), '"x"')
      eq("nil", json.encode(nil), "null")
      eq("booleans", json.encode({ true, false }), "[true,false]")
      eq("unmarked empty table is an object", json.encode({}), "{}")
      eq("json.array()", json.encode(json.array()), "[]")
      eq("json.object()", json.encode(json.object()), "{}")
      eq("json.null", json.encode({ json.null, x = nil }), "[null]")
      eq("integral float: no .0", json.encode(3.0), "3")
      eq("2^53 as a float", json.encode(2^53), "9007199254740992")
      eq("beyond 32 bits", json.encode(12345678901.0), "12345678901")
      eq("fraction, shortest exact form", json.encode(0.1 + 0.2), "0.30000000000000004")
      eq("exponent", json.encode(1e300), "1e+300")
      eq("escapes", json.encode("a\\"b\\\\c\\n\\0\\127"), '"a\\\\"b\\\\\\\\c\\\\n\\\\u0000\\127"')
      eq("UTF-8 is kept as it is", json.encode("ünï ✓"), '"ünï ✓"')
      eq("json.array fills holes with null", json.encode(json.array({ [1] = "a", [3] = "c" })), '["a",null,"c"]')
      eq("json.object writes integer keys as strings",
        json.encode(json.object({ [1] = "a", b = "c" }), { sort_keys = true }), '{"1":"a","b":"c"}')
      local t = {}
      eq("json.array returns its table", json.array(t), t)
      eq("__jsontype in one's own metatable works too",
        json.encode(setmetatable({}, { __jsontype = "array", __index = {} })), "[]")`,
    )
  })

  it('ascii = true escapes all but ASCII as \\uXXXX (Dropbox-API-Arg wants "HTTP header safe" JSON)', async () => {
    await expectLua(
      fixtures.core,
      `local json = require "json"
      -- Dropbox's own example, from its JSON encoding page.
      eq("dropbox", json.encode({ field = "some_üñîcødé_and_\\127" }, { ascii = true }),
        '{"field":"some_\\\\u00fc\\\\u00f1\\\\u00eec\\\\u00f8d\\\\u00e9_and_\\\\u007f"}')
      eq("astral as a surrogate pair", json.encode("𝄞", { ascii = true }), '"\\\\ud834\\\\udd1e"')
      eq("and back", json.decode('"\\\\ud834\\\\udd1e \\\\u00e9"'), "𝄞 é")`,
    )
  })

  it('json.null: a distinct value, and the way null survives a round trip', async () => {
    await expectLua(
      fixtures.core,
      `local json = require "json"
      eq("type", type(json.null), "userdata")
      eq("tostring", tostring(json.null), "json.null")
      eq("decode null", json.decode("null"), json.null)
      local t = json.decode('{"a":null,"b":[null],"c":1}')
      eq("null member", t.a, json.null)
      eq("null item", t.b[1], json.null)
      eq("back", json.encode(t, { sort_keys = true }), '{"a":null,"b":[null],"c":1}')
      assert(json.null ~= nil and json.null ~= false, "json.null must not be nil or false")
      fails("has no fields", "attempt to index", function() return json.null.x end)
      eq("its metatable is protected", getmetatable(json.null), "json.null")`,
    )
  })

  it('http bodies decode the same way, except that null is nil there (as http.get always did)', async () => {
    await expectLua(
      fixtures.core,
      `local json = require "json"
      local r = http.get(${lit(fixtures.server.url)} .. "/empty")
      eq("null is nil in an http body", r.gone, nil)
      eq("empty arrays stay arrays", json.encode(r.files), "[]")
      eq("empty objects stay objects", json.encode(r.meta), "{}")
      eq("a null item is a hole", r.list[3], 3)
      local exact = json.decode(http.request({ url = ${lit(fixtures.server.url)} .. "/empty", raw = true }).body)
      eq("raw text + json.decode keeps null", exact.gone, json.null)
      eq("exact", json.encode(exact, { sort_keys = true }), '{"files":[],"gone":null,"list":[1,null,3],"meta":{}}')`,
    )
  })

  it('a decoded value is a real Lua table: length, ipairs, pairs, next while clearing, mutation, a metatable', async () => {
    await expectLua(
      fixtures.core,
      `local json = require "json"
      local t = json.decode('{"list":[30,10,20],"name":"x","n":1.5,"ok":false,"__index":{"extra":"from json"}}')
      eq("length", #t.list, 3)
      eq("rawlen", rawlen(t.list), 3)
      local sum = 0
      for i, v in ipairs(t.list) do sum = sum + i * v end
      eq("ipairs", sum, 30 + 20 + 60)
      table.insert(t.list, 5)
      table.sort(t.list)
      eq("insert and sort", table.concat(t.list, ","), "5,10,20,30")
      eq("remove", table.remove(t.list, 1), 5)
      eq("length after remove", #t.list, 3)
      local keys = {}
      for k in pairs(t) do keys[#keys + 1] = k end
      table.sort(keys)
      eq("pairs", table.concat(keys, ","), "__index,list,n,name,ok")
      eq("a false member is there", rawget(t, "ok"), false)
      -- Clearing fields while walking them, as Lua allows.
      for k in pairs(t) do if k ~= "list" then t[k] = nil end end
      eq("cleared", next(t), "list")
      eq("only list left", next(t, "list"), nil)
      t.name = "again"
      eq("set after clearing", t.name, "again")
      -- Used as a metatable: its __index (from the JSON) works at once.
      local mt = json.decode('{"__index":{"extra":"from json"}}')
      local obj = setmetatable({}, mt)
      eq("__index from a decoded table", obj.extra, "from json")
      eq("same table twice", rawequal(mt, getmetatable(obj)), true)
      eq("numbers keep their kind", math.type(json.decode('[1, 1.5, 4294967296]')[3]), "float")
      eq("integers", math.type(json.decode('[7]')[1]), "integer")`,
    )
  })

  it('errors say what is wrong and where', async () => {
    await expectLua(
      fixtures.core,
      `local json = require "json"
      fails("syntax", "^json.decode: .*JSON", json.decode, '{"a":}')
      fails("trailing", "^json.decode: ", json.decode, '[1] x')
      fails("empty", "^json.decode: ", json.decode, '')
      fails("not UTF-8", "json.decode: the text is not valid UTF%-8", json.decode, '"\\255"')
      fails("not a string", "json.decode: the text %(argument 1%) must be a string, got table", json.decode, {})
      fails("too deep", "nested more than 1000 levels deep", json.decode, ("["):rep(1001) .. ("]"):rep(1001))
      json.decode(("["):rep(1000) .. ("]"):rep(1000))
      local cyclic = { list = { 1, 2 } }
      cyclic.list[3] = cyclic
      fails("cycle", "json.encode: the table at %$%.list%[3%] contains itself", json.encode, cyclic)
      fails("function", "json.encode: cannot encode a function value %(at %$%.handlers%.on_done%)",
        json.encode, { handlers = { on_done = print } })
      fails("odd key", 'cannot encode a thread value %(at %$%["a b"%]%)',
        json.encode, { ["a b"] = coroutine.create(print) })
      fails("mixed", "the table at %$ mixes integer and string keys", json.encode, { 1, 2, x = 3 })
      fails("holes", "the table at %$%.ids has holes %(keys up to 3 but only 2 of them%)",
        json.encode, { ids = { [1] = "a", [3] = "c" } })
      fails("boolean key", "the table at %$ has a boolean key", json.encode, { [true] = 1 })
      fails("NaN", "cannot encode NaN %(at %$%[1%]%)", json.encode, { 0/0 })
      fails("infinity", "cannot encode infinity", json.encode, math.huge)
      fails("binary string", "the string at %$%.data is not valid UTF%-8 %(encode binary data with base64 first%)",
        json.encode, { data = "\\255\\254" })
      fails("marked array with a string key", "is marked as an array but has string keys",
        json.encode, json.array({ 1, x = 2 }))
      fails("foreign metatable", 'json.array: the table already has a metatable; set __jsontype = "array" in it instead',
        json.array, setmetatable({}, {}))
      fails("bad indent", "options.indent must be true, a number of spaces", json.encode, {}, { indent = 99 })`,
    )
  })
})
