import type pg from 'pg'
import { quoteIdent } from '../db/sql-names.js'
import { AppError } from '../errors.js'
import { checkSessions } from './guards.js'
import { dropDatabase, endSessions, openSessions } from './target-server.js'

export interface SwapNames {
  target: string
  scratch: string
  previous: string
  targetExists: boolean
  forceDisconnect: boolean
}

/**
 * Put the loaded scratch database in the target's place: the old target
 * becomes `<target>__previous` (the older previous is dropped), both renames
 * in one transaction. Returns the previous database's name, or null.
 */
export async function swapDatabases(admin: pg.Client, names: SwapNames): Promise<string | null> {
  await scratchClosed(admin, names.scratch)
  if (!names.targetExists) {
    await admin.query(
      `ALTER DATABASE ${quoteIdent(names.scratch)} RENAME TO ${quoteIdent(names.target)}`,
    )
    return null
  }
  // Sessions may have opened while the dump loaded: the same rule applies.
  for (let attempt = 1; ; attempt++) {
    const sessions = await openSessions(admin, [names.target, names.previous])
    checkSessions(sessions, names.forceDisconnect)
    await endSessions(admin, sessions)
    try {
      await dropDatabase(admin, names.previous)
      await admin.query('BEGIN')
      await admin.query(
        `ALTER DATABASE ${quoteIdent(names.target)} RENAME TO ${quoteIdent(names.previous)}`,
      )
      await admin.query(
        `ALTER DATABASE ${quoteIdent(names.scratch)} RENAME TO ${quoteIdent(names.target)}`,
      )
      await admin.query('COMMIT')
      return names.previous
    } catch (err) {
      await admin.query('ROLLBACK').catch(() => {})
      // A session that connected between the check and the rename: look again.
      if ((err as { code?: string }).code === '55006' && attempt < 3) continue
      throw new AppError(
        'restore_failed',
        `Swapping the databases failed: ${(err as Error).message}`,
        {
          cause: err,
        },
      )
    }
  }
}

/** Our loading sessions have ended, but their server processes may take a moment to go. */
async function scratchClosed(admin: pg.Client, scratch: string): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    if ((await openSessions(admin, [scratch])).length === 0) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
