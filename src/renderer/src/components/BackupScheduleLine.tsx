import type { BackupStatus } from '../../../shared/api'
import { formatFullTime, formatNextRun, formatRelativeTime } from '../../../shared/format'
import { describeSchedule } from '../../../shared/schedule'
import { useSkwirl } from '../store/context'
import { schedulesSelectors } from '../store/schedules/selectors'
import { useNow } from '../use-now'

/**
 * A card's foot: its schedule and next run (a button that opens the schedule editor), and its
 * last good backup, flagged when it is older than twice the schedule's interval.
 */
export function BackupScheduleLine({
  providerId,
  providerName,
}: {
  providerId: string
  providerName: string
}) {
  const status = useSkwirl(schedulesSelectors.statusOf(providerId))
  const openScheduleEditor = useSkwirl((s) => s.openScheduleEditor)
  const now = useNow(30_000)
  const scheduled = status !== null && status.schedule.kind !== 'off'
  const next = scheduled && status.nextRunAt ? nextRunText(status.nextRunAt, now) : null
  return (
    <div className="backup-line">
      <div className="backup-line__row">
        <button
          type="button"
          className={
            scheduled ? 'backup-line__schedule' : 'backup-line__schedule backup-line__schedule--off'
          }
          title="Change the schedule"
          onClick={() => openScheduleEditor(providerId)}
        >
          <ClockIcon />
          {/* The name holds the visible words (WCAG 2.5.3, checked by axe), led by the provider. */}
          <span className="visually-hidden">Schedule of {providerName}: </span>
          <span>{scheduled ? describeSchedule(status.schedule) : 'Not scheduled · Schedule…'}</span>
        </button>
        {next && status?.nextRunAt ? (
          <time
            className="backup-line__next"
            dateTime={status.nextRunAt}
            title={formatFullTime(status.nextRunAt)}
          >
            {next}
          </time>
        ) : null}
      </div>
      <LastGoodBackup status={status} now={now} />
    </div>
  )
}

function nextRunText(iso: string, now: number): string {
  const when = formatNextRun(iso, now)
  return when === 'due now' ? 'Due now' : `Next ${when}`
}

function LastGoodBackup({ status, now }: { status: BackupStatus | null; now: number }) {
  if (!status) return null
  const at = status.lastGoodBackupAt
  if (!at && !status.overdue) {
    return <p className="backup-line__good backup-line__good--none">No complete backup yet</p>
  }
  return (
    <p
      className={
        status.overdue ? 'backup-line__good backup-line__good--overdue' : 'backup-line__good'
      }
      title={
        status.overdue
          ? 'Overdue: older than twice the time between scheduled runs'
          : 'The last run that completed with no failed file'
      }
    >
      {status.overdue ? <WarningIcon /> : <CheckIcon />}
      <span>
        {at ? (
          <>
            Last good backup{' '}
            <time dateTime={at} title={formatFullTime(at)}>
              {formatRelativeTime(at, now)}
            </time>
          </>
        ) : (
          'No complete backup yet'
        )}
        {status.overdue ? ' · overdue' : ''}
      </span>
    </p>
  )
}

function ClockIcon() {
  return (
    <svg className="backup-line__icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <circle cx="8" cy="8" r="5.75" />
      <path d="M8 4.75V8l2.25 1.5" />
    </svg>
  )
}

function CheckIcon() {
  return (
    <svg className="backup-line__icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d="M3.5 8.5l3 3 6-7" />
    </svg>
  )
}

function WarningIcon() {
  return (
    <svg className="backup-line__icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d="M8 2.5l6 11H2z" />
      <path d="M8 6.5v3.2M8 11.6v.1" />
    </svg>
  )
}
