// What the bench reports: rows of the table, each scenario's figures and runs, and the helpers
// that turn runs into medians and text.

export const SCENARIOS = [
  'small',
  'listing',
  'bigFile',
  'startup',
  'lua',
  'destination',
  'webdav',
  'scale',
  'drive',
  'transfers',
] as const
export type ScenarioId = (typeof SCENARIOS)[number]

export const MB = 1024 * 1024
export const GIB = 1024 * MB

/** One line of the table. `ratio` is always Skwirl's performance ÷ the baseline's (1 = as fast). */
export interface Row {
  scenario: ScenarioId
  name: string
  skwirl: string
  baseline: string
  ratio: number | null
  goal: string
  /** null: for the record, no goal. */
  pass: boolean | null
}

export interface ScenarioResult {
  id: ScenarioId
  title: string
  /** The figures the rows were made from (each unit in its name); null where a tool is missing. */
  figures: Record<string, number | null>
  /** Every measurement the figures are medians of. */
  runs: Record<string, unknown[]>
  notes: string[]
  rows: Row[]
}

export interface Sizes {
  small: { files: number; runs: number }
  listing: { ids: number; runs: number; memoryAt: number[] }
  bigFile: { bytes: number; smallBytes: number; runs: number; memoryRuns: number }
  startup: { runs: number }
  lua: { pages: number; perPage: number; runs: number }
  destination: { files: number; runs: number; memoryAt: number }
  webdav: { files: number; runs: number; transfers: number[] }
  scale: { files: number; baselineFiles: number; listingIds: number; runs: number }
  drive: { items: number; runs: number; faultRate: number; listItems: number }
  /** Issue 15: `files` from a double answering after `latencyMs`, 1 and `transfers` at a time. */
  transfers: { files: number; runs: number; latencyMs: number; transfers: number }
}

export interface BenchReport {
  mode: 'full' | 'quick'
  startedAt: string
  durationMs: number
  machine: {
    cpus: number
    cpuModel: string
    memoryMb: number
    node: string
    platform: string
    loadAverage: number[]
  }
  commit: string | null
  sizes: Sizes
  rows: Row[]
  scenarios: Partial<Record<ScenarioId, ScenarioResult>>
  /** Runs that did not do the work (left out of the medians), requests that differed… */
  problems: string[]
}

/** The median; NaN for no values (a figure nobody measured). */
export function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** A figure for the JSON: rounded, and null when it could not be measured. */
export function figure(value: number, digits = 1): number | null {
  return Number.isFinite(value) ? Number(value.toFixed(digits)) : null
}

const known = (value: number, text: (v: number) => string): string =>
  Number.isFinite(value) ? text(value) : 'n/a'

export const fmtMs = (ms: number): string =>
  known(ms, (v) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(0)} ms`))
export const fmtMb = (bytes: number): string => known(bytes, (v) => `${(v / MB).toFixed(0)} MB`)
export const fmtRate = (bytesPerS: number): string =>
  known(bytesPerS, (v) =>
    v >= GIB ? `${(v / GIB).toFixed(2)} GiB/s` : `${(v / MB).toFixed(0)} MiB/s`,
  )
export const fmtSize = (bytes: number): string =>
  bytes >= GIB ? `${bytes / GIB} GiB` : `${Math.round(bytes / MB)} MB`

export function ratioOf(value: number): number | null {
  return Number.isFinite(value) ? Number(value.toFixed(2)) : null
}

export function formatTable(rows: Row[]): string {
  const header = ['scenario', 'Skwirl', 'baseline', 'ratio', 'goal', 'result']
  const cells = rows.map((row) => [
    row.name,
    row.skwirl,
    row.baseline,
    row.ratio === null ? '—' : row.ratio.toFixed(2),
    row.goal,
    row.pass === null ? 'record' : row.pass ? 'pass' : 'FAIL',
  ])
  const widths = header.map((h, i) =>
    Math.max(h.length, ...cells.map((c) => (c[i] as string).length)),
  )
  const line = (c: string[]): string =>
    `| ${c.map((v, i) => v.padEnd(widths[i] as number)).join(' | ')} |`
  return [
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...cells.map(line),
  ].join('\n')
}
