import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createLogger, formatLine, logLevelFromEnv } from './logger'

const dirs: string[] = []

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'skwirl-log-'))
  dirs.push(dir)
  return dir
}

describe('formatLine', () => {
  it('prefixes the run, provider, file and stage', () => {
    expect(
      formatLine('boom', {
        runId: 'r1',
        provider: 'Google "Drive"',
        fileId: 'f1',
        stage: 'download',
      }),
    ).toBe('[run=r1 provider="Google \\"Drive\\"" file=f1 stage=download] boom')
    expect(formatLine('plain')).toBe('plain')
    expect(formatLine('x', { runId: 'r1', fileId: null, stage: null })).toBe('[run=r1] x')
  })

  it('keeps an entry on one line, whatever line breaks its message holds', () => {
    expect(formatLine('a\nb\r\nc\rd', { runId: 'r1' })).toBe('[run=r1] a\\nb\\nc\\nd')
  })
})

describe('createLogger', () => {
  it('writes <dataDir>/logs/main.log, with secrets masked', () => {
    const dir = tempDir()
    const logger = createLogger({ dataDir: dir, console: false, level: 'debug' })
    expect(logger.file).toBe(join(dir, 'logs', 'main.log'))
    logger.debug('sent Authorization: Bearer abc.def-123', { runId: 'r1', provider: 'P' })
    logger.error('GET https://x.test/a?access_token=s3cret&b=1 failed\nsecond line', {
      runId: 'r1',
      provider: 'P',
      fileId: 'f1',
      stage: 'metadata',
    })
    const lines = readFileSync(logger.file, 'utf8').trimEnd().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/\[debug\] \[run=r1 provider="P"\] sent Authorization: \[redacted]$/)
    expect(lines[1]).toMatch(
      /\[error\] \[run=r1 provider="P" file=f1 stage=metadata\] GET https:\/\/x\.test\/a\?access_token=\[redacted]&b=1 failed\\nsecond line$/,
    )
    expect(lines.join('\n')).not.toMatch(/abc\.def|s3cret/)
  })
})

describe('log levels', () => {
  it('records info and up by default: debug lines are off', () => {
    const logger = createLogger({ dataDir: tempDir(), console: false })
    expect(logger.level).toBe('info')
    logger.debug('a host call failed: HTTP 404')
    logger.info('run started')
    logger.setLevel('debug')
    logger.debug('now recorded')
    logger.setLevel('error')
    logger.warn('not recorded')
    logger.error('recorded')
    const lines = readFileSync(logger.file, 'utf8').trimEnd().split('\n')
    expect(lines.map((line) => line.replace(/^\[[^\]]+\] /, ''))).toEqual([
      '[info]  run started',
      '[debug] now recorded',
      '[error] recorded',
    ])
  })

  it('reads SKWIRL_LOG_LEVEL, and says so when it is not a level', () => {
    expect(logLevelFromEnv({})).toBeNull()
    expect(logLevelFromEnv({ SKWIRL_LOG_LEVEL: 'DEBUG' })).toBe('debug')
    expect(() => logLevelFromEnv({ SKWIRL_LOG_LEVEL: 'loud' })).toThrow(
      'SKWIRL_LOG_LEVEL must be one of debug, info, warn, error, got "loud"',
    )
  })
})
