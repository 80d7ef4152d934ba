/** Read-only code with line numbers; long lines scroll sideways instead of wrapping. */
export function CodeView({ code, label }: { code: string; label: string }) {
  const lines = code.endsWith('\n') ? code.slice(0, -1).split('\n') : code.split('\n')
  return (
    // Focusable so the keyboard can scroll it.
    <div className="code-view" role="region" aria-label={label} tabIndex={0}>
      <div className="code-view__gutter" aria-hidden="true">
        {lines.map((_, index) => (
          <span key={index}>{index + 1}</span>
        ))}
      </div>
      <pre className="code-view__code">
        <code>{code}</code>
      </pre>
    </div>
  )
}
