import { webApi } from '@slack/bolt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SlackStub, startSlackStub } from '../../test/helpers/slack.js'
import { createLogger } from '../logger.js'
import { createAuditChannel } from './audit-channel.js'

let stub: SlackStub
beforeAll(async () => {
  stub = await startSlackStub()
})
afterAll(() => stub.close())

describe('createAuditChannel', () => {
  it('sends lines that arrive together as few messages, in order, at most one per interval', async () => {
    const client = new webApi.WebClient('xoxb-test', { slackApiUrl: stub.apiUrl })
    const channel = createAuditChannel(client, 'C0AUDIT', createLogger({ level: 'silent' }), 300)
    const started = Date.now()
    for (let i = 1; i <= 20; i++) channel.post(`line ${i}`)
    await new Promise((r) => setTimeout(r, 50))
    for (let i = 21; i <= 25; i++) channel.post(`line ${i}`)
    await channel.settle()
    const posts = stub.posts.filter((p) => p.path === '/api/chat.postMessage')
    expect(posts.length).toBeLessThanOrEqual(3)
    const lines = posts.flatMap((p) => String(p.body.text).split('\n'))
    expect(lines).toEqual(Array.from({ length: 25 }, (_, i) => `line ${i + 1}`))
    expect(posts.every((p) => p.body.channel === 'C0AUDIT')).toBe(true)
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('after settle() sends nothing more: no timer left behind posts an empty message later', async () => {
    const client = new webApi.WebClient('xoxb-test', { slackApiUrl: stub.apiUrl })
    const before = stub.posts.length
    const channel = createAuditChannel(client, 'C0SETTLE', createLogger({ level: 'silent' }), 100)
    // Long lines: several messages' worth, each sent by settle() and each scheduling the next.
    for (let i = 1; i <= 40; i++) channel.post(`line ${i} ${'x'.repeat(400)}`)
    await channel.settle()
    const settled = stub.posts.length
    await new Promise((r) => setTimeout(r, 400))
    const posts = stub.posts.slice(before).filter((p) => p.path === '/api/chat.postMessage')
    expect(stub.posts.length).toBe(settled)
    expect(posts.every((p) => String(p.body.text) !== '')).toBe(true)
    expect(posts.flatMap((p) => String(p.body.text).split('\n'))).toHaveLength(40)
  })

  it('holds at most maxWaiting lines, dropping the oldest and saying how many in the next message', async () => {
    const client = new webApi.WebClient('xoxb-test', { slackApiUrl: stub.apiUrl })
    const before = stub.posts.length
    const channel = createAuditChannel(client, 'C0BOUND', createLogger({ level: 'silent' }), 300, 5)
    for (let i = 1; i <= 12; i++) channel.post(`event ${i}`)
    await channel.settle()
    const posts = stub.posts.slice(before).filter((p) => p.path === '/api/chat.postMessage')
    const lines = posts.flatMap((p) => String(p.body.text).split('\n'))
    expect(lines[0]).toMatch(/^\(7 earlier audit lines were not posted here/)
    expect(lines.slice(1)).toEqual(['event 8', 'event 9', 'event 10', 'event 11', 'event 12'])
  })
})
