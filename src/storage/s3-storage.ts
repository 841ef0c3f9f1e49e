import { PassThrough, type Readable } from 'node:stream'
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { AppError } from '../errors.js'
import type { Logger } from '../logger.js'
import { createCatalogue } from './catalogue.js'
import {
  auditKey,
  contentDisposition,
  dumpFile,
  jobKey,
  manifestFile,
  normalizePrefix,
  parseSnapshotKey,
  s3Location,
  snapshotKey,
  snapshotsRoot,
} from './keys.js'
import type { SnapshotEntry } from './retention-plan.js'
import { mapS3Error, type S3Place } from './s3-errors.js'
import { createFastPut } from './s3-fast-put.js'
import { createS3Presigner } from './s3-presigner.js'
import { createSigningKeys } from './sigv4.js'
import type { SnapshotStorage } from './storage.js'
import type { StorageBackend } from './storage-backend.js'

export interface S3StorageOptions {
  bucket: string
  prefix?: string
  region?: string | undefined
  /** An S3-compatible server; checksums are then only sent where the API requires them. */
  endpoint?: string | undefined
  forcePathStyle?: boolean | undefined
  serverSideEncryption?: 'AES256' | 'aws:kms' | undefined
  kmsKeyId?: string | undefined
  /**
   * Multipart part size in bytes (default 8 MiB; S3's minimum is 5 MiB). At most
   * two parts are in memory, and S3 allows 10,000 parts: 80 GB of gzip by default.
   */
  partSize?: number
  /** Extra client settings, for tests (static credentials for s3rver). Never from dumpling.yml. */
  client?: Partial<S3ClientConfig>
  /** The time links are signed at; tests move it. */
  now?: () => Date
  /** Told (at warn, S3's error code only) when the fast path for small objects turns off or pauses. */
  log?: Pick<Logger, 'warn'> | undefined
}

export const defaultPartSize = 8 * 1024 * 1024

/**
 * Snapshots in an S3 bucket (or an S3-compatible server). Credentials come
 * from the AWS SDK's default provider chain only.
 */
export function createS3Storage(options: S3StorageOptions): SnapshotStorage {
  const bucket = options.bucket
  const prefix = normalizePrefix(options.prefix ?? '')
  const now = options.now ?? (() => new Date())
  const custom = options.endpoint !== undefined
  const client = new S3Client({
    region: options.region ?? (custom ? 'us-east-1' : undefined),
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
    // Nothing waits forever on a server that accepts and never answers, so an abort
    // after SIGTERM still ends. requestTimeout runs until the response headers (an
    // 8 MiB part included), never during a dump's download, which may pause for long.
    requestHandler: {
      connectionTimeout: 10_000,
      requestTimeout: 120_000,
      throwOnRequestTimeout: true,
    },
    // S3-compatible servers often reject the SDK's default CRC checksums.
    ...(custom
      ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
      : {}),
    ...options.client,
  })
  // One signing-key cache for the client: its presigned links and its fast PUTs.
  const signingKeys = createSigningKeys()
  const presignGet = createS3Presigner(client, undefined, signingKeys)
  const place: S3Place = {
    bucket,
    where: s3Location(bucket, prefix),
    region: options.region,
    endpoint: options.endpoint,
  }
  const encryption = {
    ...(options.serverSideEncryption && { ServerSideEncryption: options.serverSideEncryption }),
    ...(options.kmsKeyId && { SSEKMSKeyId: options.kmsKeyId }),
  }
  /** Send one command; any failure becomes a clear AppError. */
  const send = async <T>(doing: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run()
    } catch (err) {
      throw mapS3Error(err, place, doing)
    }
  }
  const isMissingKey = (err: unknown) => (err as { name?: string }).name === 'NoSuchKey'

  const listKeys = async (under: string) => {
    const keys: { key: string; lastModified: Date }[] = []
    let token: string | undefined
    do {
      const page = await send('list snapshots', () =>
        client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: under, ContinuationToken: token }),
        ),
      )
      for (const o of page.Contents ?? []) {
        if (o.Key) keys.push({ key: o.Key, lastModified: o.LastModified ?? new Date(0) })
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
    return keys
  }

  const deleteKey = (key: string) =>
    send(`delete ${key}`, () => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })))

  const jsonPut = { Bucket: bucket, ContentType: 'application/json', ...encryption }
  /**
   * Store a small JSON object (audit record, job progress), encrypted as configured:
   * signed by us and sent through undici when our signature matches the SDK's, else (and
   * after any failed attempt) through the SDK, with its retries and our error mapping.
   */
  const fastPut = createFastPut(client, {
    input: jsonPut,
    keys: signingKeys,
    log: options.log,
    sdkPut: async (key, body) => {
      await send(`store ${key}`, () =>
        client.send(new PutObjectCommand({ ...jsonPut, Key: key, Body: body })),
      )
    },
  })
  const putJson = fastPut.put
  let prepared = false
  /** A small object's text, or null when there is no such key. */
  const readText = async (key: string): Promise<string | null> => {
    try {
      const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
      return (await res.Body?.transformToString('utf8')) ?? null
    } catch (err) {
      if (isMissingKey(err)) return null
      throw mapS3Error(err, place, `read ${key}`)
    }
  }

  const backend: StorageBackend = {
    describe: () => place.where,

    async check() {
      // One listing page of snapshots/ (a few keys, kept short by retention), not
      // HeadBucket: HeadBucket needs s3:ListBucket on the whole bucket, while this
      // works with a policy that allows listing only under the prefix (the
      // README's least-privilege policy). No MaxKeys: s3rver fails a truncated
      // listing with an internal error.
      await send('check the bucket', () =>
        client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: snapshotsRoot(prefix) })),
      )
    },

    async listEntries() {
      const byId = new Map<string, SnapshotEntry>()
      for (const { key, lastModified } of await listKeys(snapshotsRoot(prefix))) {
        const parsed = parseSnapshotKey(prefix, key)
        if (!parsed) continue
        const entry = byId.get(parsed.id) ?? { id: parsed.id, complete: false, lastModified }
        if (parsed.file === manifestFile) entry.complete = true
        if (lastModified > entry.lastModified) entry.lastModified = lastModified
        byId.set(parsed.id, entry)
      }
      return [...byId.values()]
    },

    readManifest: (id) => readText(snapshotKey(prefix, id, manifestFile)),

    async openDump(id) {
      const key = snapshotKey(prefix, id, dumpFile)
      const res = await send(`read ${key}`, () =>
        client.send(new GetObjectCommand({ Bucket: bucket, Key: key })),
      )
      if (!res.Body) throw new AppError('storage_failed', `${key} came back without a body.`)
      return res.Body as Readable
    },

    async beginSnapshot(id) {
      const key = snapshotKey(prefix, id, dumpFile)
      // The writer writes to `dump`; Upload reads `body`. Upload destroys its body with
      // an AbortError when it fails, so the writer gets the mapped error from `done`.
      const dump = new PassThrough()
      const body = new PassThrough()
      dump.pipe(body)
      body.on('error', () => {}) // reported through `done`
      const upload = new Upload({
        client,
        params: {
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: 'application/gzip',
          ...encryption,
        },
        partSize: options.partSize ?? defaultPartSize,
        queueSize: 1,
        leavePartsOnError: false,
      })
      const done = upload.done().then(
        () => {},
        (err) => {
          const mapped = mapS3Error(err, place, `upload ${key}`)
          // A writer waiting for 'drain' learns of the failure instead of hanging.
          dump.destroy(mapped)
          throw mapped
        },
      )
      done.catch(() => {})
      return {
        dump,
        async readBack() {
          await done
          const res = await send(`read back ${key}`, () =>
            client.send(new GetObjectCommand({ Bucket: bucket, Key: key })),
          )
          if (!res.Body) throw new AppError('storage_failed', `${key} came back without a body.`)
          return res.Body as Readable
        },
        async commit(manifest) {
          await done
          const head = await send(`check ${key}`, () =>
            client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })),
          )
          if (head.ContentLength !== manifest.dump.bytes) {
            await deleteKey(key).catch(() => {})
            throw new AppError(
              'checksum_mismatch',
              `${key} holds ${head.ContentLength} bytes after the upload, not the ${manifest.dump.bytes} written; the snapshot was not published. Take it again.`,
            )
          }
          const manifestKey = snapshotKey(prefix, id, manifestFile)
          await send(`write ${manifestKey}`, () =>
            client.send(
              new PutObjectCommand({
                Bucket: bucket,
                Key: manifestKey,
                Body: `${JSON.stringify(manifest, null, 2)}\n`,
                ContentType: 'application/json',
                ...encryption,
              }),
            ),
          )
        },
        async abort() {
          dump.destroy()
          body.destroy(new Error('snapshot upload aborted'))
          await upload.abort().catch(() => {})
          await done.catch(() => {})
          // A small dump may have been stored in one PutObject already.
          await deleteKey(key).catch(() => {})
        },
      }
    },

    async deleteSnapshot(id) {
      const folder = `${snapshotsRoot(prefix)}${id}/`
      const keys = (await listKeys(folder)).map((k) => k.key)
      const manifestKey = snapshotKey(prefix, id, manifestFile)
      if (keys.includes(manifestKey)) await deleteKey(manifestKey)
      for (const key of keys.filter((k) => k !== manifestKey)) await deleteKey(key)
    },

    async createLink(manifest, expiresInSeconds) {
      // A storage that hands out links writes audit objects next: the first PUT's template
      // is built now (nothing is sent), not in the first burst (serve's warm-up presigns).
      if (!prepared) {
        prepared = true
        void fastPut.prepare()
      }
      const signingDate = now()
      const input = {
        Bucket: bucket,
        Key: snapshotKey(prefix, manifest.id, dumpFile),
        ResponseContentDisposition: contentDisposition(manifest.source.database, manifest.id),
        ResponseContentType: 'application/gzip',
      }
      const url = await send('sign a link', () =>
        presignGet(input, { expiresIn: expiresInSeconds, signingDate }),
      )
      return { url, expiresAt: new Date(signingDate.getTime() + expiresInSeconds * 1000) }
    },

    putAuditObject: (name, body) => putJson(auditKey(prefix, name), body),
    putJobObject: (name, body) => putJson(jobKey(prefix, name), body),
    readJobObject: (name) => readText(jobKey(prefix, name)),
  }
  return createCatalogue(backend)
}
