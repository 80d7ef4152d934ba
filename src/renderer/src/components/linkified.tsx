import type { ReactNode } from 'react'

/**
 * Plain text with its https:// addresses as links that open outside the app. Punctuation that
 * ends a sentence is not part of the address, and a pattern with a placeholder in it
 * (https://s3.<region>.amazonaws.com) stays text: it is not an address anyone can open.
 */
export function linkified(text: string): ReactNode[] {
  const parts = text.split(/(https:\/\/[^\s)]+)/g)
  const out: ReactNode[] = []
  parts.forEach((part, index) => {
    if (index % 2 === 0) {
      out.push(part)
      return
    }
    const address = part.replace(/[.,;:!?'"’”]+$/, '')
    if (/[<>{}]/.test(address)) {
      out.push(part)
      return
    }
    out.push(
      <a key={index} href={address} target="_blank" rel="noopener noreferrer">
        {address}
      </a>,
      part.slice(address.length),
    )
  })
  return out
}
