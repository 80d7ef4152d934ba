import { to_luastring } from 'fengari'
import { describe, expect, it } from 'vitest'
import { googleDriveCode } from '../../../test/support/fixtures'
import {
  assertCompiles,
  checkLuaCode,
  CodeDoesNotCompileError,
  parseSyntaxError,
} from './lua-check'

const ALL_THREE = `
function list_file_ids() end
function get_file_metadata(id) return {} end
function download_file(id) end
`

describe('checkLuaCode: syntax errors', () => {
  it('passes the shipped Google Drive provider without warnings', () => {
    expect(checkLuaCode('Google Drive', googleDriveCode())).toEqual({
      syntaxError: null,
      missingFunctions: [],
    })
  })

  it('names the line and gives Lua’s message without the chunk name', () => {
    expect(checkLuaCode('Mine', 'local a = 1\nlocal b = = 2\n').syntaxError).toEqual({
      line: 2,
      message: "unexpected symbol near '='",
    })
  })

  it('puts an unclosed block at the end of the file, with the line that opened it', () => {
    const check = checkLuaCode('Mine', 'function list_file_ids()\n  if x then\n    y()\n')
    expect(check.syntaxError).toEqual({
      line: 4,
      message: "'end' expected (to close 'if' at line 2) near <eof>",
    })
  })

  it('copes with names that look like a location, are long, or are not ASCII', () => {
    for (const name of ['Drive:12: odd', 'a'.repeat(70), 'Übersicht ☁️'.repeat(6), '', '  ']) {
      expect(checkLuaCode(name, 'x = \n = 1').syntaxError, name).toEqual({
        line: 2,
        message: "unexpected symbol near '='",
      })
    }
  })

  it('refuses a binary chunk, as the runner does (mode "t")', () => {
    expect(checkLuaCode('Mine', '\x1bLua\x53\x00').syntaxError).toEqual({
      line: null,
      message: "attempt to load a binary chunk (mode is 't')",
    })
  })

  it('keeps a message it cannot split whole', () => {
    expect(parseSyntaxError(to_luastring('out of memory'), 'Mine')).toEqual({
      line: null,
      message: 'out of memory',
    })
  })

  it('compiles without running: code with side effects or errors at run time passes', () => {
    const check = checkLuaCode('Mine', `error("boom")\nwhile true do end\n${ALL_THREE}`)
    expect(check).toEqual({ syntaxError: null, missingFunctions: [] })
  })

  it('assertCompiles throws CodeDoesNotCompileError with the line in its message', () => {
    expect(() => assertCompiles('Mine', 'x = = 1')).toThrow(CodeDoesNotCompileError)
    expect(() => assertCompiles('Mine', 'x = = 1')).toThrow(
      "The code does not compile: line 1: unexpected symbol near '='",
    )
    expect(assertCompiles('Mine', 'x = 1')).toEqual([
      'list_file_ids',
      'get_file_metadata',
      'download_file',
    ])
  })
})

describe('checkLuaCode: the three provider functions', () => {
  it('warns about each function the code does not define', () => {
    expect(checkLuaCode('Mine', 'function list_file_ids() end').missingFunctions).toEqual([
      'get_file_metadata',
      'download_file',
    ])
    expect(checkLuaCode('Mine', '').missingFunctions).toEqual([
      'list_file_ids',
      'get_file_metadata',
      'download_file',
    ])
  })

  it.each([
    ['function statements', ALL_THREE],
    [
      'assigned function expressions',
      'list_file_ids = function() end\nget_file_metadata = function() end\ndownload_file = function() end',
    ],
    [
      'definitions inside an if or a do block',
      'if true then function list_file_ids() end end\ndo function get_file_metadata() end end\nfunction download_file() end',
    ],
    [
      'definitions inside a function (the check is lenient: it does not run the code)',
      'local function setup()\n  function list_file_ids() end\n  function get_file_metadata() end\nend\nsetup()\ndownload_file = make_downloader()',
    ],
    [
      'explicit _ENV',
      '_ENV.list_file_ids = function() end\nfunction get_file_metadata() end\nfunction download_file() end',
    ],
  ])('counts %s', (_what, code) => {
    expect(checkLuaCode('Mine', code)).toEqual({ syntaxError: null, missingFunctions: [] })
  })

  it.each([
    ['local functions', 'local function list_file_ids() end'],
    ['fields of a table', 'local M = {}\nfunction M.list_file_ids() end'],
    ['constants', 'list_file_ids = nil\nlist_file_ids = 42\nlist_file_ids = "x"'],
    ['a local _ENV', 'local _ENV = {}\nfunction list_file_ids() end'],
    ['reads and calls', 'print(list_file_ids)\nlist_file_ids()'],
  ])('does not count %s', (_what, code) => {
    expect(checkLuaCode('Mine', code).missingFunctions).toContain('list_file_ids')
  })

  it('finds definitions after more than 256 constants (keys loaded into a register)', () => {
    const filler = Array.from({ length: 300 }, (_, i) => `g${i} = "v${i}"`).join('\n')
    expect(checkLuaCode('Mine', `${filler}\n${ALL_THREE}`)).toEqual({
      syntaxError: null,
      missingFunctions: [],
    })
    expect(
      checkLuaCode('Mine', `${filler}\nfunction list_file_ids() end`).missingFunctions,
    ).toEqual(['get_file_metadata', 'download_file'])
  })
})
