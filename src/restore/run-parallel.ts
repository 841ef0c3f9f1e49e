import type pg from 'pg'

/**
 * Run `items` over `clients`, each client taking the next item when it is
 * free. The first failure stops the others from taking more and is thrown.
 */
export async function runParallel<T>(
  clients: pg.Client[],
  items: T[],
  fn: (client: pg.Client, item: T) => Promise<void>,
): Promise<void> {
  let next = 0
  let failed = false
  await Promise.all(
    clients.map(async (client) => {
      while (!failed && next < items.length) {
        const item = items[next++] as T
        try {
          await fn(client, item)
        } catch (err) {
          failed = true
          throw err
        }
      }
    }),
  )
}
