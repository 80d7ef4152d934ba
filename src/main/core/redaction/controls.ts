// Text from servers and providers reaches terminals and the log: control characters in it
// (ESC sequences that retitle the window or clear the screen, BEL, C1 controls, bidi overrides
// that reorder what is shown) are written as \uXXXX escapes instead, which JSON reads back.

/* eslint-disable no-control-regex -- matching control characters is the point */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g
const CONTROLS_AND_LINES =
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g
/* eslint-enable no-control-regex */

function escape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`
}

/**
 * The text with its control characters escaped. Tabs stay; line feeds stay too unless
 * `keepLines` is false (a log entry is one line).
 */
export function escapeControls(text: string, keepLines = true): string {
  return text.replace(keepLines ? CONTROLS : CONTROLS_AND_LINES, escape)
}
