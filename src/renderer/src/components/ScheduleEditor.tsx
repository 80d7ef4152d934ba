import { useId, useRef, useState } from 'react'
import { formatNextRun } from '../../../shared/format'
import {
  describeSchedule,
  nextRunAfter,
  normalizeTime,
  SCHEDULE_HOURS_MAX,
  SCHEDULE_OFF,
  scheduleProblem,
  WEEKDAYS,
  type Schedule,
  type ScheduleKind,
  type Weekday,
} from '../../../shared/schedule'
import { useSkwirl } from '../store/context'
import { schedulesSelectors } from '../store/schedules/selectors'
import { useNow } from '../use-now'
import { ConfirmDialog } from './ConfirmDialog'

/** A provider's schedule, edited in a dialog opened from its card. */
export function ScheduleEditor() {
  const providerId = useSkwirl(schedulesSelectors.editorFor)
  const provider = useSkwirl((s) => s.providers.find((p) => p.id === providerId) ?? null)
  const status = useSkwirl(schedulesSelectors.statusOf(providerId ?? ''))
  const closeScheduleEditor = useSkwirl((s) => s.closeScheduleEditor)
  const open = providerId !== null && provider !== null
  return (
    <ConfirmDialog
      open={open}
      title={`Schedule backups of ${provider?.name ?? ''}`}
      onCancel={closeScheduleEditor}
      actions={null}
    >
      {open ? (
        // A fresh form each time it opens, starting from the schedule main has.
        <ScheduleForm
          key={providerId}
          providerId={providerId}
          initial={status?.schedule ?? SCHEDULE_OFF}
        />
      ) : null}
    </ConfirmDialog>
  )
}

interface Draft {
  kind: ScheduleKind
  hours: string
  time: string
  weekday: Weekday
}

function draftOf(schedule: Schedule): Draft {
  return {
    kind: schedule.kind,
    hours: schedule.kind === 'interval' ? String(schedule.hours) : '6',
    time: schedule.kind === 'daily' || schedule.kind === 'weekly' ? schedule.time : '02:30',
    weekday: schedule.kind === 'weekly' ? schedule.weekday : 0,
  }
}

/** The schedule a draft says, or the reason it says none. */
function scheduleOf(draft: Draft): { schedule: Schedule } | { problem: string } {
  let schedule: Schedule
  const time = normalizeTime(draft.time) ?? draft.time
  switch (draft.kind) {
    case 'off':
      schedule = SCHEDULE_OFF
      break
    case 'interval':
      if (!/^\d+$/.test(draft.hours.trim()))
        return { problem: `Enter a whole number of hours from 1 to ${SCHEDULE_HOURS_MAX}.` }
      schedule = { kind: 'interval', hours: Number(draft.hours) }
      break
    case 'daily':
      schedule = { kind: 'daily', time }
      break
    case 'weekly':
      schedule = { kind: 'weekly', weekday: draft.weekday, time }
      break
  }
  const problem = scheduleProblem(schedule)
  return problem ? { problem } : { schedule }
}

const KINDS: Array<{ kind: ScheduleKind; label: string }> = [
  { kind: 'off', label: 'Off' },
  { kind: 'interval', label: 'Hourly' },
  { kind: 'daily', label: 'Daily' },
  { kind: 'weekly', label: 'Weekly' },
]

function dayLabel(weekday: Weekday): string {
  const name = WEEKDAYS[weekday]
  return name.charAt(0).toUpperCase() + name.slice(1)
}

function ScheduleForm({ providerId, initial }: { providerId: string; initial: Schedule }) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(initial))
  const timeZone = useSkwirl(schedulesSelectors.timeZone)
  const hourMs = useSkwirl(schedulesSelectors.hourMs)
  const saving = useSkwirl(schedulesSelectors.saving)
  const error = useSkwirl(schedulesSelectors.error)
  const saveSchedule = useSkwirl((s) => s.saveSchedule)
  const closeScheduleEditor = useSkwirl((s) => s.closeScheduleEditor)
  const now = useNow(30_000)
  const firstKindRef = useRef<HTMLInputElement>(null)
  const ids = { hours: useId(), time: useId(), weekday: useId(), hint: useId() }
  const result = scheduleOf(draft)
  const change = (changes: Partial<Draft>) => setDraft((d) => ({ ...d, ...changes }))
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone
  const zone = timeZone ?? browserZone

  const preview =
    'problem' in result
      ? null
      : result.schedule.kind === 'off'
        ? 'Runs only when you press Execute.'
        : `${describeSchedule(result.schedule)}. First run ${formatNextRun(
            new Date(
              nextRunAfter(result.schedule, now, { timeZone: zone, hourMs }) as number,
            ).toISOString(),
            now,
          )}.`

  return (
    <form
      className="schedule-form"
      onSubmit={(event) => {
        event.preventDefault()
        if ('schedule' in result) void saveSchedule(providerId, result.schedule)
      }}
    >
      <fieldset className="schedule-form__kinds">
        <legend className="visually-hidden">How often</legend>
        {KINDS.map(({ kind, label }, index) => (
          <label
            key={kind}
            className="schedule-form__kind"
            data-checked={draft.kind === kind ? 'true' : undefined}
          >
            <input
              ref={index === 0 ? firstKindRef : undefined}
              type="radio"
              name="schedule-kind"
              value={kind}
              checked={draft.kind === kind}
              onChange={() => change({ kind })}
            />
            {label}
          </label>
        ))}
      </fieldset>

      {draft.kind === 'interval' ? (
        <div className="schedule-form__fields">
          <label htmlFor={ids.hours}>Every</label>
          <input
            id={ids.hours}
            aria-label="Hours between runs"
            className="schedule-form__input schedule-form__input--hours"
            type="number"
            inputMode="numeric"
            min={1}
            max={SCHEDULE_HOURS_MAX}
            step={1}
            value={draft.hours}
            aria-invalid={'problem' in result ? 'true' : undefined}
            aria-describedby={ids.hint}
            onChange={(event) => change({ hours: event.target.value })}
          />
          <span>hours</span>
        </div>
      ) : null}
      {draft.kind === 'weekly' ? (
        <div className="schedule-form__fields">
          <label htmlFor={ids.weekday}>On</label>
          <select
            id={ids.weekday}
            className="schedule-form__input"
            value={draft.weekday}
            onChange={(event) => change({ weekday: Number(event.target.value) as Weekday })}
          >
            {WEEKDAYS.map((_, day) => (
              <option key={day} value={day}>
                {dayLabel(day as Weekday)}
              </option>
            ))}
          </select>
          <label htmlFor={ids.time}>at</label>
          <TimeInput id={ids.time} value={draft.time} onChange={(time) => change({ time })} />
        </div>
      ) : null}
      {draft.kind === 'daily' ? (
        <div className="schedule-form__fields">
          <label htmlFor={ids.time}>At</label>
          <TimeInput id={ids.time} value={draft.time} onChange={(time) => change({ time })} />
        </div>
      ) : null}

      <p
        id={ids.hint}
        className={
          'problem' in result
            ? 'schedule-form__preview schedule-form__preview--problem'
            : 'schedule-form__preview'
        }
        role="status"
      >
        {'problem' in result ? result.problem : preview}
      </p>
      {draft.kind === 'daily' || draft.kind === 'weekly' ? (
        zone !== browserZone ? (
          <p className="schedule-form__note">
            Times are in {zone}, where Skwirl runs; the times shown are this computer’s.
          </p>
        ) : null
      ) : null}
      {draft.kind !== 'off' ? (
        <p className="schedule-form__note">
          Scheduled backups run while Skwirl is open or in the tray (or <code>skwirl serve</code>{' '}
          runs). One missed while Skwirl was closed runs once when it starts again.
        </p>
      ) : null}
      {error ? (
        <p className="schedule-form__error" role="alert">
          Couldn’t save the schedule: {error}
        </p>
      ) : null}
      <div className="confirm-dialog__actions">
        <button type="button" className="button" onClick={closeScheduleEditor}>
          Cancel
        </button>
        <button
          type="submit"
          className="button button--primary"
          disabled={saving || 'problem' in result}
        >
          {saving ? 'Saving…' : 'Save schedule'}
        </button>
      </div>
    </form>
  )
}

function TimeInput({
  id,
  value,
  onChange,
}: {
  id: string
  value: string
  onChange(value: string): void
}) {
  return (
    <input
      id={id}
      className="schedule-form__input"
      type="time"
      required
      value={value}
      onChange={(event) => onChange(event.target.value)}
    />
  )
}
