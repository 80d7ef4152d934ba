import { describe, expect, it } from 'vitest'
import type { BackupStatus, ProviderListItem } from '../../../shared/api'
import { run } from '../testing/fake-api'
import { backupsAtAGlance } from './backup-overview'

const provider = (id: string, signIn: ProviderListItem['signIn'] = null): ProviderListItem => ({
  id,
  name: id.toUpperCase(),
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  signIn,
  shippedUpdate: false,
})

const status = (providerId: string, fields: Partial<BackupStatus> = {}): BackupStatus => ({
  providerId,
  schedule: { kind: 'off' } as BackupStatus['schedule'],
  nextRunAt: null,
  lastGoodBackupAt: null,
  overdue: false,
  ...fields,
})

describe('the backups at a glance', () => {
  it('adds up what the newest backups keep and says what needs the person, most pressing first', () => {
    const good = run({
      runId: 'r1',
      providerId: 'a',
      status: 'completed',
      downloaded: 3,
      unchanged: 7,
      bytes: 300,
      unchangedBytes: 700,
      destination: '/b/a',
    })
    const glance = backupsAtAGlance(
      [provider('a'), provider('b'), provider('c', 'needed'), provider('d'), provider('e')],
      {
        a: good,
        b: run({
          runId: 'r2',
          providerId: 'b',
          status: 'failed',
          failure: {
            stage: 'list',
            kind: 'http',
            summary: 'HTTP 404 at line 6',
            line: 6,
            status: 404,
          },
        }),
        // Signed out after a good run: the sign-in comes first.
        c: run({ runId: 'r3', providerId: 'c', status: 'completed' }),
        e: run({ runId: 'r5', providerId: 'e', status: 'completed', failed: 2 }),
      },
      {
        a: good,
        c: run({
          runId: 'r4',
          providerId: 'c',
          status: 'completed',
          downloaded: 1,
          bytes: 5,
          destination: '/b/c',
        }),
      },
      {
        a: status('a', { lastGoodBackupAt: '2026-01-02T00:00:00.000Z' }),
        c: status('c', { overdue: true }),
      },
    )
    expect(glance.kept).toEqual({ files: 11, bytes: 1005, providers: 2 })
    expect(
      glance.providers.map((p) => [
        p.providerId,
        p.attention?.kind ?? null,
        p.attention?.text ?? null,
      ]),
    ).toEqual([
      ['a', null, null],
      ['b', 'failing', 'Failing: HTTP 404 at line 6'],
      ['c', 'sign-in', 'Sign-in needed'],
      ['d', 'never-run', 'Never run'],
      ['e', 'failing', '2 files failed in the last run'],
    ])
    expect(glance.needAttention).toBe(4)
    expect(glance.providers[0]).toMatchObject({
      lastGoodBackupAt: '2026-01-02T00:00:00.000Z',
      kept: { files: 10, bytes: 1000 },
    })
  })

  it('does not count a running provider as failing or never run', () => {
    const going = run({ runId: 'r1', providerId: 'a', status: 'running' })
    const glance = backupsAtAGlance([provider('a')], {}, {}, {}, { a: [going] })
    expect(glance.providers[0]).toMatchObject({ running: true, attention: null })
    expect(glance.needAttention).toBe(0)
  })
})
