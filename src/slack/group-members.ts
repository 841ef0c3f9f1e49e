import type { webApi } from '@slack/bolt'
import type { Logger } from '../logger.js'

/** Which of the given user groups a user is in, from usergroups.users.list, cached a few minutes. */
export interface GroupMembers {
  groupsOf(user: string, groups: readonly string[]): Promise<Set<string>>
}

export function createGroupMembers(
  client: webApi.WebClient,
  log: Logger,
  ttlMs = 5 * 60_000,
): GroupMembers {
  const cache = new Map<string, { at: number; members: Promise<Set<string>> }>()
  const membersOf = (group: string): Promise<Set<string>> => {
    const hit = cache.get(group)
    if (hit && Date.now() - hit.at < ttlMs) return hit.members
    const members = client.usergroups.users
      .list({ usergroup: group })
      .then((r) => new Set(r.users ?? []))
      .catch((err: { code?: string; data?: { error?: string } }) => {
        // Fail closed: an unreadable group admits nobody, and is asked again next time.
        log.warn(
          { group, code: err.code, error: err.data?.error },
          'could not read user group members',
        )
        cache.delete(group)
        return new Set<string>()
      })
    cache.set(group, { at: Date.now(), members })
    return members
  }
  return {
    async groupsOf(user, groups) {
      const found = new Set<string>()
      for (const group of groups) {
        if ((await membersOf(group)).has(user)) found.add(group)
      }
      return found
    },
  }
}
