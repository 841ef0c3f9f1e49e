import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { S3Client } from '@aws-sdk/client-s3'
import S3rver from 's3rver'
import { createS3Storage, type S3StorageOptions } from '../../src/storage/s3-storage.js'

/** s3rver checks signatures against this fixed key pair. */
export const s3rverCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }

export interface TestS3Server {
  endpoint: string
  /** A storage on `bucket` of this server, with s3rver's credentials. */
  storage(options?: Partial<S3StorageOptions>): ReturnType<typeof createS3Storage>
  /** A plain S3 client of this server, to look at objects behind the storage's back. */
  client(): S3Client
  stop(): Promise<void>
}

/** A real s3rver on a free port, its objects in a temporary folder, with `buckets` created. */
export async function startS3Server(buckets: string[] = ['dumps']): Promise<TestS3Server> {
  const directory = mkdtempSync(join(tmpdir(), 'dumpling-s3-'))
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  })
  const { port } = await server.run()
  const endpoint = `http://127.0.0.1:${port}`
  return {
    endpoint,
    storage: (options = {}) =>
      createS3Storage({
        bucket: buckets[0] ?? 'dumps',
        endpoint,
        forcePathStyle: true,
        region: 'us-east-1',
        ...options,
        client: { credentials: s3rverCredentials, ...options.client },
      }),
    client: () =>
      new S3Client({
        endpoint,
        forcePathStyle: true,
        region: 'us-east-1',
        credentials: s3rverCredentials,
      }),
    async stop() {
      await server.close()
      rmSync(directory, { recursive: true, force: true })
    },
  }
}
