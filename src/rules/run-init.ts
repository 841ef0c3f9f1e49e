import { readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, relative } from 'node:path'
import { isMap, parseDocument } from 'yaml'
import type { InitTarget } from '../config/init-target.js'
import { withSource } from '../db/connect.js'
import { introspect } from '../db/introspect.js'
import { AppError } from '../errors.js'
import { createCompiler } from '../transformers/index.js'
import { addMissing, createRulesDocument } from './rules-document.js'
import { sampleColumns } from './sample-columns.js'
import { suggestRules, type TableSuggestion } from './suggest-rules.js'

export interface InitOptions {
  target: InitTarget
  /** `create` refuses existing rules; `force` replaces them; `update` adds what is new. */
  mode: 'create' | 'force' | 'update'
  now?: Date
}

export interface InitResult {
  rulesPath: string
  /** dumpling.yml was written (it did not exist) or given a `rules:` key. */
  configWritten: boolean
  database: string
  tables: number
  columns: number
  transformed: number
  /** Columns that looked personal but got `keep`: no transformer fits. */
  review: number
  /** `update`: the `schema.table.column` names added; null when the file was written whole. */
  added: string[] | null
}

/**
 * `dumpling init`: read the source's catalog and a few hundred values per
 * column (read-only), suggest a rule for every column, and write the rules
 * file with a why on each line. Never overwrites without `force`; `update`
 * adds only what is new and keeps every edit and comment.
 */
export async function runInit(options: InitOptions): Promise<InitResult> {
  const { target, mode } = options
  const now = options.now ?? new Date()
  if (mode === 'create' && target.rulesExist) {
    const where = target.prefix.length
      ? `${target.rulesPath} already holds rules`
      : `${target.rulesPath} already exists`
    throw new AppError(
      'rules_file_exists',
      `${where}. Pass --update to add only the tables and columns that are new (your edits stay), or --force to replace it with fresh suggestions (your edits are lost).`,
    )
  }
  if (!target.sourceUrl) {
    throw new AppError(
      'missing_secret',
      `No source database: export DUMPLING_SOURCE_URL (a read replica or a read-only role), or set source.url: \${DUMPLING_SOURCE_URL} in dumpling.yml.`,
    )
  }
  const { catalog, samples } = await withSource(target.sourceUrl, async (client) => {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY')
    const catalog = await introspect(client)
    return { catalog, samples: await sampleColumns(client, catalog) }
  })
  // Suggestions are compiled to prove they fit, never run: any key will do.
  const suggestions = suggestRules(
    catalog,
    samples,
    createCompiler('dumpling init compiles rules without transforming'),
  )
  const counts = count(suggestions)
  const date = now.toISOString().slice(0, 10)

  if (mode === 'update' && target.rulesExist) {
    const doc = await readDocument(target.rulesPath)
    let added: string[]
    try {
      added = addMissing(doc, target.prefix, suggestions, `new (dumpling init --update, ${date})`)
    } catch (err) {
      throw new AppError(
        'rules_invalid',
        `${target.rulesPath}: ${(err as Error).message}; cannot add columns to it.`,
        { cause: err },
      )
    }
    if (added.length > 0) await writeAtomically(target.rulesPath, doc.toString({ lineWidth: 0 }))
    return {
      ...counts,
      rulesPath: target.rulesPath,
      configWritten: false,
      database: catalog.database,
      added,
    }
  }

  const header = [
    ` Rules for ${catalog.database}, suggested by \`dumpling init\` on ${date}.`,
    ' Every column of every table is listed with a suggested rule and why: the column',
    ' name, or the share of a few hundred sampled values that looked personal.',
    ' Review each line: `keep` copies a column as it is. REVIEW marks columns that look',
    ' personal where no transformer fits. Then run `dumpling check`.',
    ' `dumpling init --update` adds new tables and columns and keeps your edits.',
  ].join('\n')
  const doc = createRulesDocument(suggestions, header)
  let configWritten = false
  if (target.prefix.length > 0) {
    const config = await readDocument(target.configPath)
    config.set('rules', doc.contents)
    await writeAtomically(target.configPath, config.toString({ lineWidth: 0 }))
  } else {
    await writeAtomically(target.rulesPath, doc.toString({ lineWidth: 0 }))
    const rulesRef = relative(dirname(target.configPath), target.rulesPath)
    if (!target.configExists) {
      await writeAtomically(
        target.configPath,
        `# Written by dumpling init. Secrets stay in the environment.\nsource:\n  url: \${DUMPLING_SOURCE_URL}\nrules: ${JSON.stringify(rulesRef)}\n`,
      )
      configWritten = true
    } else if (target.needsRulesKey) {
      const config = await readDocument(target.configPath)
      config.set('rules', rulesRef)
      await writeAtomically(target.configPath, config.toString({ lineWidth: 0 }))
      configWritten = true
    }
  }
  return {
    ...counts,
    rulesPath: target.rulesPath,
    configWritten,
    database: catalog.database,
    added: null,
  }
}

function count(suggestions: readonly TableSuggestion[]) {
  const columns = suggestions.flatMap((s) => s.columns)
  return {
    tables: suggestions.length,
    columns: columns.length,
    transformed: columns.filter((c) => c.spec !== 'keep').length,
    review: columns.filter((c) => c.why?.startsWith('REVIEW')).length,
  }
}

async function readDocument(path: string) {
  const doc = parseDocument(await readFile(path, 'utf8'))
  if (doc.errors.length > 0) {
    throw new AppError(
      'rules_invalid',
      `${path} is not valid YAML (${doc.errors[0]?.message.split('\n')[0]}); fix it or pass --force to replace it.`,
    )
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new AppError(
      'rules_invalid',
      `${path} does not hold a map; fix it or pass --force to replace it.`,
    )
  }
  return doc
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.dumpling-init.tmp`
  await writeFile(temp, text)
  await rename(temp, path)
}
