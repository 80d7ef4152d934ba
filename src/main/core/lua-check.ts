// Compiles a provider's Lua without running it: the check the editor shows as you type and the
// one every write goes through. Same loader, mode and chunk name as the runner, so a syntax
// error reads the same here as in a run.
import { lauxlib, lua, to_jsstring, to_luastring, type LuaState } from 'fengari'
import {
  PROVIDER_FUNCTIONS,
  type CodeCheck,
  type LuaSyntaxError,
  type ProviderFunction,
} from '../../shared/api'
import { ApiError } from '../../shared/errors'

export function checkLuaCode(name: string, code: string): CodeCheck {
  const L = lauxlib.luaL_newstate()
  const chunkName = name.trim() || 'provider'
  const bytes = to_luastring(code)
  let status: number
  try {
    status = lauxlib.luaL_loadbufferx(L, bytes, bytes.length, `=${chunkName}`, 't')
  } catch (error) {
    // fengari's parser is JavaScript; a bug in it must not take main down with it.
    const message = error instanceof Error ? error.message : String(error)
    return { syntaxError: { line: null, message }, missingFunctions: [] }
  }
  if (status !== lua.LUA_OK) {
    const raw = lua.lua_tostring(L, -1) ?? to_luastring('the code does not compile')
    return { syntaxError: parseSyntaxError(raw, chunkName), missingFunctions: [] }
  }
  return { syntaxError: null, missingFunctions: missingFunctions(L) }
}

/** Thrown by a write whose code does not compile; its message names the line. */
export class CodeDoesNotCompileError extends ApiError {
  constructor(readonly syntaxError: LuaSyntaxError) {
    super('invalid-argument', `The code does not compile: ${describeSyntaxError(syntaxError)}`)
  }
}

export function describeSyntaxError(error: LuaSyntaxError): string {
  return error.line === null ? error.message : `line ${error.line}: ${error.message}`
}

/** Throws CodeDoesNotCompileError unless the code compiles; answers the warnings otherwise. */
export function assertCompiles(name: string, code: string): ProviderFunction[] {
  const check = checkLuaCode(name, code)
  if (check.syntaxError) throw new CodeDoesNotCompileError(check.syntaxError)
  return check.missingFunctions
}

// fengari's LUA_IDSIZE: a '=' chunk name longer than this is cut to it in messages (in bytes).
const LUA_IDSIZE = 59

/**
 * Lua says `<chunk id>:<line>: <message>`. The chunk id is the provider's name, which may itself
 * hold ":12: ", so the prefix is matched exactly (as bytes, the way Lua cut it), not by pattern.
 */
export function parseSyntaxError(raw: Uint8Array, chunkName: string): LuaSyntaxError {
  const source = to_luastring(`=${chunkName}`)
  const id = source.length < LUA_IDSIZE ? source.subarray(1) : source.subarray(1, LUA_IDSIZE + 1)
  const startsWithId =
    raw.length > id.length &&
    raw[id.length] === 0x3a /* : */ &&
    id.every((byte, index) => raw[index] === byte)
  const text = to_jsstring(
    raw.subarray(startsWithId ? id.length + 1 : 0),
    undefined,
    undefined,
    true,
  )
  const match = startsWithId ? /^(\d+): ([\s\S]*)$/.exec(text) : null
  if (!match) return { line: null, message: text }
  return { line: Number(match[1]), message: match[2] as string }
}

/**
 * Which provider functions the compiled chunk never assigns as globals.
 *
 * A static look at the bytecode, not a run: `lua_dump` (fengari's public API) writes the chunk in
 * Lua 5.3's binary format, and every global assignment in it, in the main chunk or any nested
 * function, is a SETTABUP on the upvalue that is the global environment, keyed by the name.
 * `function list_file_ids()`, `list_file_ids = function` and definitions inside an `if` all count;
 * `local function`, `M.list_file_ids = …`, assignments through a `local _ENV` and assignments of a
 * constant (`list_file_ids = nil`) do not. Anything assigned from a register (a function, or a
 * value computed at run time) counts, so the check never warns about code that may well work.
 * If the chunk cannot be read (it always can), there are no warnings rather than wrong ones.
 */
function missingFunctions(L: LuaState): ProviderFunction[] {
  const parts: Uint8Array[] = []
  const status = lua.lua_dump(
    L,
    (_L, bytes, size) => {
      parts.push(bytes.slice(0, size))
      return 0
    },
    null,
    1,
  )
  if (status !== 0) return []
  const assigned = new Set<string>()
  try {
    const chunk = new ChunkReader(concat(parts))
    chunk.readHeader()
    const upvalues = chunk.byte()
    // The main chunk's only upvalue is _ENV, which load() sets to the globals.
    chunk.readFunction(new Set(upvalues > 0 ? [0] : []), assigned)
  } catch {
    return []
  }
  return PROVIDER_FUNCTIONS.filter((name) => !assigned.has(name))
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

// Lua 5.3 opcodes and instruction layout (lopcodes.h).
const OP_LOADK = 1
const OP_LOADKX = 2
const OP_SETTABUP = 8
const OP_EXTRAARG = 46
const BITRK = 1 << 8
// Constant tags (lobject.h): strings, short and long.
const LUA_TSHRSTR = 4
const LUA_TLNGSTR = 4 | (1 << 4)
const LUA_TNUMFLT = 3
const LUA_TNUMINT = 3 | (1 << 4)
const LUA_TBOOLEAN = 1
const LUA_TNIL = 0

const opcode = (i: number): number => i & 0x3f
const argA = (i: number): number => (i >>> 6) & 0xff
const argB = (i: number): number => (i >>> 23) & 0x1ff
const argBx = (i: number): number => (i >>> 14) & 0x3ffff
const argAx = (i: number): number => i >>> 6

/** Reads what fengari's luaU_dump writes: 4-byte ints, sizes and instructions, 8-byte floats. */
class ChunkReader {
  private offset = 0
  private readonly view: DataView

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  byte(): number {
    if (this.offset >= this.bytes.length) throw new Error('truncated chunk')
    return this.bytes[this.offset++] as number
  }

  int(): number {
    const value = this.view.getInt32(this.offset, true)
    this.offset += 4
    return value
  }

  skip(count: number): void {
    this.offset += count
    if (this.offset > this.bytes.length) throw new Error('truncated chunk')
  }

  string(): string | null {
    let size = this.byte()
    if (size === 0xff) size = this.int()
    if (size === 0) return null
    const start = this.offset
    this.skip(size - 1)
    return to_jsstring(this.bytes.subarray(start, this.offset), undefined, undefined, true)
  }

  readHeader(): void {
    const signature = [0x1b, 0x4c, 0x75, 0x61, 0x53, 0x00] // "\x1bLua", 5.3, official format
    for (const expected of signature) if (this.byte() !== expected) throw new Error('not 5.3')
    this.skip(6) // LUAC_DATA
    const sizes = [this.byte(), this.byte(), this.byte(), this.byte(), this.byte()]
    if (sizes.join() !== '4,4,4,4,8') throw new Error(`unexpected sizes ${sizes.join()}`)
    this.skip(4 + 8) // LUAC_INT, LUAC_NUM
  }

  /** Reads one function (and its nested ones), adding every global it assigns to `assigned`. */
  readFunction(envUpvalues: Set<number>, assigned: Set<string>): void {
    this.string() // source
    this.skip(4 + 4 + 3) // linedefined, lastlinedefined, numparams, is_vararg, maxstacksize
    const code: number[] = []
    for (let n = this.int(); n > 0; n--) code.push(this.view.getUint32(this.skipAnd(4), true))
    const constants: Array<string | null> = []
    for (let n = this.int(); n > 0; n--) constants.push(this.constant())
    const upvalues: Array<{ inStack: boolean; index: number }> = []
    for (let n = this.int(); n > 0; n--)
      upvalues.push({ inStack: this.byte() === 1, index: this.byte() })

    code.forEach((instruction, pc) => {
      if (opcode(instruction) !== OP_SETTABUP || !envUpvalues.has(argA(instruction))) return
      // The value (C) is a constant: nil, a boolean, a number or a string, never a function.
      if ((instruction >>> 14) & BITRK) return
      const key = argB(instruction)
      const name = key & BITRK ? constants[key & ~BITRK] : keyLoadedInto(key, code, pc, constants)
      if (name) assigned.add(name)
    })

    for (let n = this.int(); n > 0; n--) {
      // A nested function sees the globals through an upvalue that captures the parent's
      // environment upvalue (never a register: that would be a `local _ENV`).
      const nested = new Set<number>()
      this.peekUpvalues().forEach((up, index) => {
        if (!up.inStack && envUpvalues.has(up.index)) nested.add(index)
      })
      this.readFunction(nested, assigned)
    }
    // Debug information (stripped: three empty lists).
    for (let n = this.int(); n > 0; n--) this.skip(4)
    for (let n = this.int(); n > 0; n--) {
      this.string()
      this.skip(8)
    }
    for (let n = this.int(); n > 0; n--) this.string()
  }

  private skipAnd(count: number): number {
    const start = this.offset
    this.skip(count)
    return start
  }

  private constant(): string | null {
    const tag = this.byte()
    switch (tag) {
      case LUA_TNIL:
        return null
      case LUA_TBOOLEAN:
        this.skip(1)
        return null
      case LUA_TNUMFLT:
        this.skip(8)
        return null
      case LUA_TNUMINT:
        this.skip(4)
        return null
      case LUA_TSHRSTR:
      case LUA_TLNGSTR:
        return this.string()
      default:
        throw new Error(`unknown constant tag ${tag}`)
    }
  }

  /** The upvalue list of the function that starts here, without moving on. */
  private peekUpvalues(): Array<{ inStack: boolean; index: number }> {
    const start = this.offset
    this.string()
    this.skip(11)
    this.skip(this.int() * 4)
    for (let n = this.int(); n > 0; n--) this.constant()
    const upvalues: Array<{ inStack: boolean; index: number }> = []
    for (let n = this.int(); n > 0; n--)
      upvalues.push({ inStack: this.byte() === 1, index: this.byte() })
    this.offset = start
    return upvalues
  }
}

/**
 * A key beyond the first 256 constants does not fit in the instruction: the compiler loads it
 * into a register just before (before the function's CLOSURE too). Finds that load.
 */
function keyLoadedInto(
  register: number,
  code: number[],
  pc: number,
  constants: Array<string | null>,
): string | null {
  for (let back = pc - 1; back >= Math.max(0, pc - 4); back--) {
    const instruction = code[back] as number
    if (argA(instruction) !== register) continue
    if (opcode(instruction) === OP_LOADK) return constants[argBx(instruction)] ?? null
    if (opcode(instruction) === OP_LOADKX) {
      const extra = code[back + 1]
      return extra !== undefined && opcode(extra) === OP_EXTRAARG
        ? (constants[argAx(extra)] ?? null)
        : null
    }
  }
  return null
}
