import { findPgProgram } from '../db/find-pg-bin.js'
import { startCluster, type ThrowawayCluster } from '../db/throwaway-cluster.js'
import { withPgClient } from '../db/with-pg-client.js'
import { AppError } from '../errors.js'
import { demoData, demoRows, demoSchema } from './demo-schema.js'
import type { Teardown } from './teardown.js'

/** The programs the demo runs: two throwaway servers, and pg_dump for the snapshot. */
const programs = ['initdb', 'pg_ctl', 'postgres', 'pg_dump']

/** Before anything starts: one sentence saying what to install when a program is missing. */
export function requirePrograms(env: NodeJS.ProcessEnv): void {
  const missing = programs.filter((name) => findPgProgram(name, env) === null)
  if (missing.length === 0) return
  throw new AppError(
    'pg_dump_missing',
    `dumpling demo needs PostgreSQL's server programs, and ${missing.join(', ')} ${missing.length === 1 ? 'was' : 'were'} not found${env.PG_BIN ? ` in PG_BIN (${env.PG_BIN})` : ''}: install them (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql) or set PG_BIN to the folder that holds them.`,
  )
}

export interface DemoServers {
  /** The "production" server; its `production` database is the source. */
  production: ThrowawayCluster
  /** A second server, standing in for a developer's machine: restores go here. */
  developer: ThrowawayCluster
}

/** Start both servers at once; each is handed to `teardown` as soon as it runs. */
export async function startServers(teardown: Teardown): Promise<DemoServers> {
  const start = () =>
    startCluster().then((cluster) => {
      teardown.defer(cluster.stop)
      return cluster
    })
  const [production, developer] = await Promise.all([start(), start()])
  return { production, developer }
}

/** Create the `production` database and fill it; returns the rows per table. */
export async function loadProduction(cluster: ThrowawayCluster): Promise<typeof demoRows> {
  await withPgClient(cluster.adminUrl, (c) =>
    c.query(`CREATE DATABASE production TEMPLATE template0 ENCODING 'UTF8'`),
  )
  await withPgClient(cluster.url('production'), (c) => c.query(demoSchema + demoData))
  return demoRows
}

/** `150018` → `15.18`. */
export function versionText(serverVersion: number): string {
  return `${Math.floor(serverVersion / 10000)}.${serverVersion % 10000}`
}
