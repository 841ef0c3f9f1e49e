import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { checkPgDump, libpqConnection, probePgDump } from './pg-dump.js'

describe('probePgDump and checkPgDump', () => {
  const findPgDump = async (num: number, version: string) =>
    checkPgDump(await probePgDump(), num, version)
  const dir = mkdtempSync(join(tmpdir(), 'dumpling-pgbin-'))
  const saved = process.env.PG_BIN
  afterEach(() => {
    if (saved === undefined) delete process.env.PG_BIN
    else process.env.PG_BIN = saved
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  function fakePgDump(version: string) {
    const path = join(dir, 'pg_dump')
    writeFileSync(path, `#!/bin/sh\necho "pg_dump (PostgreSQL) ${version}"\n`)
    chmodSync(path, 0o755)
    process.env.PG_BIN = dir
  }

  it('says which client to install when pg_dump is older than the server', async () => {
    fakePgDump('12.3')
    await expect(findPgDump(160002, '16.2')).rejects.toMatchObject({
      code: 'pg_dump_too_old',
      message: expect.stringMatching(
        /version 12\.3, older than the source server \(16\.2\).*postgresql-client-16/,
      ),
    })
  })

  it('says which client to install when there is no pg_dump', async () => {
    process.env.PG_BIN = join(dir, 'empty')
    await expect(findPgDump(160002, '16.2')).rejects.toMatchObject({
      code: 'pg_dump_missing',
      message: expect.stringContaining('postgresql-client-16'),
    })
  })

  it('accepts a pg_dump as new as the server or newer', async () => {
    fakePgDump('17.1')
    await expect(findPgDump(160002, '16.2')).resolves.toMatchObject({
      major: 17,
      path: join(dir, 'pg_dump'),
    })
  })
})

describe('libpqConnection', () => {
  it('moves the password out of the URL into PGPASSWORD', () => {
    const { dbArg, env } = libpqConnection(
      'postgres://reader:s%40cret@db.internal:5432/app?sslmode=require',
    )
    expect(dbArg).toBe('postgres://reader@db.internal:5432/app?sslmode=require')
    expect(env.PGPASSWORD).toBe('s@cret')
  })
})
