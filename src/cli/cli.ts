/** What a command may touch: its streams and environment, passed in so tests can run it. */
export interface Cli {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream & { isTTY?: boolean }
  env: NodeJS.ProcessEnv
  /** For questions on a terminal (restore's confirmation); absent in tests. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean }
}
