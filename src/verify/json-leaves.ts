import type { PathStep } from '../transformers/json-path.js'

/**
 * The string leaves of a parsed JSON document at `steps` (every string under
 * a matched object or array too), as the json transformer would rewrite them.
 * With no steps: every string leaf of the document.
 */
export function jsonLeaves(doc: unknown, steps: readonly PathStep[], out: string[] = []): string[] {
  visit(doc, steps, 0, out)
  return out
}

function visit(node: unknown, steps: readonly PathStep[], at: number, out: string[]): void {
  if (at === steps.length) {
    collect(node, out)
    return
  }
  const step = steps[at] as PathStep
  if (node === null || typeof node !== 'object') return
  const entries: [string | number, unknown][] = Array.isArray(node)
    ? node.map((v, i) => [i, v])
    : Object.entries(node)
  for (const [key, child] of entries) {
    if (step.select === null || step.select === key) visit(child, steps, at + 1, out)
    if (step.descend) visit(child, steps, at, out)
  }
}

function collect(node: unknown, out: string[]): void {
  if (typeof node === 'string') out.push(node)
  else if (node !== null && typeof node === 'object') {
    for (const child of Object.values(node)) collect(child, out)
  }
}
