// Google's partial-response `fields` syntax: `a,b/c,d(e,f/g),*`, whitespace tolerant.

/** A parsed selection: `true` keeps the whole value, a nested tree keeps only the listed sub-fields. */
export type FieldTree = Map<string, FieldTree | true>

/** What a resource may be asked for: `leaf` takes no sub-selection, `any` accepts any. */
export interface FieldSchema {
  readonly [name: string]: FieldSchema | 'leaf' | 'any'
}

export class FieldSelectionError extends Error {
  override readonly name = 'FieldSelectionError'
}

const NAME_START = /[A-Za-z_]/
const NAME_PART = /[A-Za-z0-9_]/

/** Parses a `fields` string into a tree; throws FieldSelectionError with Google's wording. */
export function parseFields(input: string): FieldTree {
  let pos = 0
  const fail = (): never => {
    throw new FieldSelectionError(`Invalid field selection ${input}`)
  }
  const skipSpace = (): void => {
    while (pos < input.length && /\s/.test(input.charAt(pos))) pos++
  }
  const name = (): string => {
    skipSpace()
    if (input.charAt(pos) === '*') {
      pos++
      return '*'
    }
    if (!NAME_START.test(input.charAt(pos))) fail()
    const start = pos
    while (pos < input.length && NAME_PART.test(input.charAt(pos))) pos++
    return input.slice(start, pos)
  }
  const selection = (into: FieldTree, nested: boolean): void => {
    for (;;) {
      const path = [name()]
      skipSpace()
      while (input.charAt(pos) === '/') {
        pos++
        path.push(name())
        skipSpace()
      }
      let sub: FieldTree | undefined
      if (input.charAt(pos) === '(') {
        pos++
        sub = new Map()
        selection(sub, true)
        skipSpace()
        if (input.charAt(pos) !== ')') fail()
        pos++
        skipSpace()
      }
      addPath(into, path, sub)
      if (input.charAt(pos) === ',') {
        pos++
        continue
      }
      if (nested ? input.charAt(pos) === ')' : pos >= input.length) return
      fail()
    }
  }
  const tree: FieldTree = new Map()
  selection(tree, false)
  return tree
}

function addPath(tree: FieldTree, path: string[], sub: FieldTree | undefined): void {
  let node = tree
  for (const [i, part] of path.entries()) {
    const last = i === path.length - 1
    const existing = node.get(part)
    // A whole-field selection already covers any narrower one.
    if (existing === true) return
    if (last && sub === undefined) {
      node.set(part, true)
      return
    }
    const next: FieldTree = existing ?? new Map()
    node.set(part, next)
    if (last && sub !== undefined) {
      for (const [k, v] of sub) addPath(next, [k], v === true ? undefined : v)
      return
    }
    node = next
  }
}

/** Checks a tree against a resource schema; throws FieldSelectionError naming the bad field. */
export function validateFields(tree: FieldTree, schema: FieldSchema): void {
  for (const [field, sub] of tree) {
    if (field === '*') {
      if (sub !== true) throw new FieldSelectionError(`Invalid field selection ${field}`)
      continue
    }
    const rule = Object.hasOwn(schema, field) ? schema[field] : undefined
    if (rule === undefined) throw new FieldSelectionError(`Invalid field selection ${field}`)
    if (sub === true || rule === 'any') continue
    if (rule === 'leaf') throw new FieldSelectionError(`Invalid field selection ${field}`)
    validateFields(sub, rule)
  }
}

/** True when the tree would keep the field at `path` (so it is worth computing). */
export function selects(tree: FieldTree, path: readonly string[]): boolean {
  let node: FieldTree | true = tree
  for (const part of path) {
    if (node === true || node.get('*') === true) return true
    const next: FieldTree | true | undefined = node.get(part)
    if (next === undefined) return false
    node = next
  }
  return true
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Applies a selection to a JSON value; arrays apply it to each element, as Google does. */
export function applyFields(value: unknown, tree: FieldTree): unknown {
  if (Array.isArray(value)) return value.map((item: unknown) => applyFields(item, tree))
  if (!isRecord(value) || tree.get('*') === true) return value
  const out: Record<string, unknown> = {}
  // Keep the resource's own key order, as Google's output follows the schema, not the request.
  for (const [key, inner] of Object.entries(value)) {
    const sub = tree.get(key)
    if (sub === undefined) continue
    out[key] = sub === true ? inner : applyFields(inner, sub)
  }
  return out
}
