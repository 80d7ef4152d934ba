import { CompletionContext, type Completion } from '@codemirror/autocomplete'
import { EditorState } from '@codemirror/state'
import { describe, expect, it } from 'vitest'
import { LUA_MODULES } from '../../../../shared/lua-api'
import { apiAt, moduleAliases, skwirlCompletions } from './lua-api-help'

function complete(doc: string, explicit = false) {
  const state = EditorState.create({ doc })
  return skwirlCompletions(new CompletionContext(state, doc.length, explicit))
}

const infoText = (option: Completion | undefined): string => {
  const info = option?.info
  if (typeof info !== 'function') return String(info ?? '')
  return ((info as (c: Completion) => Node)(option as Completion) as HTMLElement).textContent ?? ''
}

describe('completion of the Lua API', () => {
  it('offers every module inside require("…")', () => {
    const result = complete('local j = require("js')
    expect(result?.options.map((o) => o.label)).toEqual([...LUA_MODULES])
    expect(result?.from).toBe('local j = require("'.length)
    expect(infoText(result?.options.find((o) => o.label === 'json'))).toContain(
      'JSON: decode, encode, null, array, object.',
    )
    // require "x" without parentheses, and single quotes, too.
    expect(complete("require 'ya")?.from).toBe("require '".length)
  })

  it('offers module members with their signature and a line of help, also under the local they are in', () => {
    const labels = complete('x', true)?.options.map((o) => o.label) ?? []
    for (const name of [
      'http.request',
      'skwirl.storage.set',
      'skwirl.declare',
      'skwirl.setting',
      'json.decode',
      'xml.find_all',
      'yaml.decode_all',
      'aws.sign',
      'inspect',
      'require',
      'pairs',
      'string.format',
    ]) {
      expect(labels).toContain(name)
    }
    const code = 'local j = require "json"\nlocal X = require("xml")\nj.'
    const options = complete(code)?.options ?? []
    const decode = options.find((o) => o.label === 'j.decode')
    expect(infoText(decode)).toBe(
      'json.decode(text) → valueParses JSON: objects and arrays as marked tables, null as json.null, big integers as exact floats.',
    )
    expect(options.map((o) => o.label)).toContain('X.find_all')
    expect(moduleAliases(code)).toEqual(
      new Map([
        ['j', 'json'],
        ['X', 'xml'],
      ]),
    )
  })
})

describe('hover on the Lua API', () => {
  const at = (doc: string, marker: string, offset = 0) => {
    const state = EditorState.create({ doc })
    const found = apiAt(state, doc.indexOf(marker) + offset)
    return found && { name: found.entry.name, text: doc.slice(found.from, found.to) }
  }

  it('names what is under the pointer: the dotted name up to the part pointed at', () => {
    const doc =
      'skwirl.storage.set("k", 1)\nlocal y = require "yaml"\nlocal v = y.decode(t)\nprint(inspect(v))'
    expect(at(doc, 'set(')).toEqual({ name: 'skwirl.storage.set', text: 'skwirl.storage.set' })
    expect(at(doc, 'storage.')).toEqual({ name: 'skwirl.storage', text: 'skwirl.storage' })
    expect(at(doc, 'y.decode', 3)).toEqual({ name: 'yaml.decode', text: 'y.decode' })
    expect(at(doc, 'inspect(v')).toEqual({ name: 'inspect.inspect', text: 'inspect' })
    expect(at(doc, 'require')).toEqual({ name: 'require', text: 'require' })
    expect(at(doc, 'print')).toBeNull()
    expect(at(doc, '"k"', 1)).toBeNull()
  })
})
