import { describe, expect, it } from 'vitest'
import { MAX_NAME_BYTES, pathKey, safeName, safeSegments, taggedName } from './paths'

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8')

describe('safeSegments', () => {
  it('keeps ordinary paths as they are', () => {
    expect(safeSegments('Photos/2024/IMG_0001.jpg')).toEqual(['Photos', '2024', 'IMG_0001.jpg'])
    expect(safeSegments('report.pdf')).toEqual(['report.pdf'])
  })

  it('makes absolute paths relative and drops empty and "." segments', () => {
    expect(safeSegments('/etc/passwd')).toEqual(['etc', 'passwd'])
    expect(safeSegments('//a///b/./c/')).toEqual(['a', 'b', 'c'])
    expect(safeSegments('')).toEqual([])
    expect(safeSegments('/./')).toEqual([])
  })

  it('never lets ".." climb: it becomes a name', () => {
    expect(safeSegments('../../etc/passwd')).toEqual(['.．', '.．', 'etc', 'passwd'])
    expect(safeSegments('a/../../b')).toEqual(['a', '.．', '.．', 'b'])
  })

  it('maps backslashes and drive letters to look-alikes, not separators', () => {
    expect(safeSegments('C:\\Windows\\win.ini')).toEqual(['C：＼Windows＼win.ini'])
    expect(safeSegments('..\\..\\x')).toEqual(['..＼..＼x'])
  })

  it('renames a first segment that would be Skwirl’s own folder', () => {
    expect(safeSegments('.skwirl/manifest.db')).toEqual(['.skwirl_', 'manifest.db'])
    expect(safeSegments('.SKWIRL/x')).toEqual(['.SKWIRL_', 'x'])
    expect(safeSegments('a/.skwirl/x')).toEqual(['a', '.skwirl', 'x'])
  })
})

describe('safeName', () => {
  it('shows control characters and NUL as their pictures', () => {
    expect(safeName('a\u0000b')).toBe('a\u2400b')
    expect(safeName('line\nbreak\ttab')).toBe('line\u240abreak\u2409tab')
    expect(safeName('del\u007f')).toBe('del\u2421')
  })

  it('maps the characters Windows refuses to full-width look-alikes', () => {
    expect(safeName('a<b>c:d"e|f?g*h')).toBe('a＜b＞c：d＂e｜f？g＊h')
  })

  it('keeps a trailing dot or space visible instead of letting Windows drop it', () => {
    expect(safeName('notes.')).toBe('notes．')
    expect(safeName('draft ')).toBe('draft\u2420')
    expect(safeName('...')).toBe('..．')
  })

  it('gives Windows device names an underscore, whatever the case and extension', () => {
    expect(safeName('CON')).toBe('CON_')
    expect(safeName('con.txt')).toBe('con_.txt')
    expect(safeName('Aux.tar.gz')).toBe('Aux_.tar.gz')
    expect(safeName('lpt9')).toBe('lpt9_')
    expect(safeName('COM¹.log')).toBe('COM¹_.log')
    expect(safeName('console.txt')).toBe('console.txt')
  })

  it('shortens names over 255 bytes, keeping the extension and a stable tag', () => {
    const long = `${'é'.repeat(200)}.jpeg`
    const safe = safeName(long) as string
    expect(bytes(long)).toBe(405)
    expect(bytes(safe)).toBeLessThanOrEqual(MAX_NAME_BYTES)
    expect(safe).toMatch(/^é+ ~[0-9a-f]{8}\.jpeg$/)
    expect(safeName(long)).toBe(safe)
    const other = safeName(`${'é'.repeat(199)}è.jpeg`) as string
    expect(other).not.toBe(safe)
    expect(bytes(safeName('x'.repeat(300)) as string)).toBeLessThanOrEqual(MAX_NAME_BYTES)
  })

  it('writes names in NFC and replaces lone surrogates', () => {
    expect(safeName('Cafe\u0301')).toBe('Caf\u00e9')
    expect(safeName('a\ud800b')).toBe('a\ufffdb')
  })
})

describe('pathKey', () => {
  it('is the same for names that differ only in case or Unicode normalisation', () => {
    expect(pathKey('Report.PDF')).toBe(pathKey('report.pdf'))
    expect(pathKey('Caf\u00e9')).toBe(pathKey('CAFE\u0301'))
    expect(pathKey('Straße')).toBe(pathKey('STRASSE'))
    expect(pathKey('a/b')).not.toBe(pathKey('a/c'))
  })
})

describe('taggedName', () => {
  it('puts the tag before the extension and stays within 255 bytes', () => {
    expect(taggedName('report.pdf', '1a2b3c4d')).toBe('report ~1a2b3c4d.pdf')
    expect(taggedName('.bashrc', 'ab')).toBe('.bashrc ~ab')
    expect(bytes(taggedName('y'.repeat(255), '1a2b3c4d'))).toBeLessThanOrEqual(MAX_NAME_BYTES)
  })
})
