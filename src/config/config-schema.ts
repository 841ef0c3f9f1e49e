import { availableParallelism } from 'node:os'
import { z } from 'zod'
import { rulesSchema } from '../rules/rules-schema.js'

/** Defaults in one place; the README's configuration reference mirrors them. */
export const defaults = {
  snapshot: { jobs: 2, workers: availableParallelism(), chunkBytes: 1 << 20 },
  restore: { jobs: 2, allowedTargets: [] as string[], protectedDatabases: [] as string[] },
} as const

export const configSchema = z.strictObject({
  source: z
    .strictObject({
      /** The production database, read-only. Default: `DUMPLING_SOURCE_URL`. */
      url: z.string().optional(),
    })
    .default({}),
  /** The anonymization rules, inline or the path of a YAML file holding them. */
  rules: z.union([z.string().min(1), rulesSchema]),
  snapshot: z
    .strictObject({
      /** Parallel COPY sessions, all in one exported snapshot. */
      jobs: z.int().min(1).max(32).default(defaults.snapshot.jobs),
      /** Threads that parse, transform and compress rows; 0 keeps it on the main thread. */
      workers: z.int().min(0).max(64).default(defaults.snapshot.workers),
    })
    .default({ jobs: defaults.snapshot.jobs, workers: defaults.snapshot.workers }),
  restore: z
    .strictObject({
      /** Parallel sessions that load table data, then build indexes and foreign keys. */
      jobs: z.int().min(1).max(32).default(defaults.restore.jobs),
      /**
       * Hosts other than this machine that `dumpling restore` may replace databases on
       * (development or staging servers), exactly as written in --target URLs.
       */
      allowedTargets: z.array(z.string().min(1)).default(defaults.restore.allowedTargets),
      /** Database names `dumpling restore` always refuses to replace. */
      protectedDatabases: z.array(z.string().min(1)).default(defaults.restore.protectedDatabases),
    })
    .default({
      jobs: defaults.restore.jobs,
      allowedTargets: defaults.restore.allowedTargets,
      protectedDatabases: defaults.restore.protectedDatabases,
    }),
})

export type ConfigFile = z.infer<typeof configSchema>
