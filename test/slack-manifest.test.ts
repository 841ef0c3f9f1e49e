import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

const manifest = parse(readFileSync(new URL('../manifest.yml', import.meta.url), 'utf8'))

describe('manifest.yml', () => {
  it('declares /dump at Bolt’s default path with a usage hint', () => {
    const [dump] = manifest.features.slash_commands
    expect(dump).toMatchObject({ command: '/dump', usage_hint: expect.stringContaining('latest') })
    expect(new URL(dump.url).pathname).toBe('/slack/events')
  })

  it('asks only for the scopes the app uses', () => {
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual([
      'chat:write',
      'commands',
      'usergroups:read',
    ])
  })

  it('starts in HTTP mode, with Socket Mode one setting away', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(false)
  })
})
