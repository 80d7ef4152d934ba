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

  it('reads provider add, export and remove', () => {
    expect(parseArgs(['provider', 'add', 'My Cloud', 'cloud.lua'])).toEqual({
      name: 'provider-add',
      provider: 'My Cloud',
      file: 'cloud.lua',
    })
    expect(parseArgs(['provider', 'export', 'My Cloud'])).toEqual({
      name: 'provider-export',
      provider: 'My Cloud',
      file: null,
      force: false,
    })
    expect(parseArgs(['provider', 'export', '--force', 'My Cloud', 'out.lua'])).toEqual({
      name: 'provider-export',
      provider: 'My Cloud',
      file: 'out.lua',
      force: true,
    })
    expect(parseArgs(['provider', 'remove', '--', '--odd'])).toEqual({
      name: 'provider-remove',
      provider: '--odd',
    })
  })

  it('reads runs, its filter and its limit', () => {
    expect(parseArgs(['runs'])).toEqual({ name: 'runs', provider: null, limit: 20, json: false })
    expect(parseArgs(['runs', '--provider', 'Google Drive', '--limit=5', '--json'])).toEqual({
      name: 'runs',
      provider: 'Google Drive',
      limit: 5,
      json: true,
    })
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
    [['provider'], 'provider needs a command: list, add, export or remove'],
    [['provider', 'rename'], 'unknown provider command rename'],
    [['provider', 'add', 'x'], 'provider add needs a name and a .lua file, got one'],
    [
      ['provider', 'add', 'x', 'a.lua', 'b.lua'],
      'provider add needs a name and a .lua file, got 3',
    ],
    [['provider', 'add', '--json', 'x', 'a.lua'], 'unknown option --json'],
    [['provider', 'export'], 'provider export needs a name and at most one file, got none'],
    [['provider', 'export', 'x', '--force'], '--force is for replacing a file'],
    [['provider', 'remove'], 'provider remove needs one name, got none'],
    [['provider', 'remove', 'a', 'b'], 'provider remove needs one name, got 2'],
    [['runs', 'Google Drive'], 'runs takes no arguments, got Google Drive (use --provider NAME)'],
    [['runs', '--provider'], '--provider needs a value'],
    [['runs', '--limit', '0'], '--limit must be a number from 1 to 100000, got 0'],
    [['runs', '--limit', 'all'], '--limit must be a number from 1 to 100000, got all'],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError)
    expect(() => parseArgs(argv)).toThrow(message)
  })
})
