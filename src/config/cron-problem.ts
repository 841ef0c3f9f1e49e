import { Cron } from 'croner'

/** Why croner cannot read `pattern`, or null when it can. Nothing is scheduled. */
export function cronProblem(pattern: string): string | null {
  try {
    new Cron(pattern, { paused: true }).stop()
    return null
  } catch (err) {
    return (err as Error).message
  }
}
