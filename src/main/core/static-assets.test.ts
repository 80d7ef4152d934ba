// Which file a renderer URL names, and which encodings a browser takes.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { acceptedEncodings, cacheControl, rendererFile } from './static-assets'

const root = join('/opt', 'skwirl', 'renderer')

describe('rendererFile', () => {
  it('finds the build files a path names', () => {
    expect(rendererFile(root, '/index.html')).toBe(join(root, 'index.html'))
    expect(rendererFile(root, '/assets/index-Ab12.js')).toBe(join(root, 'assets', 'index-Ab12.js'))
    expect(rendererFile(root, '/assets/a%20b.css')).toBe(join(root, 'assets', 'a b.css'))
  })

  it('never leads out of the renderer folder, however the path is spelt', () => {
    for (const path of [
      '/../main/index.js',
      '/assets/../../preload/index.js',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2fetc%2fpasswd',
      '/..%5c..%5cwindows',
      '/',
      '/%E0%A4%A',
      '/index.html%00.png',
    ]) {
      const file = rendererFile(root, path)
      expect(file === null || file.startsWith(root + '/'), path).toBe(true)
      if (path !== '/..%5c..%5cwindows') expect(file, path).toBeNull()
    }
  })
})

describe('acceptedEncodings', () => {
  it('reads q-values and the wildcard as RFC 9110 says', () => {
    expect([...acceptedEncodings('gzip, deflate, br')].sort()).toEqual(['br', 'deflate', 'gzip'])
    expect([...acceptedEncodings('br;q=0, gzip;q=0.5')]).toEqual(['gzip'])
    expect([...acceptedEncodings('*')].sort()).toEqual(['br', 'gzip'])
    expect([...acceptedEncodings('*;q=0.1, br;q=0')]).toEqual(['gzip'])
    expect([...acceptedEncodings(undefined)]).toEqual([])
  })
})

describe('cacheControl', () => {
  it('keeps hashed assets for good and has everything else revalidated', () => {
    expect(cacheControl(root, join(root, 'assets', 'index-Ab12.js'))).toContain('immutable')
    expect(cacheControl(root, join(root, 'index.html'))).toBe('no-cache')
  })
})
