/** One line of a unified difference: kept, removed (only in a) or added (only in b). */
export interface DiffLine {
  kind: 'same' | 'removed' | 'added'
  text: string
}

/** Beyond this many line pairs, the texts are shown as all removed then all added. */
const MAX_CELLS = 4_000_000

/** A line-by-line difference (longest common subsequence), a's lines then b's where they differ. */
export function lineDiff(a: string, b: string): DiffLine[] {
  const left = a.split('\n')
  const right = b.split('\n')
  // Lines equal at both ends need no table.
  let start = 0
  while (start < left.length && start < right.length && left[start] === right[start]) start++
  let endA = left.length
  let endB = right.length
  while (endA > start && endB > start && left[endA - 1] === right[endB - 1]) {
    endA--
    endB--
  }
  const head = left.slice(0, start).map((text): DiffLine => ({ kind: 'same', text }))
  const tail = left.slice(endA).map((text): DiffLine => ({ kind: 'same', text }))
  const x = left.slice(start, endA)
  const y = right.slice(start, endB)
  let middle: DiffLine[]
  if (x.length * y.length > MAX_CELLS) {
    middle = [
      ...x.map((text): DiffLine => ({ kind: 'removed', text })),
      ...y.map((text): DiffLine => ({ kind: 'added', text })),
    ]
  } else {
    const width = y.length + 1
    const table = new Uint32Array((x.length + 1) * width)
    for (let i = x.length - 1; i >= 0; i--) {
      for (let j = y.length - 1; j >= 0; j--) {
        table[i * width + j] =
          x[i] === y[j]
            ? (table[(i + 1) * width + j + 1] as number) + 1
            : Math.max(table[(i + 1) * width + j] as number, table[i * width + j + 1] as number)
      }
    }
    middle = []
    let i = 0
    let j = 0
    while (i < x.length && j < y.length) {
      if (x[i] === y[j]) {
        middle.push({ kind: 'same', text: x[i] as string })
        i++
        j++
      } else if ((table[(i + 1) * width + j] as number) >= (table[i * width + j + 1] as number)) {
        middle.push({ kind: 'removed', text: x[i++] as string })
      } else {
        middle.push({ kind: 'added', text: y[j++] as string })
      }
    }
    while (i < x.length) middle.push({ kind: 'removed', text: x[i++] as string })
    while (j < y.length) middle.push({ kind: 'added', text: y[j++] as string })
  }
  return [...head, ...middle, ...tail]
}
