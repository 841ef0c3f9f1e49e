import { existsSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { AppError } from '../errors.js'
import { readYamlFile } from './yaml-file.js'

/** The rules file name `dumpling init` uses when dumpling.yml does not name one. */
export const defaultRulesFile = 'dumpling.rules.yml'

/** Where `dumpling init` writes, and what it reads the source from. */
export interface InitTarget {
  configPath: string
  configExists: boolean
  /** The file that holds the rules: a rules file, or dumpling.yml itself when they are inline. */
  rulesPath: string
  /** Where `tables:` sits in that file: `[]`, or `['rules']` for inline rules. */
  prefix: string[]
  /** Whether the rules already exist (the file, or an inline `rules:` section). */
  rulesExist: boolean
  /** dumpling.yml has no `rules:` key yet: init adds `rules: dumpling.rules.yml`. */
  needsRulesKey: boolean
  sourceUrl: string | null
}

/**
 * Find the rules `dumpling init` writes or updates, without validating them
 * (they may not exist yet): `--config`, else `DUMPLING_CONFIG`, else
 * ./dumpling.yml; its `rules:` path, or its inline rules, or
 * dumpling.rules.yml next to it.
 */
export function findInitTarget(options: {
  path?: string | undefined
  env: NodeJS.ProcessEnv
  cwd?: string
}): InitTarget {
  const { env } = options
  const configPath = resolve(
    options.cwd ?? process.cwd(),
    options.path ?? env.DUMPLING_CONFIG ?? 'dumpling.yml',
  )
  const fallback = resolve(dirname(configPath), defaultRulesFile)
  if (!existsSync(configPath)) {
    return {
      configPath,
      configExists: false,
      rulesPath: fallback,
      prefix: [],
      rulesExist: existsSync(fallback),
      needsRulesKey: true,
      sourceUrl: env.DUMPLING_SOURCE_URL || null,
    }
  }
  const file = readYamlFile(configPath, env)
  const value = (file.value ?? {}) as { rules?: unknown; source?: { url?: unknown } }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new AppError(
      'config_invalid',
      `${configPath}: expected a map of settings (source, rules, …).`,
    )
  }
  const url = typeof value.source?.url === 'string' && value.source.url ? value.source.url : null
  const sourceUrl = url ?? (env.DUMPLING_SOURCE_URL || null)
  const base = { configPath, configExists: true, sourceUrl }
  if (typeof value.rules === 'string' && value.rules !== '') {
    const rulesPath = resolve(dirname(configPath), value.rules)
    return {
      ...base,
      rulesPath,
      prefix: [],
      rulesExist: existsSync(rulesPath),
      needsRulesKey: false,
    }
  }
  if (value.rules !== undefined && value.rules !== null) {
    return {
      ...base,
      rulesPath: configPath,
      prefix: ['rules'],
      rulesExist: true,
      needsRulesKey: false,
    }
  }
  return {
    ...base,
    rulesPath: fallback,
    prefix: [],
    rulesExist: existsSync(fallback),
    needsRulesKey: true,
  }
}
