// Why a run failed, as a category the screen may show: where it stopped and one line such as
// "HTTP 404 at line 12" or "Network unreachable". Read from the message that ended the run; the
// message itself stays in the log.
import type { RunFailure } from '../../shared/api'
import type { Stage } from '../../shared/runner-protocol'

/** Where the run stopped, and the message that stopped it (already redacted). */
export function classifyFailure(stage: Stage, message: string, providerName: string): RunFailure {
  const line = providerLine(message, providerName)
  const at = line === null ? '' : ` at line ${line}`
  const problem = (kind: RunFailure['kind'], summary: string, status: number | null = null) => ({
    stage,
    kind,
    summary,
    line,
    status,
  })
  const limit = LIMITS.find(([pattern]) => pattern.test(message))
  if (limit) return problem('limit', `Limit hit: ${limit[1]}`)
  const http = /\bHTTP (\d{3})\b/.exec(message)
  if (http) {
    const status = Number(http[1])
    return status === 401 || /invalid_grant|invalid_token|unauthenticated/i.test(message)
      ? problem('sign-in', `Sign-in needed (HTTP ${status})`, status)
      : problem('http', `HTTP ${status}${at}`, status)
  }
  if (/invalid_grant|invalid_token/i.test(message)) return problem('sign-in', 'Sign-in needed')
  if (NETWORK.test(message)) return problem('network', `Network unreachable${at}`)
  if (/^runner error:|the runner process ended unexpectedly/.test(message)) {
    return problem('runner', 'The runner crashed')
  }
  const missing = /the provider does not define ([\w(), ]+?); a provider defines/.exec(message)
  if (missing) return problem('lua', `Not defined: ${missing[1]}`)
  return problem('lua', line === null ? 'Lua error' : `Lua error at line ${line}`)
}

/** The limits of docs/providers.md, by the words of the errors that report them. */
const LIMITS: Array<[RegExp, string]> = [
  [/ran for more than ([\d.]+ s) of CPU/, 'CPU time'],
  [/went over its memory limit/, 'memory'],
  [/neither called the host nor reported/, 'stuck in a builtin'],
  [/: no data for [\d.]+ m?s/, 'no answer from the server in time'],
  [/the response is larger than/, 'response too big'],
  [/skwirl\.storage\.\w+: .*(?:at most|may hold)/, 'storage'],
  [/nested more than \d+ levels/, 'JSON nesting'],
]

const NETWORK =
  /\bfailed: (?:fetch failed|.*\b(?:ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|UND_ERR_\w+|getaddrinfo|other side closed|socket hang up))|the download broke after/

/** The line of the provider's code the message names ("Dropbox:42: …"), or null. */
export function providerLine(message: string, providerName: string): number | null {
  const escaped = providerName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const match = new RegExp(`(?:^|\\s)${escaped}:(\\d+):`).exec(message)
  return match ? Number(match[1]) : null
}
