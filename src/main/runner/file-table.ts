// A run's files in the runner: the ids the listing emitted, in their order, each held once, and
// skwirl.cache, the provider's per-file data (what the listing said about each file), kept as
// JSON bytes in large buffers outside both the Lua heap (where a small table costs ~15 KB in
// fengari) and V8's object heap. A cached key that is also a listed id is the same string.
const CHUNK_BYTES = 4 * 1024 * 1024
const NONE = 0xffffffff
/** A value kept as its JSON text, or as a shape's number and the JSON array of its values. */
const RAW = 0
const SHAPED = 1
/** Distinct shapes (sets of keys) remembered; objects of other shapes are kept as JSON text. */
const SHAPES_MAX = 4096
const encoder = new TextEncoder()
const decoder = new TextDecoder()

export class FileTable {
  /** Key → slot; the keys are the only copy of each id (keys[slot] is the same string). */
  private readonly slotOf = new Map<string, number>()
  private keys: string[] = []
  /** Slot → where its cached value starts in the arena, or NONE (the arena stays under 4 GiB). */
  private valueAt = new Uint32Array(1024)
  /** Slot → 1 once the listing emitted it. */
  private emitted = new Uint8Array(1024)
  /** The emitted slots, in the order they were emitted. */
  private order = new Int32Array(1024)
  private emittedCount = 0
  private readonly chunks: Uint8Array[] = []
  /** Where the next value goes: chunk index * CHUNK_BYTES + position. */
  private end = 0
  private cachedBytes = 0
  /** Object shapes: their keys joined by NUL → number, and number → keys. */
  private readonly shapeOf = new Map<string, number>()
  private readonly shapes: string[][] = []

  /**
   * Caches a JSON value (as JSON.parse gives it). An object's keys are kept once per shape, not
   * once per file: a listing caches thousands of objects with the same keys.
   */
  setValue(key: string, value: unknown): void {
    const shape = this.shapeFor(value)
    if (shape === null) {
      const text = encoder.encode(JSON.stringify(value))
      const bytes = new Uint8Array(text.length + 1)
      bytes[0] = RAW
      bytes.set(text, 1)
      this.set(key, bytes)
      return
    }
    const record = value as Record<string, unknown>
    const keys = this.shapes[shape] as string[]
    const text = encoder.encode(JSON.stringify(keys.map((k) => record[k])))
    const bytes = new Uint8Array(text.length + 3)
    bytes[0] = SHAPED
    bytes[1] = shape & 0xff
    bytes[2] = shape >>> 8
    bytes.set(text, 3)
    this.set(key, bytes)
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
    if (this.emittedCount === this.order.length) this.order = grow(this.order)
    this.order[this.emittedCount++] = slot
    return true
  }

  /** How many distinct ids were listed. */
  get count(): number {
    return this.emittedCount
  }

  /** The index-th listed id. */
  idAt(index: number): string {
    return this.keys[this.order[index] as number] as string
  }

  /** The value cached under key (its JSON bytes), or null. */
  get(key: string): Uint8Array | null {
    const slot = this.slotOf.get(key)
    if (slot === undefined) return null
    const at = this.valueAt[slot] as number
    if (at === NONE) return null
    const chunk = this.chunks[Math.floor(at / CHUNK_BYTES)] as Uint8Array
    const start = at % CHUNK_BYTES
    const length = readLength(chunk, start)
    return chunk.subarray(start + 4, start + 4 + length)
  }

  /** Caches bytes (at most CHUNK_BYTES - 4) under key, in place of what it held. */
  set(key: string, bytes: Uint8Array): void {
    if (bytes.length > CHUNK_BYTES - 4) throw new RangeError('value too large for the cache')
    if (this.end + CHUNK_BYTES >= NONE) throw new RangeError('the cache is full (4 GiB)')
    const slot = this.slot(key)
    const at = this.valueAt[slot] as number
    if (at !== NONE) {
      // In place when it fits; otherwise the old bytes are left behind (a run rarely rewrites).
      const chunk = this.chunks[Math.floor(at / CHUNK_BYTES)] as Uint8Array
      const start = at % CHUNK_BYTES
      const old = readLength(chunk, start)
      if (bytes.length <= old) {
        writeLength(chunk, start, bytes.length)
        chunk.set(bytes, start + 4)
        this.cachedBytes += bytes.length - old
        return
      }
      this.cachedBytes -= old
    }
    let position = this.end % CHUNK_BYTES
    let index = Math.floor(this.end / CHUNK_BYTES)
    if (index === this.chunks.length || position + 4 + bytes.length > CHUNK_BYTES) {
      if (index < this.chunks.length) index++
      position = 0
      this.chunks.push(new Uint8Array(CHUNK_BYTES))
    }
    const chunk = this.chunks[index] as Uint8Array
    writeLength(chunk, position, bytes.length)
    chunk.set(bytes, position + 4)
    this.valueAt[slot] = index * CHUNK_BYTES + position
    this.end = index * CHUNK_BYTES + position + 4 + bytes.length
    this.cachedBytes += bytes.length
  }

  delete(key: string): void {
    const slot = this.slotOf.get(key)
    if (slot === undefined) return
    const at = this.valueAt[slot] as number
    if (at === NONE) return
    const chunk = this.chunks[Math.floor(at / CHUNK_BYTES)] as Uint8Array
    this.cachedBytes -= readLength(chunk, at % CHUNK_BYTES)
    this.valueAt[slot] = NONE
  }

  /** Bytes of cached values (not counting what rewrites left behind). */
  get bytes(): number {
    return this.cachedBytes
  }

  private slot(key: string): number {
    let slot = this.slotOf.get(key)
    if (slot === undefined) {
      slot = this.keys.length
      this.keys.push(key)
      this.slotOf.set(key, slot)
      if (slot === this.valueAt.length) {
        this.valueAt = grow(this.valueAt)
        this.emitted = grow(this.emitted)
      }
      this.valueAt[slot] = NONE
    }
    return slot
  }
}

function grow<T extends Uint32Array | Uint8Array | Int32Array>(array: T): T {
  const bigger = new (array.constructor as new (length: number) => T)(array.length * 2)
  bigger.set(array)
  return bigger
}

function readLength(chunk: Uint8Array, at: number): number {
  return (
    ((chunk[at] as number) |
      ((chunk[at + 1] as number) << 8) |
      ((chunk[at + 2] as number) << 16) |
      ((chunk[at + 3] as number) << 24)) >>>
    0
  )
}

function writeLength(chunk: Uint8Array, at: number, length: number): void {
  chunk[at] = length & 0xff
  chunk[at + 1] = (length >>> 8) & 0xff
  chunk[at + 2] = (length >>> 16) & 0xff
  chunk[at + 3] = (length >>> 24) & 0xff
}
