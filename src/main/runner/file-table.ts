// A run's files in the runner: the ids the listing emitted, in their order, each held once, and
// skwirl.cache, the provider's per-file data (what the listing said about each file), kept as
// JSON bytes outside both the Lua heap (where a small table costs ~15 KB in fengari) and V8's
// object heap. A cached key that is also a listed id is the same string.
//
// The values are appended to an open block of 64 KiB; a full block is compressed (raw deflate,
// level 1: a listing's values repeat their paths, dates and keys) and kept so. A run reads its
// values back in about the order it listed them (get_file_metadata, file after file), so each
// block is inflated about once, and the last few inflated blocks are kept for the next reads.
import { deflateRawSync, inflateRawSync } from 'node:zlib'

const BLOCK_BYTES = 64 * 1024
/** The largest value (the sandbox allows 64 KiB of JSON). */
const VALUE_MAX = 4 * 1024 * 1024
/** A value's place: its block * BLOCK_SPAN + its offset in the block (a block holds ≤ VALUE_MAX). */
const BLOCK_SPAN = 2 * VALUE_MAX
const NONE = -1
/** Inflated blocks kept for the next reads (parallel transfers read a few files apart). */
const INFLATED_KEPT = 4
const DEFLATE_OPTIONS = { level: 1 }
/** A value kept as its JSON text, or as a shape's number and the JSON array of its values. */
const RAW = 0
const SHAPED = 1
/** Distinct shapes (sets of keys) remembered; objects of other shapes are kept as JSON text. */
const SHAPES_MAX = 4096
const encoder = new TextEncoder()
const decoder = new TextDecoder()

export class FileTable {
  /** Key → slot: the keys (ids) as UTF-8 bytes, each once. */
  private readonly keys = new KeyIndex()
  /** Slot → where its cached value is (block * BLOCK_SPAN + offset), or NONE. */
  private valueAt = new Float64Array(1024).fill(NONE)
  /** Slot → its cached value's length in bytes. */
  private lengthOf = new Uint32Array(1024)
  /** Slot → 1 once the listing emitted it. */
  private emitted = new Uint8Array(1024)
  /**
   * The emitted slots, in the order they were emitted; null while the i-th emitted is slot i, as
   * when a listing caches or emits each id as it comes (no array of a million slot numbers).
   */
  private order: Int32Array | null = null
  private emittedCount = 0
  /** Compressed blocks, by number; the open block (number `openBlock`) is not among them. */
  private readonly sealed: Uint8Array[] = []
  private sealedBytes = 0
  private open = new Uint8Array(BLOCK_BYTES)
  private openBlock = 0
  private openEnd = 0
  /** Recently inflated blocks, oldest first. */
  private readonly inflated = new Map<number, Uint8Array>()
  private cachedBytes = 0
  /** Object shapes: their keys joined by NUL → number, and number → keys. */
  private readonly shapeOf = new Map<string, number>()
  private readonly shapes: string[][] = []
  /** Where setValue encodes a value before it is stored. */
  private scratch = new Uint8Array(1024)

  /**
   * Caches a JSON value (as JSON.parse gives it). An object's keys are kept once per shape, not
   * once per file: a listing caches thousands of objects with the same keys.
   */
  setValue(key: string, value: unknown): void {
    const shape = this.shapeFor(value)
    if (shape === null) {
      this.setText(key, [RAW], JSON.stringify(value))
      return
    }
    const record = value as Record<string, unknown>
    const keys = this.shapes[shape] as string[]
    this.setText(
      key,
      [SHAPED, shape & 0xff, shape >>> 8],
      JSON.stringify(keys.map((k) => record[k])),
    )
  }

  /**
   * Caches the header bytes and the text's UTF-8, encoded into a scratch buffer that is reused:
   * no buffers of its own per value (a listing sets one for each of its files).
   */
  private setText(key: string, header: number[], text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const most = header.length + text.length * 3
    if (most > this.scratch.length) {
      if (most > VALUE_MAX + 3) {
        const encoded = encoder.encode(text)
        const bytes = new Uint8Array(header.length + encoded.length)
        bytes.set(header)
        bytes.set(encoded, header.length)
        this.set(key, bytes)
        return
      }
      this.scratch = new Uint8Array(Math.max(most, this.scratch.length * 2))
    }
    const scratch = this.scratch
    for (let i = 0; i < header.length; i++) scratch[i] = header[i] as number
    const { written } = encoder.encodeInto(text, scratch.subarray(header.length))
    this.set(key, scratch.subarray(0, header.length + written))
  }

  /** The value cached under key, or undefined. */
  getValue(key: string): unknown {
    const bytes = this.get(key)
    if (bytes === null) return undefined
    if (bytes[0] === RAW) return JSON.parse(decoder.decode(bytes.subarray(1)))
    const keys = this.shapes[(bytes[1] as number) | ((bytes[2] as number) << 8)] as string[]
    const values = JSON.parse(decoder.decode(bytes.subarray(3))) as unknown[]
    const record: Record<string, unknown> = {}
    for (let i = 0; i < keys.length; i++) record[keys[i] as string] = values[i]
    return record
  }

  private shapeFor(value: unknown): number | null {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
    const keys = Object.keys(value)
    if (keys.length === 0) return null
    const joined = keys.join('\u0000')
    let shape = this.shapeOf.get(joined)
    if (shape === undefined) {
      if (this.shapes.length >= SHAPES_MAX) return null
      shape = this.shapes.length
      this.shapes.push(keys)
      this.shapeOf.set(joined, shape)
    }
    return shape
  }

  /** Notes a listed id; false when it was listed before. */
  emit(id: string): boolean {
    const slot = this.slot(id)
    if (this.emitted[slot] === 1) return false
    this.emitted[slot] = 1
    if (this.order === null && slot !== this.emittedCount) {
      this.order = new Int32Array(this.emitted.length)
      for (let i = 0; i < this.emittedCount; i++) this.order[i] = i
    }
    if (this.order !== null) {
      if (this.emittedCount === this.order.length) this.order = grow(this.order)
      this.order[this.emittedCount] = slot
    }
    this.emittedCount++
    return true
  }

  /** How many distinct ids were listed. */
  get count(): number {
    return this.emittedCount
  }

  /** The index-th listed id. */
  idAt(index: number): string {
    return this.keys.keyAt(this.order === null ? index : (this.order[index] as number))
  }

  /** The value cached under key (its JSON bytes), or null. Valid until the next set. */
  get(key: string): Uint8Array | null {
    const slot = this.keys.find(key)
    if (slot < 0) return null
    const at = this.valueAt[slot] as number
    if (at === NONE) return null
    const block = Math.floor(at / BLOCK_SPAN)
    const start = at % BLOCK_SPAN
    const bytes = block === this.openBlock ? this.open : this.inflate(block)
    return bytes.subarray(start, start + (this.lengthOf[slot] as number))
  }

  /** Caches bytes (at most 4 MiB) under key, in place of what it held. */
  set(key: string, bytes: Uint8Array): void {
    if (bytes.length > VALUE_MAX) throw new RangeError('value too large for the cache')
    const slot = this.slot(key)
    const at = this.valueAt[slot] as number
    if (at !== NONE) {
      const old = this.lengthOf[slot] as number
      this.cachedBytes -= old
      // In place when it fits in the open block; otherwise the old bytes are left behind (a
      // run rarely rewrites).
      if (Math.floor(at / BLOCK_SPAN) === this.openBlock && bytes.length <= old) {
        this.open.set(bytes, at % BLOCK_SPAN)
        this.lengthOf[slot] = bytes.length
        this.cachedBytes += bytes.length
        return
      }
    }
    if (this.openEnd + bytes.length > this.open.length) {
      this.seal()
      if (bytes.length > this.open.length) this.open = new Uint8Array(bytes.length)
    }
    this.open.set(bytes, this.openEnd)
    this.valueAt[slot] = this.openBlock * BLOCK_SPAN + this.openEnd
    this.lengthOf[slot] = bytes.length
    this.openEnd += bytes.length
    this.cachedBytes += bytes.length
  }

  delete(key: string): void {
    const slot = this.keys.find(key)
    if (slot < 0) return
    if (this.valueAt[slot] === NONE) return
    this.cachedBytes -= this.lengthOf[slot] as number
    this.valueAt[slot] = NONE
  }

  /** Bytes of cached values (not counting what rewrites left behind). */
  get bytes(): number {
    return this.cachedBytes
  }

  /** Bytes the values take as kept: the compressed blocks and the open one. */
  get storedBytes(): number {
    return this.sealedBytes + this.open.length
  }

  /** Compresses the open block and opens the next one. */
  private seal(): void {
    if (this.openEnd === 0) return
    // An exact copy: zlib's result may be a view into a larger buffer.
    const packed = new Uint8Array(
      deflateRawSync(this.open.subarray(0, this.openEnd), DEFLATE_OPTIONS),
    )
    this.sealed[this.openBlock] = packed
    this.sealedBytes += packed.length
    this.openBlock++
    this.openEnd = 0
    if (this.open.length !== BLOCK_BYTES) this.open = new Uint8Array(BLOCK_BYTES)
  }

  private inflate(block: number): Uint8Array {
    let bytes = this.inflated.get(block)
    if (bytes === undefined) {
      bytes = new Uint8Array(inflateRawSync(this.sealed[block] as Uint8Array))
      if (this.inflated.size >= INFLATED_KEPT) {
        this.inflated.delete(this.inflated.keys().next().value as number)
      }
      this.inflated.set(block, bytes)
    }
    return bytes
  }

  private slot(key: string): number {
    let slot = this.keys.find(key)
    if (slot < 0) {
      slot = this.keys.add(key)
      if (slot === this.valueAt.length) {
        this.valueAt = grow(this.valueAt)
        this.lengthOf = grow(this.lengthOf)
        this.emitted = grow(this.emitted)
      }
      this.valueAt[slot] = NONE
    }
    return slot
  }
}

function grow<T extends Float64Array | Uint32Array | Uint16Array | Uint8Array | Int32Array>(
  array: T,
): T {
  const bigger = new (array.constructor as new (length: number) => T)(array.length * 2)
  bigger.set(array)
  return bigger
}

/** Bytes of keys per arena buffer (a key is at most 4,096 characters: ≤ 12 KiB of UTF-8). */
const KEY_CHUNK_BYTES = 1024 * 1024
/** Chunks a key's start (a Uint32) can point into. */
const KEY_CHUNKS_MAX = 2 ** 32 / KEY_CHUNK_BYTES

/**
 * The keys, each once: their UTF-8 bytes in 1 MiB buffers and an open-addressing hash table of
 * slot numbers (a million ids of ~25 characters take ~40 MB this way, ~85 MB as strings in a
 * Map). A key is looked up without being copied when it is ASCII, as ids nearly always are.
 */
class KeyIndex {
  private readonly chunks: Uint8Array[] = []
  private chunkEnd = KEY_CHUNK_BYTES
  /**
   * Slot → where its bytes start (chunk * KEY_CHUNK_BYTES + offset, below 2^32: 4 GiB of keys),
   * their length, their hash.
   */
  private startOf = new Uint32Array(1024)
  private lengthOf = new Uint16Array(1024)
  private hashOf = new Int32Array(1024)
  private count = 0
  /** Slot + 1 at each place of the hash table (0: empty); its size is a power of two. */
  private table = new Int32Array(2048)
  /**
   * Keys UTF-8 cannot hold as they are (a lone surrogate, which fengari's decoder can make of
   * some bytes), kept as strings so that each is given back exactly: key → slot, slot → key.
   */
  private readonly oddSlots = new Map<string, number>()
  private readonly oddKeys = new Map<number, string>()

  /** The key's slot, or -1. */
  find(key: string): number {
    if (!isWellFormed(key)) return this.oddSlots.get(key) ?? -1
    const bytes = utf8Unless(key)
    const hash = bytes === null ? hashText(key) : hashBytes(bytes)
    const mask = this.table.length - 1
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const entry = this.table[at] as number
      if (entry === 0) return -1
      const slot = entry - 1
      if (this.hashOf[slot] === hash && this.equals(slot, key, bytes)) return slot
    }
  }

  /** Adds a key not in the index; answers its slot. */
  add(key: string): number {
    if (!isWellFormed(key)) {
      const slot = this.newSlot()
      this.oddSlots.set(key, slot)
      this.oddKeys.set(slot, key)
      return slot
    }
    // An ASCII key's characters are its bytes: copied in as they are, with no buffer of its own.
    const utf8 = utf8Unless(key)
    const length = utf8 === null ? key.length : utf8.length
    if (length > KEY_CHUNK_BYTES / 64) throw new RangeError('key too long for the file table')
    if (this.chunkEnd + length > KEY_CHUNK_BYTES) {
      if (this.chunks.length === KEY_CHUNKS_MAX) {
        throw new RangeError('too many keys for the file table')
      }
      this.chunks.push(new Uint8Array(KEY_CHUNK_BYTES))
      this.chunkEnd = 0
    }
    const slot = this.newSlot()
    const chunk = this.chunks.length - 1
    const bytes = this.chunks[chunk] as Uint8Array
    const offset = this.chunkEnd
    if (utf8 === null) for (let i = 0; i < length; i++) bytes[offset + i] = key.charCodeAt(i)
    else bytes.set(utf8, offset)
    this.startOf[slot] = chunk * KEY_CHUNK_BYTES + offset
    this.lengthOf[slot] = length
    this.chunkEnd += length
    const hash = utf8 === null ? hashText(key) : hashBytes(utf8)
    this.hashOf[slot] = hash
    // At most half full: a probe ends soon.
    if (this.count * 2 > this.table.length) this.rehash(this.table.length * 2)
    else this.place(slot, hash)
    return slot
  }

  private newSlot(): number {
    const slot = this.count++
    if (slot === this.startOf.length) {
      this.startOf = grow(this.startOf)
      this.lengthOf = grow(this.lengthOf)
      this.hashOf = grow(this.hashOf)
    }
    return slot
  }

  keyAt(slot: number): string {
    return this.oddKeys.get(slot) ?? decodeKey(this.bytesOf(slot))
  }

  private bytesOf(slot: number): Uint8Array {
    const start = this.startOf[slot] as number
    const chunk = this.chunks[Math.floor(start / KEY_CHUNK_BYTES)] as Uint8Array
    const offset = start % KEY_CHUNK_BYTES
    return chunk.subarray(offset, offset + (this.lengthOf[slot] as number))
  }

  private equals(slot: number, key: string, bytes: Uint8Array | null): boolean {
    const start = this.startOf[slot] as number
    const chunk = this.chunks[Math.floor(start / KEY_CHUNK_BYTES)] as Uint8Array
    const offset = start % KEY_CHUNK_BYTES
    const length = this.lengthOf[slot] as number
    if (bytes === null) {
      if (key.length !== length) return false
      for (let i = 0; i < length; i++) if (chunk[offset + i] !== key.charCodeAt(i)) return false
      return true
    }
    if (bytes.length !== length) return false
    for (let i = 0; i < length; i++) if (chunk[offset + i] !== bytes[i]) return false
    return true
  }

  private place(slot: number, hash: number): void {
    const mask = this.table.length - 1
    let at = hash & mask
    while (this.table[at] !== 0) at = (at + 1) & mask
    this.table[at] = slot + 1
  }

  private rehash(size: number): void {
    this.table = new Int32Array(size)
    for (let slot = 0; slot < this.count; slot++) {
      if (this.oddKeys.size === 0 || !this.oddKeys.has(slot)) {
        this.place(slot, this.hashOf[slot] as number)
      }
    }
  }
}

const isWellFormed = (text: string): boolean =>
  (text as string & { isWellFormed(): boolean }).isWellFormed()

/** A key's text from its bytes: ASCII directly, the rest through the UTF-8 decoder. */
function decodeKey(bytes: Uint8Array): string {
  if (bytes.length <= 256) {
    let ascii = true
    for (let i = 0; i < bytes.length; i++) if ((bytes[i] as number) >= 0x80) ascii = false
    if (ascii) return String.fromCharCode.apply(null, bytes as unknown as number[])
  }
  return decoder.decode(bytes)
}

/** The key's UTF-8 bytes, or null when it is ASCII (its characters are then its bytes). */
function utf8Unless(key: string): Uint8Array | null {
  for (let i = 0; i < key.length; i++) {
    if (key.charCodeAt(i) >= 0x80) return encoder.encode(key)
  }
  return null
}

/** FNV-1a over the bytes (for ASCII text: over its characters, the same). */
function hashBytes(bytes: Uint8Array): number {
  let h = 0x811c9dc5
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193)
  return h
}

function hashText(ascii: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < ascii.length; i++) h = Math.imul(h ^ ascii.charCodeAt(i), 0x01000193)
  return h
}
