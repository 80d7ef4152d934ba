// Secrets never reach a log line: bearer tokens, Authorization headers and token-like query
// parameters are masked wherever they appear in text.
const PATTERNS: Array<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  // "token" is also a word in error messages ("refresh token is invalid"): mask only what looks
  // like a credential after it.
  [/\b(Token)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  [
    /\b(authorization|proxy-authorization|x-api-key|cookie)(["']?\s*[:=]\s*["']?)[^"',}\n]+/gi,
    '$1$2[redacted]',
  ],
  [
    /\b(access_token|refresh_token|id_token|token|key|api_key|apikey|client_secret|password|signature|sig)=([^&\s"']+)/gi,
    '$1=[redacted]',
  ],
]

export function redactSecrets(text: string, extraSecrets: Iterable<string> = []): string {
  let out = text
  for (const secret of extraSecrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]')
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement)
  return out
}
