// Small icons more than one component draws.

export function StopIcon() {
  return (
    <svg className="button__icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <rect x="4" y="4" width="8" height="8" rx="1.5" />
    </svg>
  )
}
