// The state of all backups at a glance (the page's header): what is kept across providers, each
// provider's last good backup, and what needs the person (a sign-in, a failing run, never run,
// overdue), read from what the page already holds.
import type { BackupStatus, ProviderListItem, RunState } from '../../../shared/api'

export type AttentionKind = 'sign-in' | 'failing' | 'never-run' | 'overdue'

export interface ProviderGlance {
  providerId: string
  name: string
  /** When its newest run with no failed file finished; null: none yet. */
  lastGoodBackupAt: string | null
  /** What its newest backup into a destination holds; null: nothing kept (check only, or none). */
  kept: { files: number; bytes: number } | null
  running: boolean
  /** Why it needs the person, most pressing first; null: it does not. */
  attention: { kind: AttentionKind; text: string } | null
}

export interface BackupsAtAGlance {
  /** Files and bytes the newest backups hold, across providers. */
  kept: { files: number; bytes: number; providers: number }
  providers: ProviderGlance[]
  needAttention: number
}

export function backupsAtAGlance(
  providers: readonly ProviderListItem[],
  latestRuns: Readonly<Record<string, RunState>>,
  lastBackups: Readonly<Record<string, RunState>>,
  backupStatus: Readonly<Record<string, BackupStatus>>,
  runningRuns: Readonly<Record<string, readonly RunState[]>> = {},
): BackupsAtAGlance {
  const kept = { files: 0, bytes: 0, providers: 0 }
  const glances = providers.map((provider): ProviderGlance => {
    const backup = lastBackups[provider.id] ?? null
    const latest = latestRuns[provider.id] ?? null
    const status = backupStatus[provider.id] ?? null
    const running = (runningRuns[provider.id]?.length ?? 0) > 0 || latest?.status === 'running'
    const held = backup
      ? { files: backup.downloaded + backup.unchanged, bytes: backup.bytes + backup.unchangedBytes }
      : null
    if (held) {
      kept.files += held.files
      kept.bytes += held.bytes
      kept.providers++
    }
    return {
      providerId: provider.id,
      name: provider.name,
      lastGoodBackupAt: status?.lastGoodBackupAt ?? null,
      kept: held,
      running,
      attention: attentionOf(provider, latest, status, running),
    }
  })
  return {
    kept,
    providers: glances,
    needAttention: glances.filter((glance) => glance.attention !== null).length,
  }
}

function attentionOf(
  provider: ProviderListItem,
  latest: RunState | null,
  status: BackupStatus | null,
  running: boolean,
): ProviderGlance['attention'] {
  if (provider.signIn === 'needed') return { kind: 'sign-in', text: 'Sign-in needed' }
  if (running) return null
  if (latest?.status === 'failed') {
    return { kind: 'failing', text: `Failing: ${latest.failure?.summary ?? 'the last run failed'}` }
  }
  if (latest?.status === 'completed' && latest.failed > 0) {
    return {
      kind: 'failing',
      text: `${latest.failed.toLocaleString('en-US')} file${latest.failed === 1 ? '' : 's'} failed in the last run`,
    }
  }
  if (latest === null) return { kind: 'never-run', text: 'Never run' }
  if (status?.overdue) return { kind: 'overdue', text: 'Overdue: no good backup for a while' }
  return null
}
