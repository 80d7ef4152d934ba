import { describe, expect, it, vi } from 'vitest'
import { removeTokenFromAddressBar } from './address-bar'

describe('removeTokenFromAddressBar', () => {
  it('drops the token and keeps the rest of the address', () => {
    const history = { state: null, replaceState: vi.fn() }
    removeTokenFromAddressBar({ href: 'http://127.0.0.1:4000/?token=s3cret&view=all#top' }, history)
    expect(history.replaceState).toHaveBeenCalledWith(null, '', '/?view=all#top')
  })

  it('leaves an address without a token alone', () => {
    const history = { state: null, replaceState: vi.fn() }
    removeTokenFromAddressBar({ href: 'http://127.0.0.1:4000/' }, history)
    expect(history.replaceState).not.toHaveBeenCalled()
  })
})
