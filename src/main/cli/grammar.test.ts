import { describe, expect, it } from 'vitest'
import type { RunState } from '../../shared/api'
import { COMMANDS } from './commands'
import { parseCommandLine, suggestion, UsageError } from './grammar'
import { fitToWidth, progressLine } from './progress'

const parse = (argv: string[]) => parseCommandLine(argv, COMMANDS)

describe('parseCommandLine', () => {
  it('finds the command and its input, global options anywhere', () => {
    const line = parse(['-qv', 'runs', '--json', '-n5', '--provider=Google Drive'])
    expect(line).toMatchObject({
      kind: 'command',
      command: { name: ['runs'] },
      input: { values: { limit: '5', provider: 'Google Drive', json: true }, args: [] },
      global: { json: true, quiet: true, verbose: true, logLevel: null },
    })
    expect(
      parse(['--log-level', 'debug', 'provider', 'export', 'x', 'out.lua', '-f']),
    ).toMatchObject({
      command: { name: ['provider', 'export'] },
      input: { args: ['x', 'out.lua'], values: { force: true } },
      global: { logLevel: 'debug' },
    })
  })

  it('takes what follows -- as arguments, even --version', () => {
    expect(parse(['run', '--', '--version'])).toMatchObject({
      kind: 'command',
      input: { args: ['--version'] },
    })
    expect(parse(['provider', 'remove', '--', '-odd'])).toMatchObject({ input: { args: ['-odd'] } })
  })

  it('answers help and version', () => {
    expect(parse(['help', 'provider', 'set'])).toMatchObject({
      kind: 'help',
      command: { name: ['provider', 'set'] },
    })
    expect(parse(['help', 'provider'])).toMatchObject({
      kind: 'help',
      command: null,
      group: 'provider',
    })
    expect(parse(['runs', '-h'])).toMatchObject({ kind: 'help', command: { name: ['runs'] } })
    expect(parse(['provider', 'list', '-V'])).toMatchObject({ kind: 'version' })
    expect(() => parse(['help', 'nope'])).toThrow('no help for "nope": there is no such command')
  })

  it('says what is wrong, with the help to read', () => {
    const error = (() => {
      try {
        parse(['provider', 'add', 'x'])
      } catch (e) {
        return e as UsageError
      }
      return null
    })()
    expect(error).toBeInstanceOf(UsageError)
    expect(error?.message).toBe('provider add needs <file.lua>')
    expect(error?.helpCommand).toBe('skwirl provider add --help')
  })

  it('suggests near misses only', () => {
    expect(suggestion('provder', ['provider', 'run'])).toBe(' (did you mean "provider"?)')
    expect(suggestion('xyz', ['provider', 'run'])).toBe('')
  })
})

describe('the progress line', () => {
  const run: RunState = {
    runId: 'r',
    providerId: 'p',
    providerName: 'Google Drive',
    status: 'running',
    phase: 'backing-up',
    reason: null,
    failure: null,
    startedAt: '2025-06-15T10:00:00Z',
    finishedAt: null,
    listed: 1_204,
    downloaded: 470,
    unchanged: 0,
    unchangedBytes: 0,
    skipped: 0,
    failed: 12,
    bytes: 12_400_000,
    retries: 0,
    destination: null,
    problem: null,
    live: { currentFile: 'a.jpg', filesPerSecond: 8.24, secondsLeft: 141, waitingFor: null },
  }

  it('has a bar, %, counts, size, pace and time left', () => {
    expect(progressLine(run, 200)).toBe(
      'Google Drive [########------------]  40%  482/1,204 files · 12 MB · 12 failed · 8.2 files/s · about 2 min left',
    )
    expect(progressLine({ ...run, phase: 'listing', listed: 3_000 }, 200)).toBe(
      'Google Drive listing… 3,000 files found',
    )
  })

  it('is cut to the terminal’s width, one short of it', () => {
    const line = progressLine(run, 40)
    expect([...line]).toHaveLength(39)
    expect(line.endsWith('…')).toBe(true)
    expect(fitToWidth('abc', 3)).toBe('abc')
    expect(fitToWidth('abcd', 3)).toBe('ab…')
  })
})
