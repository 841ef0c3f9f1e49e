import { readFileSync } from 'node:fs'
import { isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml'
import { AppError, type ErrorCode } from '../errors.js'

/** A parsed YAML file that can point at the line of any value in it. */
export interface YamlFile {
  path: string
  /** The document with `${NAME}` references replaced from the environment. */
  value: unknown
  /** The document as written, before replacing references. */
  raw: unknown
  /** `file:line:col` of the value (or the key) at `path`, or just the file when it is not there. */
  locate(path: readonly PropertyKey[], what?: 'value' | 'key'): string
}

/**
 * Read and parse a YAML file. `${NAME}` in any string value is replaced by the
 * environment variable NAME; an unset variable is an error naming it, so a
 * missing secret never turns into an empty string.
 */
export function readYamlFile(
  path: string,
  env: NodeJS.ProcessEnv,
  code: ErrorCode = 'config_invalid',
): YamlFile {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new AppError(
      code,
      `Cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? err}.`,
      {
        cause: err,
      },
    )
  }
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true })
  if (doc.errors.length > 0) {
    const first = doc.errors[0]
    const pos = first?.linePos?.[0]
    const where = pos ? `${path}:${pos.line}:${pos.col}` : path
    throw new AppError(code, `${where}: not valid YAML: ${first?.message.split('\n')[0]}`)
  }
  const locate = (keys: readonly PropertyKey[], what: 'value' | 'key' = 'value'): string => {
    let node: unknown = doc.getIn(keys.map(String), true)
    if (what === 'key') {
      const parent = doc.getIn(keys.slice(0, -1).map(String), true)
      const last = String(keys[keys.length - 1])
      const pair = isMap(parent)
        ? parent.items.find((p) => isScalar(p.key) && String(p.key.value) === last)
        : undefined
      node = pair?.key ?? node
    }
    if (isNode(node) && node.range) {
      const pos = lineCounter.linePos(node.range[0])
      return `${path}:${pos.line}:${pos.col}`
    }
    return path
  }
  const raw: unknown = doc.toJS()
  const missing: string[] = []
  const value = expandEnv(raw, env, missing)
  if (missing.length > 0) {
    throw new AppError(
      'missing_secret',
      `${path} uses ${missing.map((m) => `\${${m}}`).join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not set in the environment. Export ${missing.join(', ')} or remove the reference.`,
    )
  }
  return { path, value, raw, locate }
}

function expandEnv(value: unknown, env: NodeJS.ProcessEnv, missing: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const v = env[name]
      if (v === undefined || v === '') {
        if (!missing.includes(name)) missing.push(name)
        return ''
      }
      return v
    })
  }
  if (Array.isArray(value)) return value.map((v) => expandEnv(v, env, missing))
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, expandEnv(v, env, missing)]),
    )
  }
  return value
}
