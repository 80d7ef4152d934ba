// `npm test`: build, then every suite (Vitest's main and renderer projects, Playwright's e2e),
// then one closing line with the totals. Exits non-zero when anything failed.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const reports = join(root, 'artifacts', 'test-reports')
rmSync(reports, { recursive: true, force: true })
mkdirSync(reports, { recursive: true })
const vitestJson = join(reports, 'vitest.json')
const playwrightJson = join(reports, 'playwright.json')

function run(label, script, args, env = {}) {
  console.log(`\n== ${label}`)
  const started = Date.now()
  const result = spawnSync(process.execPath, [script, ...args], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  })
  console.log(
    `== ${label}: exit ${result.status} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  )
  return result.status ?? 1
}

const bin = (pkg, path) => join(dirname(require.resolve(`${pkg}/package.json`)), path)

const buildStatus = run('build', bin('electron-vite', 'bin/electron-vite.js'), ['build'])
if (buildStatus !== 0) process.exit(buildStatus)
const vitestStatus = run('vitest (main + renderer)', bin('vitest', 'vitest.mjs'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${vitestJson}`,
])
const playwrightStatus = run('playwright (e2e)', bin('@playwright/test', 'cli.js'), ['test'], {
  PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson,
})

const totals = { passed: 0, failed: 0, skipped: 0 }
const lines = []
try {
  const vitest = JSON.parse(readFileSync(vitestJson, 'utf8'))
  const byProject = {}
  for (const file of vitest.testResults) {
    const project = file.name.includes('/src/renderer/') ? 'renderer' : 'main'
    const counts = (byProject[project] ??= { passed: 0, failed: 0, skipped: 0 })
    for (const a of file.assertionResults) {
      if (a.status === 'passed') counts.passed++
      else if (a.status === 'failed') counts.failed++
      else counts.skipped++
    }
    if (file.status === 'failed' && file.assertionResults.length === 0) counts.failed++
  }
  for (const [project, c] of Object.entries(byProject)) {
    lines.push(`vitest ${project}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`)
    totals.passed += c.passed
    totals.failed += c.failed
    totals.skipped += c.skipped
  }
} catch {
  lines.push('vitest: no report (it did not run to the end)')
  totals.failed++
}
try {
  const playwright = JSON.parse(readFileSync(playwrightJson, 'utf8'))
  const s = playwright.stats
  const failed = s.unexpected + s.flaky
  lines.push(`playwright e2e: ${s.expected} passed, ${failed} failed, ${s.skipped} skipped`)
  totals.passed += s.expected
  totals.failed += failed
  totals.skipped += s.skipped
} catch {
  lines.push('playwright: no report (it did not run to the end)')
  totals.failed++
}
console.log(`\n${lines.join('\n')}`)
console.log(`Tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`)
process.exit(vitestStatus !== 0 || playwrightStatus !== 0 || totals.failed > 0 ? 1 : 0)
