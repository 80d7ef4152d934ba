import { cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { TestReport } from '../../../shared/api'
import type { EditorTest } from '../store/editor/initialState'
import { TestConsole } from './TestConsole'

afterEach(cleanup)

const REPORT: TestReport = {
  providerName: 'Acme',
  status: 'failed',
  failure: { stage: 'list', kind: 'http', summary: 'HTTP 404 at line 6', line: 6, status: 404 },
  limit: 20,
  durationMs: 1234,
  entries: [
    {
      kind: 'output',
      atMs: 5,
      source: 'print',
      level: 'info',
      text: 'hi',
      stage: 'list',
      fileId: null,
      line: null,
    },
    {
      kind: 'call',
      atMs: 10,
      method: 'GET',
      target: 'https://api.example.com/files?token=[redacted]',
      statuses: [302, 404],
      ms: 40,
      bytes: null,
      error: null,
      stage: 'list',
      fileId: null,
    },
    {
      kind: 'error',
      atMs: 60,
      stage: 'list',
      fileId: null,
      message: 'Acme:6: in list_file_ids: HTTP 404: gone',
      line: 6,
    },
  ],
  omitted: 3,
}

function show(test: Partial<EditorTest>, codeChanged = false) {
  const onGoToLine = vi.fn()
  const onRunAgain = vi.fn()
  render(
    <TestConsole
      test={{ seq: 1, status: 'done', report: REPORT, error: null, codeTested: '', ...test }}
      codeChanged={codeChanged}
      onGoToLine={onGoToLine}
      onRunAgain={onRunAgain}
      onClose={() => undefined}
    />,
  )
  return { onGoToLine, onRunAgain }
}

describe('the test console', () => {
  it('says how the test ended, shows each line, and a line link moves the cursor there', () => {
    const { onGoToLine } = show({}, true)
    const console = screen.getByRole('region', { name: 'Test console' })
    expect(within(console).getByRole('status').textContent).toBe(
      'Failed while listing: HTTP 404 at line 6 after 1.2 s · the code has changed since',
    )
    const log = within(console).getByRole('log', { name: 'Test output' })
    expect(log.textContent).toContain('0.01sprinthi')
    expect(log.textContent).toContain(
      'GEThttps://api.example.com/files?token=[redacted]302 → 40440 ms',
    )
    expect(log.textContent).toContain('3 more line(s) left out')
    fireEvent.click(within(log).getByRole('button', { name: 'line 6' }))
    expect(onGoToLine).toHaveBeenCalledWith(6)
  })

  it('while running: Test again is off; an error from main is said', () => {
    show({ status: 'running', report: null })
    expect(screen.getByRole('button', { name: 'Test again' })).toHaveProperty('disabled', true)
    expect(screen.getByRole('status').textContent).toMatch(/^ ?Testing: listing up to 20 ids/)
    cleanup()
    const { onRunAgain } = show({
      status: 'error',
      report: null,
      error: 'Skwirl is not reachable.',
    })
    expect(screen.getByRole('log').textContent).toBe(
      'The test could not run: Skwirl is not reachable.',
    )
    fireEvent.click(screen.getByRole('button', { name: 'Test again' }))
    expect(onRunAgain).toHaveBeenCalledOnce()
  })
})
