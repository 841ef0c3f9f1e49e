import type { SlackConfig } from '../config/load-config.js'

/** Who typed the command, and where, as Slack reported it. */
export interface Requester {
  team: string | null
  enterprise: string | null
  user: string
  channel: string
}

export type AccessRules = Pick<
  SlackConfig,
  'teams' | 'channels' | 'allowDirectMessages' | 'users' | 'userGroups' | 'leads' | 'leadGroups'
>

export type Access =
  | { allowed: true }
  | { allowed: false; check: 'team' | 'channel' | 'user' | 'lead'; reason: string }

/** Direct messages with the app have channel ids starting with D. */
export function isDirectMessage(channel: string): boolean {
  return channel.startsWith('D')
}

/** The user groups the access rules mention, so only those memberships are looked up. */
export function groupsToResolve(rules: AccessRules, needLead: boolean): string[] {
  return [...new Set([...rules.userGroups, ...(needLead ? rules.leadGroups : [])])]
}

/**
 * Deny by default: the team, the channel and the user must each be allowed, and a
 * refresh also needs a lead. `groups` holds the configured groups the user is in.
 * Reasons say which check failed, never who would pass it.
 */
export function checkAccess(
  rules: AccessRules,
  who: Requester,
  groups: ReadonlySet<string>,
  needLead: boolean,
): Access {
  const teamOk =
    (who.team !== null && rules.teams.includes(who.team)) ||
    (who.enterprise !== null && rules.teams.includes(who.enterprise))
  if (!teamOk) {
    return { allowed: false, check: 'team', reason: 'this workspace may not use Dumpling' }
  }
  if (isDirectMessage(who.channel)) {
    if (!rules.allowDirectMessages) {
      return {
        allowed: false,
        check: 'channel',
        reason: 'Dumpling does not take commands in direct messages; use an allowed channel',
      }
    }
  } else if (!rules.channels.includes(who.channel)) {
    return {
      allowed: false,
      check: 'channel',
      reason: 'Dumpling does not take commands in this channel',
    }
  }
  const isLead = rules.leads.includes(who.user) || rules.leadGroups.some((g) => groups.has(g))
  const isUser =
    isLead || rules.users.includes(who.user) || rules.userGroups.some((g) => groups.has(g))
  if (!isUser) {
    return {
      allowed: false,
      check: 'user',
      reason: 'you are not on the list of people who may get snapshots',
    }
  }
  if (needLead && !isLead) {
    return { allowed: false, check: 'lead', reason: 'only leads may start a snapshot' }
  }
  return { allowed: true }
}
