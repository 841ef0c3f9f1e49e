import type { Problem } from './check-rules.js'

/** Problems as lines a person can act on: where, what, and the fix. */
export function formatProblems(problems: readonly Problem[]): string {
  return problems
    .map((p) => `  ${p.subject} ${p.message}${p.location ? `\n      (${p.location})` : ''}`)
    .join('\n')
}
