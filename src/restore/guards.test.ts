import { describe, expect, it } from 'vitest'
import { AppError } from '../errors.js'
import {
  checkSessions,
  checkSourceIdentity,
  checkTarget,
  isLocalHost,
  parseTarget,
} from './guards.js'

const policy = { allowedTargets: [], protectedDatabases: ['app_prod'] }

function codeOf(fn: () => void): string | null {
  try {
    fn()
    return null
  } catch (err) {
    if (err instanceof AppError) return err.code
    throw err
  }
}

describe('isLocalHost', () => {
  it('accepts localhost, 127.0.0.0/8, ::1 and socket folders', () => {
    for (const h of [
      'localhost',
      '127.0.0.1',
      '127.8.9.10',
      '::1',
      '0:0:0:0:0:0:0:1',
      '/var/run/postgresql',
    ]) {
      expect(isLocalHost(h), h).toBe(true)
    }
  })

  it('refuses every other host, including look-alikes', () => {
    for (const h of [
      'db.internal',
      '10.0.0.5',
      '128.0.0.1',
      'localhost.evil.com',
      '127.0.0.1.nip.io',
      '::2',
      'fe80::1',
    ]) {
      expect(isLocalHost(h), h).toBe(false)
    }
  })
})

describe('parseTarget', () => {
  it('reads host, port and database, and a socket folder from ?host=', () => {
    expect(parseTarget('postgres://me:secret@localhost:5433/app_dev')).toEqual({
      host: 'localhost',
      port: 5433,
      database: 'app_dev',
    })
    expect(parseTarget('postgres:///app_dev?host=/tmp')).toMatchObject({ host: '/tmp', port: 5432 })
    expect(parseTarget('postgresql://[::1]/x')).toMatchObject({ host: '::1' })
  })

  it('refuses a URL without a database, or not a postgres URL', () => {
    expect(codeOf(() => parseTarget('postgres://localhost'))).toBe('usage')
    expect(codeOf(() => parseTarget('mysql://localhost/x'))).toBe('usage')
    expect(codeOf(() => parseTarget('app_dev'))).toBe('usage')
  })
})

describe('checkTarget', () => {
  it('refuses a remote host unless restore.allowedTargets lists it, and says how', () => {
    const remote = parseTarget('postgres://db.internal/app_dev')
    expect(() => checkTarget(remote, policy)).toThrow(
      /db\.internal is not this machine.*restore\.allowedTargets/s,
    )
    expect(
      codeOf(() => checkTarget(remote, { ...policy, allowedTargets: ['DB.internal'] })),
    ).toBeNull()
  })

  it('refuses protected and system databases', () => {
    expect(() => checkTarget(parseTarget('postgres://localhost/app_prod'), policy)).toThrow(
      /protected.*restore\.protectedDatabases/,
    )
    expect(codeOf(() => checkTarget(parseTarget('postgres://localhost/postgres'), policy))).toBe(
      'restore_refused',
    )
    expect(
      codeOf(() => checkTarget(parseTarget('postgres://localhost/app_dev'), policy)),
    ).toBeNull()
  })

  it('refuses a name too long for the scratch database', () => {
    expect(
      codeOf(() => checkTarget(parseTarget(`postgres://localhost/${'a'.repeat(40)}`), policy)),
    ).toBe('usage')
  })
})

describe('checkSourceIdentity', () => {
  const target = parseTarget('postgres://localhost/app_dev')
  it('refuses the source server itself', () => {
    expect(() => checkSourceIdentity(target, '7312', '7312')).toThrow(/REFUSED.*7312/)
    expect(codeOf(() => checkSourceIdentity(target, '7312', '9999'))).toBeNull()
  })
})

describe('checkSessions', () => {
  const session = {
    pid: 42,
    database: 'app_dev',
    user: 'me',
    application: 'rails',
    client: '127.0.0.1',
  }
  it('names open sessions and refuses without --force-disconnect', () => {
    expect(() => checkSessions([session], false)).toThrow(
      /pid 42 on app_dev: user me, application "rails".*--force-disconnect/s,
    )
    expect(codeOf(() => checkSessions([session], true))).toBeNull()
    expect(codeOf(() => checkSessions([], false))).toBeNull()
  })
})
