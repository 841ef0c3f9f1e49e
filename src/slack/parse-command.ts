/** What `/dump` was asked to do. Anything else is `help`, with what was not understood. */
export type DumpCommand =
  | { kind: 'help'; unknown: string | null }
  | { kind: 'latest' }
  | { kind: 'refresh' }
  | { kind: 'status' }

const verbs = new Set(['latest', 'refresh', 'status'] as const)
type Verb = 'latest' | 'refresh' | 'status'

/**
 * Strict parsing of the text after `/dump`: one word, case-insensitive, nothing after it.
 * `/dump latest please` is not `latest`: a typo or extra word gets the help text, never a guess.
 */
export function parseCommand(text: string | undefined): DumpCommand {
  const words = (text ?? '').trim().split(/\s+/).filter(Boolean)
  if (words.length === 0) return { kind: 'help', unknown: null }
  const [word] = words
  const verb = word?.toLowerCase() ?? ''
  if (words.length === 1 && verb === 'help') return { kind: 'help', unknown: null }
  if (words.length === 1 && isVerb(verb)) return { kind: verb }
  return { kind: 'help', unknown: words.join(' ').slice(0, 80) }
}

function isVerb(word: string): word is Verb {
  return verbs.has(word as Verb)
}
