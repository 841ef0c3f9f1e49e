import type { Config } from '../config/load-config.js'
import type { Catalog } from '../db/catalog.js'
import { withSource } from '../db/connect.js'
import { introspect } from '../db/introspect.js'
import { createCompiler } from '../transformers/index.js'
import { type CheckResult, checkRules } from './check-rules.js'

/** The rules against the source's live schema (read-only), for commands that transform nothing. */
export async function checkSource(
  config: Config,
  url: string,
): Promise<CheckResult & { catalog: Catalog }> {
  const catalog = await withSource(url, async (client) => {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY')
    return introspect(client)
  })
  // Checking compiles every rule but transforms nothing: any key will do.
  const compile = createCompiler(config.anonKey ?? 'dumpling compiles rules without transforming')
  return { catalog, ...checkRules(config.rules, catalog, compile, config.locateRule) }
}
