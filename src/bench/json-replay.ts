import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { startCluster } from '../db/throwaway-cluster.js'
import { withPgClient } from '../db/with-pg-client.js'
import { createCompiler, type RuleSpec } from '../transformers/index.js'
import { parseJsonPath } from '../transformers/json-path.js'
import { createJsonRewriter } from '../transformers/json-rewrite.js'
import { benchRules } from './bench-rules.js'
import { generatorSql, insertSql, rowCounts, schemaSql } from './bench-schema.js'

/**
 * The JSON rewriter's own cost, measured on the bench's real `orders.shipping`
 * documents (jsonb's text output, made by the bench's own SQL) on one thread, by
 * CPU time, the minimum of several passes:
 *
 *   node dist/bench/json-replay.js [--docs N] [--passes N] [--file F] [--only total|keep|leaves]
 *
 * Prints µs per document for the bench's rule (`total`), for the same paths with
 * `keep` at every leaf (`keep`: the rewriter with each leaf's value cut out and written
 * back as a JSON string, no fakes), with a constant at every leaf (`const`: the
 * rewriter's own walk, key matching and output), and for the leaf transformers alone
 * on the same leaf values (`leaves`). `total − const` is what the leaves cost in place. `total` and `keep` include writing each document's result
 * as UTF-8 into a buffer, as the row rewriter does (about 0.3 µs of a 313-character
 * document written as one flat string). `--file` keeps the documents between runs (made once from
 * a throwaway cluster, then read back). `--cpu-prof` on node profiles a run.
 */
const { values: args } = parseArgs({
  options: {
    docs: { type: 'string', default: '100000' },
    passes: { type: 'string', default: '7' },
    file: { type: 'string' },
    only: { type: 'string' },
  },
})

const key = 'json-replay-key-0123456789abcdef0123456789abcdef'
const jsonColumn = { kind: 'json', type: 'jsonb', maxLength: null } as const
const textColumn = { kind: 'text', type: 'text', maxLength: null } as const
const shipping = benchRules.tables['public.orders'].columns.shipping

async function loadDocuments(count: number, file: string | undefined): Promise<string[]> {
  if (file && existsSync(file)) {
    const docs = (await readFile(file, 'utf8')).split('\n').filter((d) => d.length > 0)
    // Flat strings, as the row rewriter decodes each long field on its own.
    if (docs.length >= count) return docs.slice(0, count).map((d) => Buffer.from(d).toString())
  }
  const cluster = await startCluster({ log: (line) => process.stderr.write(`${line}\n`) })
  try {
    const docs = await withPgClient(cluster.adminUrl, async (c) => {
      await c.query(schemaSql + generatorSql)
      const counts = { ...rowCounts(1), orders: count }
      await c.query(insertSql('orders', counts), [1, count + 1])
      const result = await c.query<{ doc: string }>(
        'SELECT shipping::text AS doc FROM public.orders ORDER BY id',
      )
      return result.rows.map((r) => r.doc)
    })
    if (file) await writeFile(file, `${docs.join('\n')}\n`)
    return docs
  } finally {
    await cluster.stop()
  }
}

/**
 * Minimum CPU µs per item over the passes; `make` gives a fresh function (empty memos)
 * per pass. With `write`, each result is written as UTF-8 into a buffer, as the row
 * rewriter writes a row: how the result string was built shows in what that costs.
 */
function measure(
  items: string[],
  make: () => (item: string) => unknown,
  passes: number,
  write = false,
): number {
  let best = Number.POSITIVE_INFINITY
  let sink = 0
  const buf = Buffer.allocUnsafe(1 << 20)
  for (let p = 0; p < passes; p++) {
    const fn = make()
    let at = 0
    const before = process.cpuUsage()
    for (const item of items) {
      const out = fn(item)
      if (write && typeof out === 'string') {
        if (at > buf.length >> 1) at = 0
        at += buf.write(out, at, 'utf8')
      }
      sink += typeof out === 'string' ? out.length : 1
    }
    const used = process.cpuUsage(before)
    best = Math.min(best, (used.user + used.system) / items.length)
  }
  if (sink < 0) throw new Error('unreachable')
  return best
}

/**
 * Each string leaf the bench rule rewrites, by rule: the very strings the rewriter
 * hands its leaves (slices of the document), so the leaves alone are timed on what
 * they get in a snapshot.
 */
function collectLeaves(docs: string[]): Map<string, string[]> {
  const byRule = new Map<string, string[]>()
  const rules = Object.entries(shipping.paths).map(([path, spec]) => {
    const id = JSON.stringify(spec)
    const list = byRule.get(id) ?? []
    byRule.set(id, list)
    return {
      steps: parseJsonPath(path),
      leaf: {
        string: (value: string) => {
          list.push(value)
          return '""'
        },
        number: () => '0',
      },
    }
  })
  const rewrite = createJsonRewriter(rules)
  for (const doc of docs) rewrite(doc)
  return byRule
}

async function main(): Promise<void> {
  const count = Number(args.docs)
  const passes = Number(args.passes)
  const docs = await loadDocuments(count, args.file)
  const bytes = docs.reduce((n, d) => n + d.length, 0)
  process.stdout.write(
    `${docs.length} documents, ${(bytes / docs.length).toFixed(0)} characters on average; ${passes} passes, CPU µs per document (minimum)\n`,
  )
  const jsonOf = (spec: RuleSpec) => () => {
    const fn = createCompiler(key)(spec, jsonColumn).fn
    return (doc: string) => fn(doc)
  }
  const everyPath = (spec: RuleSpec) => ({
    transform: 'json',
    paths: Object.fromEntries(Object.keys(shipping.paths).map((p) => [p, spec])),
  })
  let leafCount = 0
  // Each pass cuts the leaves out anew: a string keeps its hash once computed, so values
  // reused from pass to pass would make the memo's lookups look cheaper than in a snapshot.
  const leafCost = (): number => {
    let best = Number.POSITIVE_INFINITY
    for (let p = 0; p < passes; p++) {
      const leaves = collectLeaves(docs)
      leafCount = [...leaves.values()].reduce((n, l) => n + l.length, 0)
      let micros = 0
      for (const [spec, values] of leaves) {
        const make = () => createCompiler(key)(JSON.parse(spec) as RuleSpec, textColumn).fn
        micros += measure(values, make, 1) * values.length
      }
      best = Math.min(best, micros / docs.length)
    }
    return best
  }
  const rows: [string, () => number][] = [
    ['total', () => measure(docs, jsonOf(shipping), passes, true)],
    ['keep', () => measure(docs, jsonOf(everyPath('keep')), passes, true)],
    [
      'const',
      () => measure(docs, jsonOf(everyPath({ transform: 'const', value: 'x' })), passes, true),
    ],
    ['leaves', leafCost],
  ]
  const results = new Map<string, number>()
  for (const [name, run] of rows) {
    if (args.only && args.only !== name) continue
    results.set(name, run())
    process.stdout.write(`${name.padEnd(8)} ${results.get(name)?.toFixed(2)} µs\n`)
  }
  const total = results.get('total')
  const leaf = results.get('leaves')
  const constant = results.get('const')
  if (total !== undefined && leaf !== undefined && constant !== undefined) {
    process.stdout.write(
      `${(leafCount / docs.length).toFixed(2)} leaves per document; total − leaves ${(total - leaf).toFixed(2)} µs; total − const (the leaves in place) ${(total - constant).toFixed(2)} µs\n`,
    )
  }
}

await main()
