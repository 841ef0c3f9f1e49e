/** One step of a JSON path. */
export interface PathStep {
  /** `..`: the selector may match at any depth below the previous step, not just one level. */
  descend: boolean
  /** An object key, an array index, or null for `*` (any member or element). */
  select: string | number | null
}

const syntax =
  `Supported: $, .key, ['key'], ["key"], [n], [*], .*, ..key ` +
  `(for example $.customer.email, $.contacts[*].email, $..email).`
const namePattern = /[^.[\]\s'"*]+/y
const indexPattern = /\d+/y
/** Steps are numbered in a byte by the rewriter. */
const maxSteps = 255

/** Parse a JSONPath-like expression; throws an Error naming the path and the accepted syntax. */
export function parseJsonPath(path: string): PathStep[] {
  const fail = (at: number, problem: string) =>
    new Error(`invalid JSON path "${path}": ${problem} at character ${at + 1}. ${syntax}`)
  if (path[0] !== '$') throw fail(0, 'expected $')
  const steps: PathStep[] = []
  let i = 1
  const bracket = (descend: boolean) => {
    const start = i
    i++ // '['
    let select: string | number | null
    const c = path[i]
    if (c === '*') {
      select = null
      i++
    } else if (c === "'" || c === '"') {
      let key = ''
      for (i++; i < path.length && path[i] !== c; i++) {
        if (path[i] === '\\') i++
        key += path[i] ?? ''
      }
      if (i >= path.length) throw fail(start, 'unterminated quoted key')
      select = key
      i++
    } else {
      indexPattern.lastIndex = i
      const m = indexPattern.exec(path)
      if (!m) throw fail(i, "expected 'key', n or * inside [ ]")
      select = Number(m[0])
      i += m[0].length
    }
    if (path[i] !== ']') throw fail(i, 'expected ]')
    i++
    steps.push({ descend, select })
  }
  while (i < path.length) {
    if (path[i] === '[') {
      bracket(false)
    } else if (path[i] === '.') {
      const descend = path[i + 1] === '.'
      i += descend ? 2 : 1
      if (descend && path[i] === '[') {
        bracket(true)
      } else if (path[i] === '*') {
        steps.push({ descend, select: null })
        i++
      } else {
        namePattern.lastIndex = i
        const m = namePattern.exec(path)
        if (!m) throw fail(i, 'expected a key name')
        steps.push({ descend, select: m[0] })
        i += m[0].length
      }
    } else {
      throw fail(i, `unexpected "${path[i]}"`)
    }
  }
  if (steps.length > maxSteps) throw fail(0, `more than ${maxSteps} steps`)
  return steps
}
