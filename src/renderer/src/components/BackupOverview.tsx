import { useEffect, useId, useMemo, useRef, useState } from 'react'
import { formatBytes, formatFullTime, formatRelativeTime } from '../../../shared/format'
import { useSkwirl } from '../store/context'
import { useNow } from '../use-now'
import { backupsAtAGlance, type ProviderGlance } from './backup-overview'

/**
 * The header's overview: the total kept across providers and how many need attention; its
 * button opens each provider's last good backup, what it keeps and what it needs.
 */
export function BackupOverview() {
  const providers = useSkwirl((s) => s.providers)
  const latestRuns = useSkwirl((s) => s.latestRuns)
  const lastBackups = useSkwirl((s) => s.lastBackups)
  const backupStatus = useSkwirl((s) => s.backupStatus)
  const runningRuns = useSkwirl((s) => s.runningRuns)
  const glance = useMemo(
    () => backupsAtAGlance(providers, latestRuns, lastBackups, backupStatus, runningRuns),
    [providers, latestRuns, lastBackups, backupStatus, runningRuns],
  )
  const [open, setOpen] = useState(false)
  const panelId = useId()
  const rootRef = useRef<HTMLElement>(null)
  const buttonRef = useRef<HTMLButtonElement>(null)

  // Escape or a click elsewhere closes the panel.
  useEffect(() => {
    if (!open) return
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return
      event.preventDefault()
      setOpen(false)
      buttonRef.current?.focus()
    }
    const onPointer = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false)
    }
    window.addEventListener('keydown', onKey)
    window.addEventListener('pointerdown', onPointer)
    return () => {
      window.removeEventListener('keydown', onKey)
      window.removeEventListener('pointerdown', onPointer)
    }
  }, [open])

  if (glance.providers.length === 0) return null
  const { kept, needAttention } = glance
  const tone = needAttention > 0 ? 'warn' : 'ok'
  return (
    <section ref={rootRef} className="overview" aria-label="All backups">
      <p className="overview__kept">
        {kept.providers > 0 ? (
          <>
            <strong className="overview__figure">{formatBytes(kept.bytes)}</strong> kept ·{' '}
            {kept.files.toLocaleString('en-US')} file{kept.files === 1 ? '' : 's'}
          </>
        ) : (
          <>Nothing kept yet</>
        )}
      </p>
      <button
        ref={buttonRef}
        type="button"
        className="overview__button"
        data-tone={tone}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((was) => !was)}
      >
        <span className="overview__dot" aria-hidden="true" />
        {needAttention > 0
          ? `${needAttention} need${needAttention === 1 ? 's' : ''} attention`
          : 'All backups fine'}
        <svg className="overview__chevron" viewBox="0 0 12 12" aria-hidden="true">
          <path d="M3 4.5 6 7.5 9 4.5" />
        </svg>
      </button>
      {open ? (
        <div id={panelId} className="overview__panel" role="region" aria-label="Each provider">
          <ul className="overview__list">
            {glance.providers.map((provider) => (
              <GlanceRow
                key={provider.providerId}
                glance={provider}
                onShow={() => {
                  setOpen(false)
                  showCard(provider.providerId)
                }}
              />
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  )
}

function GlanceRow({ glance, onShow }: { glance: ProviderGlance; onShow: () => void }) {
  const now = useNow(30_000)
  return (
    <li className="overview__row" data-attention={glance.attention?.kind ?? 'none'}>
      <button type="button" className="overview__name" onClick={onShow} title="Show its card">
        {glance.name}
      </button>
      <span className="overview__good">
        {glance.lastGoodBackupAt ? (
          <>
            Last good backup{' '}
            <time
              dateTime={glance.lastGoodBackupAt}
              title={formatFullTime(glance.lastGoodBackupAt)}
            >
              {formatRelativeTime(glance.lastGoodBackupAt, now)}
            </time>
          </>
        ) : (
          'No good backup yet'
        )}
        {glance.kept ? ` · ${formatBytes(glance.kept.bytes)} kept` : ''}
      </span>
      <span className="overview__state">
        {glance.attention ? glance.attention.text : glance.running ? 'Running' : 'Fine'}
      </span>
    </li>
  )
}

/** Scrolls to a provider's card and puts the focus on its name. */
function showCard(providerId: string): void {
  const name = document.querySelector<HTMLElement>(
    `[data-provider-id="${CSS.escape(providerId)}"] .provider-card__name`,
  )
  name?.scrollIntoView({ block: 'nearest', behavior: 'smooth' })
  name?.focus()
}
