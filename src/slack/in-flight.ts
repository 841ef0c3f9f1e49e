/** Work still running (commands' replies), so that shutdown can wait for it. */
export interface InFlight {
  /** Keeps `work` until it settles; returns it. */
  track<T>(work: Promise<T>): Promise<T>
  readonly size: number
  /** Settles once all that is running now has settled (work tracked meanwhile is not waited for). */
  current(): Promise<unknown>
}

export function createInFlight(): InFlight {
  const running = new Set<Promise<unknown>>()
  return {
    track(work) {
      running.add(work)
      const forget = () => running.delete(work)
      work.then(forget, forget)
      return work
    },
    get size() {
      return running.size
    },
    current: () => Promise.allSettled([...running]),
  }
}
