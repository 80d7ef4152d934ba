import { afterEach, describe, expect, it } from 'vitest'
import { startTestCore, type TestCore } from '../../../test/support/fixtures'
import { dispatch } from './handlers'

let core: TestCore | undefined
afterEach(async () => {
  await core?.dispose()
  core = undefined
})

describe('dispatch: the renderer is not trusted', () => {
  it('answers listProviders and getProvider with the seeded provider', async () => {
    core = startTestCore()
    const list = await dispatch(core.handlers, 'listProviders', [], core.logger)
    expect(list.ok).toBe(true)
    const providers = (list as { value: Array<{ id: string; name: string }> }).value
    expect(providers.map((p) => p.name)).toEqual(['Google Drive'])
    const one = await dispatch(core.handlers, 'getProvider', [providers[0]!.id], core.logger)
    expect(one).toMatchObject({ ok: true, value: { name: 'Google Drive' } })
  })

  it.each([
    ['an unknown method', 'deleteEverything', [], /no API method called "deleteEverything"/],
    ['a method that is not a string', 42, [], /no API method called number 42/],
    ['arguments that are not an array', 'listProviders', 'x', /arguments must be an array/],
    ['too many arguments', 'listProviders', [1], /takes 0 arguments, got 1/],
    ['a missing id', 'getProvider', [], /takes 1 argument, got 0/],
    ['an id that is an object', 'getProvider', [{ $gt: '' }], /id must be an id string.*an object/],
    ['an id with path characters', 'execute', ['../../etc'], /providerId must be an id string/],
  ])('refuses %s with a clear invalid-argument error', async (_what, method, args, message) => {
    core = startTestCore()
    const result = await dispatch(core.handlers, method, args, core.logger)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe('invalid-argument')
    expect(result.error.message).toMatch(message)
  })

  it('answers not-found for a provider that does not exist, and keeps working', async () => {
    core = startTestCore()
    const missing = await dispatch(core.handlers, 'execute', ['no-such-provider'], core.logger)
    expect(missing).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'No provider has the id no-such-provider.' },
    })
    const list = await dispatch(core.handlers, 'listProviders', [], core.logger)
    expect(list.ok).toBe(true)
  })
})
