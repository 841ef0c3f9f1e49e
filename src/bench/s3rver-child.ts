/**
 * Runs s3rver in a process of its own, so the load generator's timings do not
 * include the fake S3's work: `node s3rver-child.js DIR BUCKET` prints the port.
 */
const [directory, bucket] = process.argv.slice(2)
// Loaded by name: s3rver (a dev dependency) ships no types, and only the bench needs it.
const name = 's3rver'
const { default: S3rver } = (await import(name)) as {
  default: new (options: object) => { run(): Promise<{ port: number }>; close(): Promise<void> }
}
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: [{ name: bucket }],
})
const { port } = await server.run()
process.stdout.write(`${JSON.stringify({ port })}\n`)
process.once('SIGTERM', () => {
  server.close().finally(() => process.exit(0))
})
