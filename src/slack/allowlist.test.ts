import { describe, expect, it } from 'vitest'
import { type AccessRules, checkAccess, type Requester } from './allowlist.js'

const rules: AccessRules = {
  teams: ['T1', 'E1'],
  channels: ['C1'],
  allowDirectMessages: false,
  users: ['U1'],
  userGroups: ['S1'],
  leads: ['U9'],
  leadGroups: ['S9'],
}
const who: Requester = { team: 'T1', enterprise: null, user: 'U1', channel: 'C1' }
const none = new Set<string>()

describe('checkAccess', () => {
  it('allows a listed user in a listed channel of a listed team', () => {
    expect(checkAccess(rules, who, none, false)).toEqual({ allowed: true })
  })

  it('allows an org-wide app by enterprise id', () => {
    const grid = { ...who, team: 'T7', enterprise: 'E1' }
    expect(checkAccess(rules, grid, none, false)).toEqual({ allowed: true })
  })

  it('refuses another workspace before anything else', () => {
    const access = checkAccess(
      rules,
      { ...who, team: 'T2', channel: 'C2', user: 'U2' },
      none,
      false,
    )
    expect(access).toMatchObject({ allowed: false, check: 'team' })
  })

  it('refuses an unlisted channel, and direct messages unless turned on', () => {
    expect(checkAccess(rules, { ...who, channel: 'C2' }, none, false)).toMatchObject({
      check: 'channel',
    })
    expect(checkAccess(rules, { ...who, channel: 'D1' }, none, false)).toMatchObject({
      check: 'channel',
    })
    const dms = { ...rules, allowDirectMessages: true }
    expect(checkAccess(dms, { ...who, channel: 'D1' }, none, false)).toEqual({ allowed: true })
  })

  it('refuses an unlisted user, and lets a member of an allowed group in', () => {
    const stranger = { ...who, user: 'U2' }
    expect(checkAccess(rules, stranger, none, false)).toMatchObject({ check: 'user' })
    expect(checkAccess(rules, stranger, new Set(['S1']), false)).toEqual({ allowed: true })
  })

  it('lets only leads refresh, by id or lead group, and counts leads as users', () => {
    expect(checkAccess(rules, who, none, true)).toMatchObject({ check: 'lead' })
    expect(checkAccess(rules, { ...who, user: 'U9' }, none, true)).toEqual({ allowed: true })
    expect(checkAccess(rules, { ...who, user: 'U3' }, new Set(['S9']), true)).toEqual({
      allowed: true,
    })
    expect(checkAccess(rules, { ...who, user: 'U9' }, none, false)).toEqual({ allowed: true })
  })

  it('denies everyone when nothing is configured', () => {
    const empty: AccessRules = {
      ...rules,
      teams: [],
      channels: [],
      users: [],
      userGroups: [],
      leads: [],
      leadGroups: [],
    }
    expect(checkAccess(empty, who, none, false)).toMatchObject({ allowed: false })
  })

  it('never names who is allowed in a reason', () => {
    for (const [w, lead] of [
      [{ ...who, team: 'T2' }, false],
      [{ ...who, channel: 'C2' }, false],
      [{ ...who, user: 'U2' }, false],
      [who, true],
    ] as const) {
      const access = checkAccess(rules, w, none, lead)
      expect(access.allowed).toBe(false)
      if (!access.allowed) expect(access.reason).not.toMatch(/[TCUSE][0-9]/)
    }
  })
})
