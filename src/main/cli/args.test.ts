import { describe, expect, it } from 'vitest'
import { parseArgs, takeGlobalOptions, UsageError } from './args'

describe('parseArgs', () => {
  it('reads run, provider list and serve', () => {
    expect(parseArgs(['run', 'Google Drive'])).toEqual({
      name: 'run',
      target: 'Google Drive',
      json: false,
      destination: undefined,
      verify: false,
    })
    expect(parseArgs(['run', '--json', 'a.lua'])).toEqual({
      name: 'run',
      target: 'a.lua',
      json: true,
      destination: undefined,
      verify: false,
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

  it('reads destinations: provider set, run --dest / --no-dest / --verify, verify', () => {
    expect(parseArgs(['provider', 'set', 'Drive', '--dest', '/b', '--retention=7'])).toEqual({
      name: 'provider-set',
      provider: 'Drive',
      schedule: undefined,
      destination: '/b',
      retentionDays: 7,
      settings: [],
      stdinKey: null,
    })
    expect(parseArgs(['provider', 'set', 'Drive', '--no-dest'])).toEqual({
      name: 'provider-set',
      provider: 'Drive',
      schedule: undefined,
      destination: null,
      retentionDays: undefined,
      settings: [],
      stdinKey: null,
    })
    // One command may set the schedule and the folder together.
    expect(
      parseArgs(['provider', 'set', 'Drive', '--schedule', 'hourly', '--dest', '/b']),
    ).toMatchObject({ schedule: { kind: 'interval', hours: 1 }, destination: '/b' })
    expect(parseArgs(['run', 'Drive', '--dest', 'b', '--verify'])).toMatchObject({
      destination: 'b',
      verify: true,
    })
    expect(parseArgs(['run', 'Drive', '--no-dest'])).toMatchObject({ destination: null })
    expect(parseArgs(['verify', '/b', '--json'])).toEqual({ name: 'verify', dir: '/b', json: true })
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

  it('reads provider set --schedule and run --due', () => {
    expect(parseArgs(['provider', 'set', 'Google Drive', '--schedule', 'weekly sun 2:30'])).toEqual(
      {
        name: 'provider-set',
        provider: 'Google Drive',
        schedule: { kind: 'weekly', weekday: 0, time: '02:30' },
        destination: undefined,
        retentionDays: undefined,
        settings: [],
        stdinKey: null,
      },
    )
    expect(
      parseArgs([
        'provider',
        'set',
        'x',
        '--setting',
        'folder=/A=B',
        '--setting-stdin',
        'api_key',
        '--clear-setting',
        'region',
        '--schedule',
        'hourly',
      ]),
    ).toMatchObject({
      schedule: { kind: 'interval', hours: 1 },
      settings: [
        ['folder', '/A=B'],
        ['region', null],
      ],
      stdinKey: 'api_key',
    })
    expect(() => parseArgs(['provider', 'set', 'x', '--setting', 'folder'])).toThrow(
      '--setting takes KEY=VALUE, got "folder"',
    )
    expect(() =>
      parseArgs(['provider', 'set', 'x', '--setting', 'a=1', '--clear-setting', 'a']),
    ).toThrow('the setting a is given more than once')
    expect(parseArgs(['provider', 'set', 'x', '--schedule=off'])).toMatchObject({
      schedule: { kind: 'off' },
    })
    expect(parseArgs(['run', '--due'])).toEqual({ name: 'run-due', json: false })
    expect(parseArgs(['run', '--json', '--due'])).toEqual({ name: 'run-due', json: true })
  })

  it('takes --log-level from anywhere before --', () => {
    expect(takeGlobalOptions(['runs', '--log-level', 'debug', '--json'])).toEqual({
      argv: ['runs', '--json'],
      logLevel: 'debug',
    })
    expect(takeGlobalOptions(['--log-level=warn', 'serve'])).toEqual({
      argv: ['serve'],
      logLevel: 'warn',
    })
    expect(takeGlobalOptions(['run', '--', '--log-level'])).toEqual({
      argv: ['run', '--', '--log-level'],
      logLevel: null,
    })
    expect(() => takeGlobalOptions(['runs', '--log-level'])).toThrow(
      '--log-level must be one of debug, info, warn, error, got nothing',
    )
    expect(() => takeGlobalOptions(['runs', '--log-level=trace'])).toThrow(UsageError)
  })

  it('treats everything after -- as arguments', () => {
    expect(parseArgs(['run', '--json', '--', 'a.lua'])).toEqual({
      name: 'run',
      target: 'a.lua',
      json: true,
      destination: undefined,
      verify: false,
    })
    expect(parseArgs(['run', '--', '--odd-name.lua'])).toEqual({
      name: 'run',
      target: '--odd-name.lua',
      json: false,
      destination: undefined,
      verify: false,
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
    [['provider'], 'provider needs a command: list, add, export, remove, settings or set'],
    [['provider', 'set', 'x'], 'provider set needs something to set: --schedule'],
    [['provider', 'set', '--schedule', 'daily 02:30'], 'provider set needs one name, got none'],
    [
      ['provider', 'set', 'x', '--schedule', 'daily 25:00'],
      '--schedule "daily 25:00": not a time; a schedule is off, hourly',
    ],
    [
      ['run', '--due', 'x'],
      'run --due runs the providers that are due; it takes no provider, got x',
    ],
    [['provider', 'set', 'x', '--dest', 'a', '--no-dest'], '--dest and --no-dest contradict'],
    [['provider', 'set', 'x', '--retention', '-1'], '--retention must be a number of days from 0'],
    [['provider', 'set', 'x', '--retention', 'week'], '--retention must be a number of days'],
    [['run', 'x', '--dest'], '--dest needs a value'],
    [['run', 'x', '--dest', ' '], '--dest needs a folder'],
    [['run', 'x', '--no-dest', '--verify'], '--verify compares with the kept copies'],
    [['verify'], 'verify needs one backup folder, got none'],
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
