// What get_file_metadata and download_file return, read off the Lua stack: a file's metadata,
// or `{ skip = "why" }` for a file that is not to be backed up (a folder, a shortcut, a file the
// service will not export). A string result is the reason the answer is unusable.
import { lua, type LuaState } from 'fengari'
import { getField } from './fengari-fast'
import type { FileMetadata, SkipNotice } from '../../shared/runner-protocol'
import { TEXT_LIMITS } from '../../shared/text-limits'
import { stringAt, typeName } from './lua-values'

/** A skip reason is a short sentence; longer text is cut. */
export const SKIP_REASON_MAX = 300

const METADATA_FIELDS =
  'name, path, checksum (strings; false when not known in advance), size (a number ≥ 0; nil when not known) and modified_time (a string), or { skip = "why" }'

/** The skip notice in the table at index 1, if it has a `skip` field; a string when it is bad. */
function readSkip(co: LuaState, fn: string): SkipNotice | string | null {
  getField(co, 1, 'skip')
  const type = lua.lua_type(co, -1)
  const reason = type === lua.LUA_TSTRING ? stringAt(co, -1) : null
  const got = type === lua.LUA_TSTRING ? 'an empty string' : typeName(co, -1)
  lua.lua_pop(co, 1)
  if (type === lua.LUA_TNIL) return null
  if (reason === null || reason.trim() === '') {
    return `${fn}: skip must be a non-empty string saying why the file is not backed up, got ${got}`
  }
  const optional = (key: string): string | null => {
    getField(co, 1, key)
    const value = stringAt(co, -1)
    lua.lua_pop(co, 1)
    // Only shown beside the reason: a name over the limit is cut rather than refused.
    return value !== null && value.length > TEXT_LIMITS.fileText
      ? `${value.slice(0, TEXT_LIMITS.fileText - 1)}…`
      : value
  }
  const trimmed = reason.trim()
  return {
    reason:
      trimmed.length > SKIP_REASON_MAX ? `${trimmed.slice(0, SKIP_REASON_MAX - 1)}…` : trimmed,
    name: optional('name'),
    path: optional('path'),
  }
}

/** get_file_metadata's answer. */
export function readMetadata(
  co: LuaState,
  results: number,
): FileMetadata | { skip: SkipNotice } | string {
  if (results < 1 || lua.lua_type(co, 1) !== lua.LUA_TTABLE) {
    return `get_file_metadata must return a table with ${METADATA_FIELDS}; it returned ${results < 1 ? 'nothing' : typeName(co, 1)}`
  }
  const skip = readSkip(co, 'get_file_metadata')
  if (typeof skip === 'string') return skip
  if (skip) return { skip }

  const problems: string[] = []
  const str = (key: string): string => {
    getField(co, 1, key)
    const value = stringAt(co, -1)
    if (value === null) problems.push(`${key} is ${typeName(co, -1)}, not a string`)
    else if (value.length > TEXT_LIMITS.fileText) {
      problems.push(
        `${key} is ${value.length.toLocaleString('en-US')} characters long, over the limit of ${TEXT_LIMITS.fileText}`,
      )
    }
    lua.lua_pop(co, 1)
    return value ?? ''
  }
  const name = str('name')
  const path = str('path')

  getField(co, 1, 'checksum')
  let checksum: string | null = null
  if (lua.lua_type(co, -1) === lua.LUA_TBOOLEAN && !lua.lua_toboolean(co, -1)) {
    checksum = null
  } else {
    checksum = stringAt(co, -1)
    if (checksum === null) {
      problems.push(`checksum is ${typeName(co, -1)}, not a string (or false when not known)`)
    } else if (checksum.length > TEXT_LIMITS.fileText) {
      problems.push(
        `checksum is ${checksum.length.toLocaleString('en-US')} characters long, over the limit of ${TEXT_LIMITS.fileText}`,
      )
    }
  }
  lua.lua_pop(co, 1)
  const unknownChecksum = checksum === null && problems.length === 0

  getField(co, 1, 'size')
  const sizeType = lua.lua_type(co, -1)
  let size: number | null = null
  if (sizeType === lua.LUA_TNUMBER) {
    size = lua.lua_tonumber(co, -1)
    if (!(size >= 0)) problems.push(`size is ${size}, not ≥ 0`)
  } else if (!(unknownChecksum && sizeType === lua.LUA_TNIL)) {
    // Only a file whose checksum is not known in advance may leave its size out.
    problems.push(`size is ${typeName(co, -1)}, not a number`)
  }
  lua.lua_pop(co, 1)
  const modifiedTime = str('modified_time')
  if (problems.length > 0) {
    return `get_file_metadata must return ${METADATA_FIELDS}: ${problems.join('; ')}`
  }
  return { name, path, checksum, size, modifiedTime }
}

/** download_file's answer: nothing, or `{ skip = "why" }`. */
export function readDownloadAnswer(co: LuaState, results: number): SkipNotice | null | string {
  if (results < 1 || lua.lua_type(co, 1) === lua.LUA_TNIL) return null
  if (lua.lua_type(co, 1) !== lua.LUA_TTABLE) {
    return `download_file returns nothing, or { skip = "why" } for a file not to be backed up; it returned ${typeName(co, 1)}`
  }
  const skip = readSkip(co, 'download_file')
  if (skip === null) {
    return 'download_file returned a table without skip; it returns nothing, or { skip = "why" }'
  }
  return skip
}
