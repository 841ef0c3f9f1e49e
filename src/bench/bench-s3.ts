import { spawn } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }

export interface BenchS3 {
  endpoint: string
  bucket: string
  /** s3rver accepts this fixed key pair. */
  credentials: typeof credentials
  /** The same, for a process that reads the AWS SDK's default chain. */
  env: Record<string, string>
  /** The s3rver process, to read its CPU time. */
  pid: number | undefined
  stop(): Promise<void>
}

/** s3rver (a dev dependency: the bench runs from a checkout) in a child process, objects in `directory`. */
export async function startBenchS3(directory: string): Promise<BenchS3> {
  await mkdir(directory, { recursive: true })
  const bucket = 'bench-dumps'
  const script = fileURLToPath(new URL('./s3rver-child.js', import.meta.url))
  const child = spawn(process.execPath, [script, directory, bucket], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8')
      const line = out.split('\n')[0]
      if (out.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port)
    })
    child.once('exit', (code) => reject(new Error(`s3rver exited with code ${code}`)))
  })
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    credentials,
    pid: child.pid,
    env: {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: 'us-east-1',
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
