// The shell trusts exactly one page: its own index.html.
import { describe, expect, it } from 'vitest'
import { APP_INDEX_URL, isAppPage, rendererDevUrl } from './app-origin'

describe('isAppPage (packaged, or a build run from the checkout)', () => {
  it('trusts app://skwirl/index.html, with or without a query or fragment', () => {
    expect(isAppPage(APP_INDEX_URL, null)).toBe(true)
    expect(isAppPage('app://skwirl/index.html?x=1#top', null)).toBe(true)
  })

  it('trusts no other page, however its path ends', () => {
    for (const url of [
      'file:///home/me/out/renderer/index.html',
      'file:///tmp/evil/renderer/index.html',
      'app://skwirl/assets/index.html',
      'app://skwirl/renderer/index.html',
      'app://other/index.html',
      'app://user:pw@skwirl/index.html',
      'https://skwirl/index.html',
      'http://localhost:5173/',
      'about:blank',
      'not a url',
    ]) {
      expect(isAppPage(url, null), url).toBe(false)
    }
  })
})

describe('the dev server (npm run dev)', () => {
  it('is honoured only when the app is not packaged, and only on this machine', () => {
    expect(rendererDevUrl('http://localhost:5173', false)?.origin).toBe('http://localhost:5173')
    expect(rendererDevUrl('http://127.0.0.1:5173/', false)).not.toBeNull()
    expect(rendererDevUrl('http://localhost:5173', true)).toBeNull()
    expect(rendererDevUrl('https://evil.example/', false)).toBeNull()
    expect(rendererDevUrl('file:///tmp/index.html', false)).toBeNull()
    expect(rendererDevUrl('javascript:alert(1)', false)).toBeNull()
    expect(rendererDevUrl(undefined, false)).toBeNull()
  })

  it('trusts its index page and nothing else, not even app:// then', () => {
    const dev = rendererDevUrl('http://localhost:5173', false)
    expect(isAppPage('http://localhost:5173/', dev)).toBe(true)
    expect(isAppPage('http://localhost:5173/index.html', dev)).toBe(true)
    expect(isAppPage('http://localhost:5173/other.html', dev)).toBe(false)
    expect(isAppPage('http://localhost:5174/', dev)).toBe(false)
    expect(isAppPage(APP_INDEX_URL, dev)).toBe(false)
  })
})
