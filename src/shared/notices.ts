// What a notification about a scheduled run says: the same words on the desktop (a system
// notification) and in browser mode (in the page). States and counts, never error messages.
import type { RunNotice } from './api'
import { formatFiles } from './format'

export function noticeText(notice: RunNotice): { title: string; body: string } {
  switch (notice.kind) {
    case 'failed':
      return {
        title: `Backup failed: ${notice.providerName}`,
        body: 'The scheduled backup did not complete. Its history and the log say why.',
      }
    case 'completed-with-failures':
      return {
        title: `${notice.providerName}: ${formatFiles(notice.failed)} not backed up`,
        body: `The scheduled backup completed, but ${formatFiles(notice.failed)} failed. Its history shows which.`,
      }
    case 'sign-in':
      return {
        title: `${notice.providerName} needs you to sign in`,
        body: 'Scheduled backups of it cannot run until you sign in again.',
      }
  }
}
