import type { Jobs } from '../jobs/jobs.js'
import { scheduleBusyPostText, scheduleEndPostText } from './views/audit-post.js'

/**
 * One scheduled run: start it (or learn who holds the job), and tell the audit
 * channel how it ended, in words. Resolves when the run has ended.
 */
export async function postScheduledRun(jobs: Jobs, post: (text: string) => void): Promise<void> {
  const start = await jobs.start('schedule')
  if (!start.started) {
    post(scheduleBusyPostText(start.running))
    return
  }
  post('Scheduled snapshot started.')
  post(scheduleEndPostText(await start.done))
}
