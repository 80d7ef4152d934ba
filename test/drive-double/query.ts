// Drive v3's search language (`q`): the clauses a backup client uses, parsed as Google does
// (`'id' in parents`, `trashed = false`, `mimeType != '…'`, `sharedWithMe`, `'me' in owners`,
// `name contains '…'`, times compared as RFC 3339, `and`/`or`/`not` and parentheses). Anything
// else is refused, as Drive refuses a query it cannot read (400 Invalid Value, location q).

export class QueryError extends Error {
  override readonly name = 'QueryError'
}

/** What a query can ask of a file: the double's view of one, computed by the server. */
export interface QueryableFile {
  name: string
  mimeType: string
  trashed: boolean
  starred: boolean
  sharedWithMe: boolean
  ownedByMe: boolean
  /** Visible parent ids; the alias 'root' is resolved by the caller. */
  parents: readonly string[]
  modifiedTime: string
  createdTime: string
}

export type Query =
  | { kind: 'and' | 'or'; parts: Query[] }
  | { kind: 'not'; part: Query }
  | { kind: 'in'; value: string; field: 'parents' | 'owners' }
  | { kind: 'compare'; field: string; op: string; value: string | boolean }

type Token =
  | { type: 'string'; text: string }
  | { type: 'word'; text: string }
  | { type: 'op'; text: string }
  | { type: 'paren'; text: '(' | ')' }

const STRING_FIELDS = new Set(['name', 'mimeType'])
const TIME_FIELDS = new Set(['modifiedTime', 'createdTime', 'viewedByMeTime', 'sharedWithMeTime'])
const BOOLEAN_FIELDS = new Set(['trashed', 'starred', 'sharedWithMe'])
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$/

function tokenize(input: string): Token[] {
  const tokens: Token[] = []
  let pos = 0
  while (pos < input.length) {
    const c = input.charAt(pos)
    if (/\s/.test(c)) {
      pos++
    } else if (c === "'" || c === '"') {
      // Drive quotes with ' (or "), and escapes a quote or a backslash with \.
      let text = ''
      pos++
      for (;;) {
        if (pos >= input.length) throw new QueryError('unterminated string')
        const d = input.charAt(pos)
        if (d === '\\') {
          text += input.charAt(pos + 1)
          pos += 2
        } else if (d === c) {
          pos++
          break
        } else {
          text += d
          pos++
        }
      }
      tokens.push({ type: 'string', text })
    } else if (c === '(' || c === ')') {
      tokens.push({ type: 'paren', text: c })
      pos++
    } else if ('=!<>'.includes(c)) {
      const two = input.slice(pos, pos + 2)
      const op = ['!=', '<=', '>='].includes(two) ? two : c
      if (op === '!') throw new QueryError('bad operator')
      tokens.push({ type: 'op', text: op })
      pos += op.length
    } else if (/[A-Za-z_]/.test(c)) {
      const start = pos
      while (pos < input.length && /[A-Za-z0-9_]/.test(input.charAt(pos))) pos++
      tokens.push({ type: 'word', text: input.slice(start, pos) })
    } else {
      throw new QueryError(`unexpected ${c}`)
    }
  }
  return tokens
}

/** Parses a `q` string; throws QueryError for anything Drive would refuse (or the double lacks). */
export function parseQuery(input: string): Query {
  const tokens = tokenize(input)
  let at = 0
  const peek = (): Token | undefined => tokens[at]
  const isWord = (token: Token | undefined, word: string): boolean =>
    token?.type === 'word' && token.text.toLowerCase() === word

  const primary = (): Query => {
    const token = peek()
    if (token === undefined) throw new QueryError('unexpected end')
    if (token.type === 'paren' && token.text === '(') {
      at++
      const inner = or()
      const close = peek()
      if (close?.type !== 'paren' || close.text !== ')') throw new QueryError('missing )')
      at++
      return inner
    }
    if (isWord(token, 'not')) {
      at++
      return { kind: 'not', part: primary() }
    }
    if (token.type === 'string') {
      at++
      if (!isWord(peek(), 'in')) throw new QueryError('expected in')
      at++
      const field = peek()
      at++
      if (field?.type !== 'word' || (field.text !== 'parents' && field.text !== 'owners')) {
        throw new QueryError('only parents and owners take in')
      }
      return { kind: 'in', value: token.text, field: field.text }
    }
    if (token.type !== 'word') throw new QueryError('expected a field')
    at++
    const field = token.text
    const opToken = peek()
    at++
    const op =
      opToken?.type === 'op' ? opToken.text : isWord(opToken, 'contains') ? 'contains' : undefined
    if (op === undefined) throw new QueryError('expected an operator')
    const valueToken = peek()
    at++
    if (BOOLEAN_FIELDS.has(field)) {
      if (op !== '=' && op !== '!=') throw new QueryError(`${field} takes = or !=`)
      if (!isWord(valueToken, 'true') && !isWord(valueToken, 'false')) {
        throw new QueryError(`${field} compares with true or false`)
      }
      return { kind: 'compare', field, op, value: valueToken?.text.toLowerCase() === 'true' }
    }
    if (valueToken?.type !== 'string') throw new QueryError('expected a quoted value')
    if (STRING_FIELDS.has(field)) {
      if (!['=', '!=', 'contains'].includes(op))
        throw new QueryError(`${field} takes =, != or contains`)
      return { kind: 'compare', field, op, value: valueToken.text }
    }
    if (TIME_FIELDS.has(field)) {
      if (op === 'contains') throw new QueryError(`${field} cannot contain`)
      if (!RFC3339.test(valueToken.text)) throw new QueryError('times are RFC 3339')
      return { kind: 'compare', field, op, value: valueToken.text }
    }
    throw new QueryError(`the double does not search by ${field}`)
  }
  const chain = (kind: 'and' | 'or', next: () => Query): (() => Query) => {
    return () => {
      const parts = [next()]
      while (isWord(peek(), kind)) {
        at++
        parts.push(next())
      }
      return parts.length === 1 ? (parts[0] as Query) : { kind, parts }
    }
  }
  const and = chain('and', primary)
  const or = chain('or', and)
  if (tokens.length === 0) throw new QueryError('empty query')
  const query = or()
  if (at !== tokens.length) throw new QueryError('unexpected text after the query')
  return query
}

function compareTimes(a: string, b: string): number {
  const diff = Date.parse(a) - Date.parse(b)
  return diff < 0 ? -1 : diff > 0 ? 1 : 0
}

export function matches(query: Query, file: QueryableFile): boolean {
  switch (query.kind) {
    case 'and':
      return query.parts.every((part) => matches(part, file))
    case 'or':
      return query.parts.some((part) => matches(part, file))
    case 'not':
      return !matches(query.part, file)
    case 'in':
      return query.field === 'parents'
        ? file.parents.includes(query.value)
        : query.value === 'me' && file.ownedByMe
    case 'compare': {
      const { field, op, value } = query
      if (typeof value === 'boolean') {
        const actual = file[field as 'trashed' | 'starred' | 'sharedWithMe']
        return op === '=' ? actual === value : actual !== value
      }
      if (STRING_FIELDS.has(field)) {
        const actual = file[field as 'name' | 'mimeType']
        if (op === 'contains') {
          // Drive matches name prefixes word by word; a substring test is close enough here.
          return actual.toLowerCase().includes(value.toLowerCase())
        }
        return op === '=' ? actual === value : actual !== value
      }
      const actual = file[field as 'modifiedTime' | 'createdTime'] ?? ''
      if (!actual) return false
      const order = compareTimes(actual, value)
      switch (op) {
        case '=':
          return order === 0
        case '!=':
          return order !== 0
        case '<':
          return order < 0
        case '<=':
          return order <= 0
        case '>':
          return order > 0
        default:
          return order >= 0
      }
    }
  }
}

/**
 * The parent ids a query limits its results to, when every match must have one of them as a
 * parent (`'a' in parents`, `('a' in parents or 'b' in parents) and …`): the server then looks
 * only at those folders' children instead of every file. Undefined when the query is not so
 * limited.
 */
export function parentLimit(query: Query): string[] | undefined {
  if (query.kind === 'in') return query.field === 'parents' ? [query.value] : undefined
  if (query.kind === 'or') {
    const ids: string[] = []
    for (const part of query.parts) {
      const limit = parentLimit(part)
      if (limit === undefined) return undefined
      ids.push(...limit)
    }
    return ids
  }
  if (query.kind === 'and') {
    for (const part of query.parts) {
      const limit = parentLimit(part)
      if (limit !== undefined) return limit
    }
  }
  return undefined
}

/** Every parent id the query names (for the 'user' corpus: children of shared folders). */
export function namedParents(query: Query, into = new Set<string>()): Set<string> {
  if (query.kind === 'in' && query.field === 'parents') into.add(query.value)
  else if (query.kind === 'and' || query.kind === 'or') {
    for (const part of query.parts) namedParents(part, into)
  }
  // A parent named under `not` grants nothing.
  return into
}
