/**
 * `work`, or a rejection with the signal's reason as soon as it aborts, so
 * Ctrl-C never waits for a step that cannot be cancelled. A late failure of
 * `work` after that is expected (its server is being stopped) and ignored.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => {})
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
