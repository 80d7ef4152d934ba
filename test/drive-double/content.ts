// File bodies: held bytes, or deterministic bytes generated per 64 KiB block so huge files cost no memory.
import { createHash } from 'node:crypto'
import { setImmediate as yieldToLoop } from 'node:timers/promises'

/** Generated content: `size` bytes that depend only on `seed` (and the offset). */
export interface GeneratedContent {
  size: number
  seed: number
}

export type FileContent = Uint8Array | GeneratedContent

export const BLOCK_SIZE = 64 * 1024

export function contentSize(content: FileContent): number {
  return content instanceof Uint8Array ? content.byteLength : content.size
}

function mix32(value: number): number {
  let h = value | 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/**
 * Block `index` of a generated file: xorshift32 seeded from (seed, index), so any offset is
 * cheap. Only its first `length` bytes are generated (the rest of the block would follow them).
 */
export function generatedBlock(seed: number, index: number, length = BLOCK_SIZE): Buffer {
  const words = new Uint32Array(Math.ceil(Math.min(length, BLOCK_SIZE) / 4))
  // xorshift32 must never start at 0, or it stays 0.
  let x = mix32(mix32(seed) + index + 1) || 0x9e3779b9
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    words[i] = x
  }
  return Buffer.from(words.buffer, 0, Math.min(length, BLOCK_SIZE))
}

/** Yields the bytes [start, end) in chunks of at most BLOCK_SIZE, generating lazily. */
export function* contentChunks(
  content: FileContent,
  start = 0,
  end = contentSize(content),
): Generator<Buffer> {
  if (content instanceof Uint8Array) {
    for (let at = start; at < end; at += BLOCK_SIZE) {
      const slice = content.subarray(at, Math.min(end, at + BLOCK_SIZE))
      yield Buffer.from(slice.buffer, slice.byteOffset, slice.byteLength)
    }
    return
  }
  for (let at = start; at < end;) {
    const index = Math.floor(at / BLOCK_SIZE)
    const blockStart = index * BLOCK_SIZE
    const from = at - blockStart
    const to = Math.min(BLOCK_SIZE, end - blockStart)
    // A small file (or a range's end) needs only the head of its block.
    yield generatedBlock(content.seed, index, to).subarray(from, to)
    at = blockStart + to
  }
}

/** Collects bytes [start, end) into one buffer; for tests on small ranges only. */
export function contentBytes(content: FileContent, start = 0, end = contentSize(content)): Buffer {
  return Buffer.concat([...contentChunks(content, start, end)])
}

const md5Cache = new WeakMap<object, Promise<string>>()

/** Hex md5 of the content, streamed once and cached per content object. */
export function contentMd5(content: FileContent): Promise<string> {
  const cached = md5Cache.get(content)
  if (cached) return cached
  const computed = (async () => {
    const hash = createHash('md5')
    let sinceYield = 0
    for (const chunk of contentChunks(content)) {
      hash.update(chunk)
      sinceYield += chunk.byteLength
      // Hashing gigabytes must not starve the server sharing this event loop.
      if (sinceYield >= 8 * 1024 * 1024) {
        sinceYield = 0
        await yieldToLoop()
      }
    }
    return hash.digest('hex')
  })()
  md5Cache.set(content, computed)
  return computed
}
