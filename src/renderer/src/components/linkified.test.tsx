import { cleanup, render } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { linkified } from './linkified'

afterEach(cleanup)

function links(text: string): Array<[string | null, string]> {
  const { container } = render(<p>{linkified(text)}</p>)
  return [...container.querySelectorAll('a')].map((a) => [
    a.getAttribute('href'),
    a.textContent ?? '',
  ])
}

describe('linkified help text', () => {
  it('links https:// addresses, leaving the text around them', () => {
    const { container } = render(<p>{linkified('From https://console.cloud.google.com (APIs)')}</p>)
    expect(container.textContent).toBe('From https://console.cloud.google.com (APIs)')
    expect(links('From https://console.cloud.google.com (APIs)')).toEqual([
      ['https://console.cloud.google.com', 'https://console.cloud.google.com'],
    ])
  })

  it('leaves the punctuation that ends a sentence out of the address', () => {
    const text = 'Such as https://s3.us-west-004.backblazeb2.com, or https://example.com/dav.'
    const { container } = render(<p>{linkified(text)}</p>)
    expect(container.textContent).toBe(text)
    expect(links(text)).toEqual([
      ['https://s3.us-west-004.backblazeb2.com', 'https://s3.us-west-004.backblazeb2.com'],
      ['https://example.com/dav', 'https://example.com/dav'],
    ])
  })

  it('does not link a pattern with a placeholder in it', () => {
    const text =
      'Amazon S3: https://s3.<region>.amazonaws.com, R2: https://<account>.r2.cloudflarestorage.com'
    const { container } = render(<p>{linkified(text)}</p>)
    expect(container.textContent).toBe(text)
    expect(links(text)).toEqual([])
  })

  it('does not link http:// addresses', () => {
    expect(links('http://minio.local:9000')).toEqual([])
  })
})
