// The list reporter shows that a test was skipped but not why; this prints the reason.
import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter'

export default class SkipReasonReporter implements Reporter {
  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.status !== 'skipped') return
    const reasons = test.annotations.filter((a) => a.type === 'skip').map((a) => a.description)
    console.log(`  skipped: ${test.title} (${reasons.join('; ') || 'no reason given'})`)
  }

  printsToStdio(): boolean {
    return false
  }
}
