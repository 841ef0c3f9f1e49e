/** What the demo started, to stop in reverse order when it ends, however it ends. */
export interface Teardown {
  /**
   * Register how to stop or remove something, as soon as it exists. After `close`
   * (a step that finished after Ctrl-C), it is stopped at once.
   */
  defer(stop: () => Promise<unknown>): void
  /** Run every registered stop, newest first; one failing does not keep the others from running. */
  close(): Promise<void>
}

export function createTeardown(): Teardown {
  const stops: Array<() => Promise<unknown>> = []
  let closed = false
  return {
    defer(stop) {
      if (closed) stop().catch(() => {})
      else stops.push(stop)
    },
    async close() {
      closed = true
      for (let stop = stops.pop(); stop; stop = stops.pop()) {
        await stop().catch(() => {})
      }
    },
  }
}
