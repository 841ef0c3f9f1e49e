import { availableParallelism } from 'node:os'
import { z } from 'zod'
import { rulesSchema } from '../rules/rules-schema.js'

/** Defaults in one place; the README's configuration reference mirrors them. */
export const defaults = {
  /**
   * chunkBytes: the rows of one batch (a COPY block and gzip member). 512 KiB held the
   * bench snapshot's peak RSS at about 180 MB where 1 MiB reached 204 MB, for the same
   * CPU; the dump grows by 0.2 %.
   */
  snapshot: {
    jobs: 2,
    workers: availableParallelism(),
    chunkBytes: 512 * 1024,
    compressor: 'auto' as 'auto' | 'isa-l' | 'zlib',
  },
  slack: { linksPerUserPerHour: 10, port: 3000 },
  restore: { jobs: 2, allowedTargets: [] as string[], protectedDatabases: [] as string[] },
  storage: { kind: 'local', dir: './snapshots' },
  links: { expiresIn: 180 },
  retention: { keep: 7, maxAgeDays: 30 },
  verify: { restore: 'auto', leakScan: 'on' },
  runner: { kind: 'inprocess' },
  jobs: { progressSeconds: 5 },
} as const

/** The longest a download link may live, in seconds. */
export const maxLinkSeconds = 3600

const localStorageSchema = z.strictObject({
  kind: z.literal('local'),
  /** The folder that holds snapshots/ and audit/, relative to dumpling.yml. */
  dir: z.string().min(1).default(defaults.storage.dir),
  /** Where developers reach `dumpling serve`; links are `<publicUrl>/download/<token>`. Default `http://localhost:$PORT`. */
  publicUrl: z.url({ protocol: /^https?$/ }).optional(),
})

const s3StorageSchema = z.strictObject({
  kind: z.literal('s3'),
  /** The bucket name only: credentials come from the AWS SDK's default provider chain. */
  bucket: z.string().min(3).max(63),
  /** Key prefix for snapshots/ and audit/, e.g. `dumpling/`. */
  prefix: z.string().default(''),
  /** The bucket's region; default from the AWS SDK (AWS_REGION, ~/.aws/config). */
  region: z.string().min(1).optional(),
  /** Any S3-compatible server (MinIO, R2, Ceph…); default AWS. */
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
  /** Path-style URLs (`endpoint/bucket/key`), which most S3-compatible servers need. */
  forcePathStyle: z.boolean().optional(),
  /** Server-side encryption of every object written. */
  serverSideEncryption: z.enum(['AES256', 'aws:kms']).optional(),
  /** The KMS key for `aws:kms`; default the account's AWS managed key. */
  kmsKeyId: z.string().min(1).optional(),
})

const slackIds = (what: string) =>
  z
    .array(z.string().regex(/^[A-Z][A-Z0-9]+$/, `must be a Slack ${what} id such as T0123ABC`))
    .default([])

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
      /**
       * What gzips the rows: `auto` ISA-L when its addon is built (npm run build, with
       * libisal-dev), else Node's zlib; `isa-l` fails before any row moves without the
       * addon; `zlib` always Node's. The same gzip format either way.
       */
      compressor: z.enum(['auto', 'isa-l', 'zlib']).default(defaults.snapshot.compressor),
    })
    .default({
      jobs: defaults.snapshot.jobs,
      workers: defaults.snapshot.workers,
      compressor: defaults.snapshot.compressor,
    }),
  /** The Slack app (`dumpling serve`). Deny by default: an empty list allows nobody. */
  slack: z
    .strictObject({
      /** Workspaces (team_id) or Enterprise Grid orgs (enterprise_id) whose commands are accepted. */
      teams: slackIds('team or enterprise'),
      /** Channels where commands are accepted. */
      channels: slackIds('channel'),
      /** Accept commands typed in a direct message with the app. */
      allowDirectMessages: z.boolean().default(false),
      /** Users who may ask for a link. */
      users: slackIds('user'),
      /** User groups (subteam ids, `S…`) whose members may ask for a link. */
      userGroups: slackIds('user group'),
      /** Users who may also run `/dump refresh`. */
      leads: slackIds('user'),
      /** User groups whose members may also run `/dump refresh`. */
      leadGroups: slackIds('user group'),
      /** Channel that hears every decision (never a link). Unset: no channel posts. */
      auditChannel: z
        .string()
        .regex(/^[CG][A-Z0-9]+$/, 'must be a channel id such as C0AUDIT')
        .optional(),
      rateLimit: z
        .strictObject({
          /** Links one user may get in any 60 minutes. */
          linksPerUserPerHour: z.int().min(1).max(1000).default(defaults.slack.linksPerUserPerHour),
        })
        .default({ linksPerUserPerHour: defaults.slack.linksPerUserPerHour }),
    })
    .default({
      teams: [],
      channels: [],
      allowDirectMessages: false,
      users: [],
      userGroups: [],
      leads: [],
      leadGroups: [],
      rateLimit: { linksPerUserPerHour: defaults.slack.linksPerUserPerHour },
    }),
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
  /** Where snapshots are stored: a local folder (default) or an S3 bucket. */
  storage: z
    .discriminatedUnion('kind', [localStorageSchema, s3StorageSchema])
    .default({ ...defaults.storage }),
  links: z
    .strictObject({
      /** Seconds a download link works (at most one hour). */
      expiresIn: z.int().min(1).max(maxLinkSeconds).default(defaults.links.expiresIn),
    })
    .default({ ...defaults.links }),
  /** Applied after each successful snapshot; the newest complete snapshot is always kept. */
  retention: z
    .strictObject({
      /** Complete snapshots to keep, newest first. */
      keep: z.int().min(1).default(defaults.retention.keep),
      /** Complete snapshots older than this many days are deleted. */
      maxAgeDays: z.number().positive().default(defaults.retention.maxAgeDays),
    })
    .default({ ...defaults.retention }),
  /** Nightly snapshots inside `dumpling serve`. Unset: no schedule. */
  schedule: z
    .strictObject({
      /** A cron pattern (5 fields, or 6 with seconds first), e.g. `0 3 * * *`. */
      cron: z.string().min(1),
      /** IANA time zone the pattern is read in, e.g. `Europe/Berlin`. Default UTC. */
      timezone: z.string().min(1).default('UTC'),
    })
    .optional(),
  /** What must pass before a snapshot is published (its manifest written). */
  verify: z
    .strictObject({
      /**
       * Restore the new dump into a scratch database first. `auto`: when a scratch
       * server is available (local PostgreSQL binaries or `restoreUrl`), else say so;
       * `required`: fail without one; `off`: never.
       */
      restore: z.enum(['auto', 'required', 'off']).default(defaults.verify.restore),
      /** A server where Dumpling may create and drop a temporary database (no secret: use `${VAR}`). */
      restoreUrl: z.string().min(1).optional(),
      /** Scan the dump for original values sampled from the source. */
      leakScan: z.enum(['on', 'off']).default(defaults.verify.leakScan),
    })
    .default({ ...defaults.verify }),
  /** Where `/dump refresh` and the schedule run a snapshot. */
  runner: z
    .discriminatedUnion('kind', [
      /** Inside `dumpling serve` (the default). */
      z.strictObject({ kind: z.literal('inprocess') }),
      z.strictObject({
        kind: z.literal('lambda'),
        /** The function (name or ARN) whose handler is `dumpling/lambda`; invoked asynchronously. */
        functionName: z.string().min(1),
        /** The function's region; default from the AWS SDK. */
        region: z.string().min(1).optional(),
        /** Any Lambda-compatible endpoint; default AWS. */
        endpoint: z.url({ protocol: /^https?$/ }).optional(),
      }),
      z.strictObject({
        kind: z.literal('command'),
        /** Program and arguments, run without a shell, e.g. `[kubectl, create, job, …]`. */
        argv: z.array(z.string().min(1)).min(1),
      }),
    ])
    .default({ ...defaults.runner }),
  jobs: z
    .strictObject({
      /** Seconds between progress writes to `jobs/current.json` in the storage. */
      progressSeconds: z.number().min(0.05).max(300).default(defaults.jobs.progressSeconds),
    })
    .default({ ...defaults.jobs }),
})

export type ConfigFile = z.infer<typeof configSchema>
export type StorageConfigFile = ConfigFile['storage']
