import { existsSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { z } from 'zod'
import { AppError, type ErrorCode } from '../errors.js'
import { type Rules, rulesSchema } from '../rules/rules-schema.js'
import { type ConfigFile, configSchema, defaults, type StorageConfigFile } from './config-schema.js'
import { cronProblem } from './cron-problem.js'
import { readYamlFile, type YamlFile } from './yaml-file.js'

/** The `restore:` section: what `dumpling restore` may replace, and how fast. */
export interface RestoreSettings {
  jobs: number
  allowedTargets: string[]
  protectedDatabases: string[]
}

/** The smallest key length accepted, in bytes. */
export const minKeyBytes = 32

/** The validated configuration every part reads. Secrets come from the environment only. */
export interface Config {
  path: string
  source: { url: string | null }
  rules: Rules
  /** `file:line:col` of a rule, for messages (`['tables', 'public.users', 'columns', 'email']`). */
  locateRule(path: readonly PropertyKey[]): string
  snapshot: ConfigFile['snapshot']
  restore: RestoreSettings
  /** `DUMPLING_ANON_KEY`; null when unset (only commands that transform need it). */
  anonKey: string | null
  /** Where snapshots live; a local `dir` is absolute here. */
  storage: StorageConfig
  links: { expiresIn: number }
  retention: { keep: number; maxAgeDays: number }
  /** Nightly snapshots in `dumpling serve`; null when not configured. */
  schedule: { cron: string; timezone: string } | null
  verify: ConfigFile['verify']
  runner: ConfigFile['runner']
  jobs: ConfigFile['jobs']
  /** `DUMPLING_LINK_SECRET`: signs local-storage download links; null when unset. */
  linkSecret: string | null
  slack: SlackConfig
  /** `LOG_LEVEL`, default `info`. */
  logLevel: string
}

/** The `slack:` section plus the Slack secrets and server settings from the environment. */
export type SlackConfig = ConfigFile['slack'] & {
  /** `SLACK_BOT_TOKEN` (xoxb-…); null when unset (only `serve` needs it). */
  botToken: string | null
  /** `SLACK_SIGNING_SECRET`; HTTP mode verifies every request with it. */
  signingSecret: string | null
  /** `SLACK_APP_TOKEN` (xapp-…): when set, `serve` uses Socket Mode. */
  appToken: string | null
  /** `SLACK_API_URL`: the Web API base URL, ending in `/`; null for Slack's own. */
  apiUrl: string | null
  /** `PORT`: where `serve` listens (HTTP mode: commands, health, downloads). */
  port: number
}

export type StorageConfig =
  | { kind: 'local'; dir: string; publicUrl: string }
  | Extract<StorageConfigFile, { kind: 's3' }>

export interface LoadConfigOptions {
  /** `--config`; else `DUMPLING_CONFIG`; else `./dumpling.yml`. */
  path?: string | undefined
  env?: NodeJS.ProcessEnv
  cwd?: string
}

/** The only reader of process.env: load `dumpling.yml`, its rules file and the secrets. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env
  const cwd = options.cwd ?? process.cwd()
  const path = resolve(cwd, options.path ?? env.DUMPLING_CONFIG ?? 'dumpling.yml')
  if (!existsSync(path)) {
    throw new AppError(
      'config_invalid',
      `No config file at ${path}. Pass --config FILE, set DUMPLING_CONFIG, or create dumpling.yml (see README, "Configuration").`,
    )
  }
  const file = readYamlFile(path, env)
  const config = parseWith(configSchema, file, [], 'config_invalid')

  const rawUrl = getIn(file.raw, ['source', 'url'])
  if (typeof rawUrl === 'string' && !rawUrl.includes('${') && hasPassword(rawUrl)) {
    throw new AppError(
      'config_invalid',
      `${file.locate(['source', 'url'])}: source.url holds a password. Secrets never go in dumpling.yml: write \`url: \${DUMPLING_SOURCE_URL}\` and export DUMPLING_SOURCE_URL.`,
    )
  }
  const rawRestoreUrl = getIn(file.raw, ['verify', 'restoreUrl'])
  if (
    typeof rawRestoreUrl === 'string' &&
    !rawRestoreUrl.includes('${') &&
    hasPassword(rawRestoreUrl)
  ) {
    throw new AppError(
      'config_invalid',
      `${file.locate(['verify', 'restoreUrl'])}: verify.restoreUrl holds a password. Secrets never go in dumpling.yml: write \`restoreUrl: \${DUMPLING_RESTORE_URL}\` (any variable name) and export it.`,
    )
  }

  let rules: Rules
  let locateRule: Config['locateRule']
  if (typeof config.rules === 'string') {
    const rulesFile = readYamlFile(resolve(dirname(path), config.rules), env, 'rules_invalid')
    rules = parseWith(rulesSchema, rulesFile, [], 'rules_invalid')
    locateRule = rulesFile.locate
  } else {
    rules = config.rules
    locateRule = (p) => file.locate(['rules', ...p])
  }

  const anonKey = env.DUMPLING_ANON_KEY ?? null
  if (anonKey !== null && Buffer.byteLength(anonKey) < minKeyBytes) {
    throw new AppError(
      'missing_secret',
      `DUMPLING_ANON_KEY is ${Buffer.byteLength(anonKey)} bytes; it must be at least ${minKeyBytes}. Generate one with: openssl rand -base64 48`,
    )
  }

  const linkSecret = env.DUMPLING_LINK_SECRET || null
  if (linkSecret !== null && Buffer.byteLength(linkSecret) < minKeyBytes) {
    throw new AppError(
      'missing_secret',
      `DUMPLING_LINK_SECRET is ${Buffer.byteLength(linkSecret)} bytes; it must be at least ${minKeyBytes}. Generate one with: openssl rand -base64 48`,
    )
  }

  return {
    path,
    source: { url: config.source.url || env.DUMPLING_SOURCE_URL || null },
    rules,
    locateRule,
    snapshot: config.snapshot,
    restore: config.restore,
    anonKey,
    storage: resolveStorage(config.storage, path, env),
    links: config.links,
    retention: config.retention,
    schedule: config.schedule ? checkSchedule(config.schedule, file) : null,
    verify: config.verify,
    runner: config.runner,
    jobs: config.jobs,
    linkSecret,
    slack: {
      ...config.slack,
      botToken: env.SLACK_BOT_TOKEN || null,
      signingSecret: env.SLACK_SIGNING_SECRET || null,
      appToken: env.SLACK_APP_TOKEN || null,
      apiUrl: parseApiUrl(env.SLACK_API_URL),
      port: parsePort(env.PORT),
    },
    logLevel: env.LOG_LEVEL || 'info',
  }
}

/** A cron pattern croner cannot read, or an unknown time zone, is a config error with its place. */
function checkSchedule(
  schedule: { cron: string; timezone: string },
  file: YamlFile,
): { cron: string; timezone: string } {
  try {
    new Intl.DateTimeFormat('en', { timeZone: schedule.timezone })
  } catch {
    throw new AppError(
      'config_invalid',
      `${file.locate(['schedule', 'timezone'])}: schedule.timezone "${schedule.timezone}" is not a time zone. Use an IANA name such as Europe/Berlin or UTC.`,
    )
  }
  const problem = cronProblem(schedule.cron)
  if (problem) {
    throw new AppError(
      'config_invalid',
      `${file.locate(['schedule', 'cron'])}: schedule.cron "${schedule.cron}" is not a cron pattern (${problem}). Write five fields, minute hour day month weekday, e.g. "0 3 * * *" for 03:00 every night.`,
    )
  }
  return schedule
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return defaults.slack.port
  const port = Number(value)
  if (Number.isInteger(port) && port >= 0 && port <= 65535) return port
  throw new AppError(
    'config_invalid',
    `PORT is "${value}"; it must be a whole number from 0 to 65535.`,
  )
}

function parseApiUrl(value: string | undefined): string | null {
  if (!value) return null
  let url: URL
  try {
    url = new URL(value)
  } catch {
    url = new URL('invalid:')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AppError(
      'config_invalid',
      'SLACK_API_URL is not an http(s) URL. Set it to the Web API base, e.g. https://slack.com/api/ (GovSlack: https://slack-gov.com/api/), or unset it.',
    )
  }
  return url.href.endsWith('/') ? url.href : `${url.href}/`
}

/** What `dumpling restore` reads from the config. */
export interface RestoreConfig {
  restore: RestoreSettings
  /** Where `latest` and snapshot ids are read from. */
  storage: StorageConfig
  linkSecret: string | null
}

/**
 * The restore settings and storage. A developer who only restores may have no
 * dumpling.yml: then the defaults apply. A file named by --config or
 * DUMPLING_CONFIG must exist and be valid as a whole, but the secrets it names
 * (the source URL) need not be set: restoring needs none of them.
 */
export function loadRestoreConfig(options: LoadConfigOptions = {}): RestoreConfig {
  const env = options.env ?? process.env
  const cwd = options.cwd ?? process.cwd()
  const named = options.path ?? env.DUMPLING_CONFIG
  const path = resolve(cwd, named ?? 'dumpling.yml')
  let file: ConfigFile
  if (named === undefined && !existsSync(path)) {
    file = configSchema.parse({ rules: { tables: {} } })
  } else {
    if (!existsSync(path)) {
      throw new AppError(
        'config_invalid',
        `No config file at ${path}. Pass --config FILE or unset DUMPLING_CONFIG.`,
      )
    }
    const lenient = new Proxy(env, {
      get: (e, name) => (typeof name === 'string' ? e[name] || '(unset)' : undefined),
    })
    file = parseWith(configSchema, readYamlFile(path, lenient), [], 'config_invalid')
  }
  return {
    restore: file.restore,
    storage: resolveStorage(file.storage, path, env),
    linkSecret: env.DUMPLING_LINK_SECRET || null,
  }
}

/** The storage section with a local folder made absolute (relative to dumpling.yml). */
function resolveStorage(
  storage: StorageConfigFile,
  configPath: string,
  env: NodeJS.ProcessEnv,
): StorageConfig {
  if (storage.kind !== 'local') return storage
  return {
    kind: 'local',
    dir: resolve(dirname(configPath), storage.dir),
    publicUrl: (storage.publicUrl ?? `http://localhost:${env.PORT || 3000}`).replace(/\/+$/, ''),
  }
}

/** The local link secret, or an error saying how to set it. */
export function requireLinkSecret(config: Pick<Config, 'linkSecret'>): string {
  if (config.linkSecret) return config.linkSecret
  throw new AppError(
    'missing_secret',
    'DUMPLING_LINK_SECRET is not set. Local-storage download links are signed with it; export one of at least 32 bytes (openssl rand -base64 48), the same for `dumpling link` and `dumpling serve`.',
  )
}

/** The source URL, or an error saying how to set it. */
export function requireSourceUrl(config: Config): string {
  if (config.source.url) return config.source.url
  throw new AppError(
    'missing_secret',
    `No source database: export DUMPLING_SOURCE_URL (a read replica or a read-only role), or set source.url: \${DUMPLING_SOURCE_URL} in dumpling.yml.`,
  )
}

/** The anonymization key, or an error saying how to make one. There is no default key. */
export function requireAnonKey(config: Config): string {
  if (config.anonKey) return config.anonKey
  throw new AppError(
    'missing_secret',
    `DUMPLING_ANON_KEY is not set. It keys every fake value; keep it secret and stable. Generate one with: openssl rand -base64 48`,
  )
}

function parseWith<S extends z.ZodType>(
  schema: S,
  file: YamlFile,
  prefix: PropertyKey[],
  code: ErrorCode,
): z.infer<S> {
  const result = schema.safeParse(file.value)
  if (result.success) return result.data
  const lines = result.error.issues.map((issue) => {
    const path = [...prefix, ...issue.path]
    const unknown = issue.code === 'unrecognized_keys' ? issue.keys : []
    const where = path.length ? `${path.map(String).join('.')}: ` : ''
    const at =
      unknown[0] === undefined ? file.locate(path) : file.locate([...path, unknown[0]], 'key')
    const fix = unknown.length ? ' (check the spelling; the README lists every key)' : ''
    return `  ${at}: ${where}${issue.message}${fix}`
  })
  throw new AppError(code, `${file.path} is not valid:\n${lines.join('\n')}`)
}

function getIn(value: unknown, path: string[]): unknown {
  let v = value
  for (const key of path) {
    if (!v || typeof v !== 'object') return undefined
    v = (v as Record<string, unknown>)[key]
  }
  return v
}

function hasPassword(url: string): boolean {
  try {
    return new URL(url).password !== '' || /[?&]password=/.test(url)
  } catch {
    return false
  }
}
