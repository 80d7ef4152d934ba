import { describe, expect, it } from 'vitest'
import { parseArgs, UsageError } from './args'

describe('parseArgs', () => {
  it('reads run, provider list and serve', () => {
    expect(parseArgs(['run', 'Google Drive'])).toEqual({
      name: 'run',
      target: 'Google Drive',
      json: false,
    })
    expect(parseArgs(['run', '--json', 'a.lua'])).toEqual({
      name: 'run',
      target: 'a.lua',
      json: true,
    })
    expect(parseArgs(['provider', 'list', '--json'])).toEqual({ name: 'provider-list', json: true })
    expect(parseArgs(['serve', '--port=8080'])).toEqual({
      name: 'serve',
      port: 8080,
      host: '127.0.0.1',
    })
    expect(parseArgs([])).toEqual({ name: 'help' })
    expect(parseArgs(['-v'])).toEqual({ name: 'version' })
  })

  it('treats everything after -- as arguments', () => {
    expect(parseArgs(['run', '--json', '--', 'a.lua'])).toEqual({
      name: 'run',
      target: 'a.lua',
      json: true,
    })
    expect(parseArgs(['run', '--', '--odd-name.lua'])).toEqual({
      name: 'run',
      target: '--odd-name.lua',
      json: false,
    })
    expect(() => parseArgs(['run', '--', 'a.lua', 'b.lua'])).toThrow(
      'run takes one provider, got 2',
    )
  })

  it.each([
    [['bogus'], 'unknown command bogus'],
    [['run'], 'run needs a provider name or a .lua file'],
    [['run', '--json=1', 'a.lua'], '--json takes no value'],
    [['serve', '--port'], '--port needs a value'],
    [['serve', '--port', '70000'], '--port must be a number from 0 to 65535, got 70000'],
    [['provider'], 'provider needs a command: list'],
    [['--help', 'extra'], 'unexpected argument extra'],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError)
    expect(() => parseArgs(argv)).toThrow(message)
  })
})
