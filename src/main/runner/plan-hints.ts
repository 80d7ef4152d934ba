// planMode 'hints': what the destination's manifest says of the files ahead, fetched from main a
// block of ids at a time (one file.hints call per block, the next block asked for while the
// current one is worked through), so that a file kept unchanged needs no file.plan round trip.
// Only a few blocks are held at once: the runner's memory does not grow with the listing.

/** Ids per file.hints call. */
export const HINT_BLOCK = 512

export class PlanHints {
  private readonly blocks = new Map<number, Promise<ReadonlyArray<string | null>>>()

  constructor(
    private readonly count: number,
    private readonly idAt: (index: number) => string,
    /** Main's keys for these ids, in their order; a failure only means no hints. */
    private readonly ask: (fileIds: string[]) => Promise<ReadonlyArray<string | null>>,
    private readonly blockSize = HINT_BLOCK,
  ) {}

  /** The key main gave for the file at `index` (null: main knows nothing; ask file.plan). */
  async keyFor(index: number): Promise<string | null> {
    const size = this.blockSize
    const block = Math.floor(index / size)
    const keys = this.load(block)
    // Half way through a block, the next one is asked for; two blocks back is done with.
    if (index - block * size >= size / 2) void this.load(block + 1)
    this.blocks.delete(block - 2)
    return (await keys)[index - block * size] ?? null
  }

  private load(block: number): Promise<ReadonlyArray<string | null>> {
    const known = this.blocks.get(block)
    if (known) return known
    const start = block * this.blockSize
    const end = Math.min(this.count, start + this.blockSize)
    const ids: string[] = []
    for (let i = start; i < end; i++) ids.push(this.idAt(i))
    const keys =
      ids.length === 0 ? Promise.resolve([]) : this.ask(ids).catch(() => [] as Array<string | null>)
    this.blocks.set(block, keys)
    return keys
  }
}
