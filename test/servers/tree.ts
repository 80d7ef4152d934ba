// The tree the real servers serve: nested folders, unicode names, spaces and punctuation, a 0-byte
// file, many small files and one big one. Generated once per suite in a temp dir, with every
// file's size and MD5 known, so that a backup can be compared with it byte for byte.
import { createHash, randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

export interface TreeFile {
  /** Slash-separated, relative to the root, as a provider reports it. */
  path: string
  size: number
  md5: string
}

export interface Tree {
  root: string
  files: TreeFile[]
  /** The big file's path (null when there is none). */
  big: string | null
  remove(): void
}

export interface TreeOptions {
  /** How many small files go in small/ (the tree has 1,000). */
  smallFiles: number
  /** Spread the small files over this many folders (small/00/…); 1 by default (small/ itself). */
  smallFolders?: number
  /** The big file's size in bytes (the tree has 200 MB); 0 for no big file. */
  bigBytes: number
  /** The named files (unicode, spaces, punctuation, 0 bytes, deep): true by default. */
  named?: boolean
}

/** The named files, beside small/ and the big file: what real users' trees hold. */
const NAMED: Array<[string, number]> = [
  ['Documents/report 2024.pdf', 48_213],
  ['Documents/Notes/to do.txt', 311],
  ['Photos/Été 2024/plage – soleil.jpg', 150_001],
  ['Photos/Été 2024/IMG_0001.JPG', 65_536],
  ['日本語/ファイル.txt', 1_024],
  ['Special/a&b #1 (copy) [x] 100%.txt', 77],
  ['Special/x+y=z; it’s “quoted”.txt', 5],
  ['Special/😀 emoji.txt', 12],
  ['a/b/c/d/e/f/g/deep.txt', 9],
  ['empty.txt', 0],
  ['empty folder next door/.keep', 1],
]

/** Writes the tree into a new temp dir; files are world-readable so any server user reads them. */
export async function generateTree(options: TreeOptions): Promise<Tree> {
  const root = mkdtempSync(join(tmpdir(), 'skwirl-tree-'))
  chmodSync(root, 0o755)
  const files: TreeFile[] = []
  const write = (path: string, bytes: Buffer): void => {
    const full = join(root, path)
    mkdirSync(dirname(full), { recursive: true, mode: 0o755 })
    writeFileSync(full, bytes, { mode: 0o644 })
    files.push({ path, size: bytes.length, md5: createHash('md5').update(bytes).digest('hex') })
  }
  if (options.named !== false) for (const [path, size] of NAMED) write(path, randomBytes(size))
  const folders = options.smallFolders ?? 1
  for (let i = 0; i < options.smallFiles; i++) {
    const folder = folders > 1 ? `small/${String(i % folders).padStart(2, '0')}` : 'small'
    write(`${folder}/${String(i).padStart(4, '0')}.txt`, randomBytes(100 + ((i * 37) % 3000)))
  }
  const remove = (): void => rmSync(root, { recursive: true, force: true })
  if (options.bigBytes === 0) return { root, files, big: null, remove }
  const big = 'big/disk image.bin'
  mkdirSync(join(root, 'big'), { mode: 0o755 })
  const handle = await open(join(root, big), 'w', 0o644)
  const hash = createHash('md5')
  const chunk = randomBytes(1024 * 1024)
  try {
    for (let written = 0; written < options.bigBytes;) {
      const piece = chunk.subarray(0, Math.min(chunk.length, options.bigBytes - written))
      // Each MiB differs from the last, so that a misplaced range would be caught.
      piece[0] = (written / chunk.length) & 0xff
      await handle.write(piece)
      hash.update(piece)
      written += piece.length
    }
  } finally {
    await handle.close()
  }
  files.push({ path: big, size: statSync(join(root, big)).size, md5: hash.digest('hex') })
  return { root, files, big, remove }
}
