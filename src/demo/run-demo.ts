import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  createReadStream,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { createGunzip } from 'node:zlib'
import { loadConfig } from '../config/load-config.js'
import { startCluster, type ThrowawayCluster } from '../db/throwaway-cluster.js'
import { withPgClient } from '../db/with-pg-client.js'
import { AppError } from '../errors.js'
import { runSnapshot } from '../snapshot/run-snapshot.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const fixtures = join(root, 'test', 'fixtures')

/**
 * The loop on a fresh machine: a throwaway "production" database full of
 * personal-looking data, a snapshot with a generated key, a restore into a
 * second database, and the same rows from both side by side. Everything it
 * starts or writes is gone when it returns, also after Ctrl-C.
 */
export async function runDemo(out: NodeJS.WritableStream): Promise<void> {
  const say = (line = '') => out.write(`${line}\n`)
  if (!existsSync(join(fixtures, 'schema.sql'))) {
    throw new AppError(
      'usage',
      'dumpling demo runs from a checkout of the repository (it uses test/fixtures).',
    )
  }
  const work = mkdtempSync(join(tmpdir(), 'dumpling-demo-'))
  let cluster: ThrowawayCluster | null = null
  const cleanUp = async () => {
    await cluster?.stop()
    rmSync(work, { recursive: true, force: true })
  }
  const onSignal = () => {
    cleanUp().finally(() => process.exit(130))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    say('1. Starting a throwaway PostgreSQL and filling "production" with personal-looking data…')
    cluster = await startCluster({ log: (m) => say(`   ${m}`) })
    await sql(cluster.adminUrl, 'CREATE DATABASE production')
    await sql(cluster.adminUrl, 'CREATE DATABASE app_dev')
    const production = cluster.url('production')
    for (const file of ['schema.sql', 'seed.sql']) {
      await psql(cluster.pgBin, production, readFileSync(join(fixtures, file)))
    }

    say(
      '\n2. Writing dumpling.yml with the rules in test/fixtures/rules.yml (every column classified)…',
    )
    const configPath = join(work, 'dumpling.yml')
    writeFileSync(
      configPath,
      `source:\n  url: \${DUMPLING_SOURCE_URL}\nrules: ${JSON.stringify(join(fixtures, 'rules.yml'))}\n`,
    )
    const env = {
      DUMPLING_SOURCE_URL: production,
      DUMPLING_ANON_KEY: randomBytes(48).toString('base64'),
    }
    const config = loadConfig({ path: configPath, env })

    say(
      '\n3. Checking the rules against the live schema and taking a snapshot with a generated key…',
    )
    const manifest = await runSnapshot({
      config,
      outputDir: join(work, 'snapshot'),
      onEvent: (e) => {
        if (e.type === 'warning') say(`   warning: ${e.message}`)
        if (e.type === 'phase') say(`   ${e.phase}…`)
      },
    })
    const rows = manifest.tables.reduce((n, t) => n + t.rows, 0)
    say(
      `   ${manifest.id}: ${manifest.tables.length} tables, ${rows} rows, ${manifest.dump.bytes} bytes gzipped, ${manifest.durationMs} ms`,
    )

    say('\n4. Restoring it into app_dev with psql -v ON_ERROR_STOP=1…')
    const dev = cluster.url('app_dev')
    await psql(
      cluster.pgBin,
      dev,
      createReadStream(join(work, 'snapshot', 'dump.sql.gz')).pipe(createGunzip()),
    )

    say('\n5. The same users, production vs app_dev:')
    const query = 'SELECT id, email::text, full_name, phone FROM public.users ORDER BY id LIMIT 4'
    const before = await sql(production, query)
    const after = await sql(dev, query)
    before.forEach((row, i) => {
      const fake = after[i] ?? {}
      say(`   #${row.id}`)
      for (const column of ['email', 'full_name', 'phone']) {
        say(`     ${column.padEnd(9)} ${String(row[column]).padEnd(36)} → ${String(fake[column])}`)
      }
    })
    say('\nNext: write a dumpling.yml for your database (README, "Quickstart"), point')
    say('DUMPLING_SOURCE_URL at a read replica, and run `dumpling check`.')
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await cleanUp()
  }
}

function sql(url: string, text: string): Promise<Record<string, unknown>[]> {
  return withPgClient(url, async (c) => (await c.query(text)).rows)
}

async function psql(
  pgBin: string,
  url: string,
  input: Buffer | NodeJS.ReadableStream,
): Promise<void> {
  const child = spawn(join(pgBin, 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url], {
    stdio: ['pipe', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)))
  if (Buffer.isBuffer(input)) child.stdin.end(input)
  else await pipeline(input, child.stdin)
  const code = await exited
  if (code !== 0) throw new AppError('dump_failed', `psql failed (exit ${code}): ${stderr.trim()}`)
}
