import { describe, expect, it } from 'vitest'
import { putSnapshot } from '../../test/helpers/stored-snapshots.js'
import { createWorkdir } from '../../test/helpers/workdir.js'
import { createLocalStorage } from '../storage/local-storage.js'
import { createLatestSnapshot } from './latest-snapshot.js'

describe('createLatestSnapshot', () => {
  it('shows a first snapshot at once, remembers it briefly, and forgets it on request', async () => {
    const work = createWorkdir()
    try {
      const storage = createLocalStorage({
        dir: work.dir,
        publicUrl: 'http://localhost',
        linkSecret: null,
      })
      const latest = createLatestSnapshot(storage, 60_000)
      expect(await latest.get()).toBeNull()
      await putSnapshot(storage, '20261127T100000Z-aaaa')
      expect((await latest.get())?.id).toBe('20261127T100000Z-aaaa')
      await putSnapshot(storage, '20261127T110000Z-bbbb')
      expect((await latest.get())?.id).toBe('20261127T100000Z-aaaa')
      latest.forget()
      expect((await latest.get())?.id).toBe('20261127T110000Z-bbbb')
    } finally {
      work.remove()
    }
  })
})
