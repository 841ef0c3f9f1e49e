import { Cron } from 'croner'
import type { Logger } from '../logger.js'
import type { Jobs } from './jobs.js'

export interface Schedule {
  /** The next time it fires, or null when stopped. */
  nextRun(): Date | null
  stop(): void
}

export interface ScheduleOptions {
  /** `schedule.cron`, already checked by the config loader. */
  cron: string
  /** IANA zone the pattern is read in; croner handles daylight-saving changes. */
  timezone: string
  /** Start a snapshot; called once per tick. It must not throw. */
  fire: () => Promise<void>
  log: Logger
}

/**
 * Nightly snapshots inside `dumpling serve`. A tick while the previous one's
 * start is still in progress is skipped (croner's `protect`); whether a snapshot
 * is already running anywhere is the pipeline's lock to decide.
 */
export function createSchedule(options: ScheduleOptions): Schedule {
  const log = options.log.child({ module: 'schedule' })
  const cron = new Cron(
    options.cron,
    { timezone: options.timezone, protect: true, unref: true },
    async () => {
      log.info('scheduled snapshot starting')
      await options.fire().catch((err: unknown) => log.error({ err }, 'scheduled start failed'))
    },
  )
  log.info({ cron: options.cron, timezone: options.timezone, next: cron.nextRun() }, 'schedule set')
  return {
    nextRun: () => cron.nextRun(),
    stop: () => cron.stop(),
  }
}

/** The same jobs, whose status also tells the next scheduled run. */
export function withSchedule(jobs: Jobs, schedule: Schedule | null): Jobs {
  if (!schedule) return jobs
  return {
    start: (requester) => jobs.start(requester),
    status: async () => ({ ...(await jobs.status()), nextRun: schedule.nextRun() }),
    stop: async () => {
      schedule.stop()
      await jobs.stop()
    },
  }
}
