import { randomBytes } from 'node:crypto'
import { freePort, startServeProcess } from '../slack/serve-process.js'
import { signedCommand, startSlackStandIn } from '../slack/slack-stand-in.js'
import type { Teardown } from './teardown.js'

/** The ids dumpling.yml's allowlists name, and the ones the request comes from. */
export const demoSlack = {
  team: 'T0DEMO',
  channel: 'C0DEMO',
  user: 'U0DEMO',
  auditChannel: 'C0AUDIT',
} as const

export interface LinkReply {
  /** Where `dumpling serve` listens. */
  base: string
  /** HTTP status of the signed request (Slack's ack), and how long it took. */
  ackStatus: number
  ackMs: number
  responseType: string
  /** The ephemeral reply as Slack would show it: links and dates as plain text. */
  lines: string[]
  /** The download link in the reply: a bearer token. */
  link: string
  expiresAt: Date
}

/**
 * Start `dumpling serve` (the real command, as a child process) against a local
 * stand-in for Slack's Web API, send it a signed `/dump latest` as Slack would,
 * and return the ephemeral reply posted to the response_url.
 */
export async function askForLink(env: NodeJS.ProcessEnv, teardown: Teardown): Promise<LinkReply> {
  const slack = await startSlackStandIn()
  teardown.defer(slack.close)
  const signingSecret = randomBytes(24).toString('hex')
  const serve = startServeProcess({
    env: {
      ...env,
      SLACK_BOT_TOKEN: `xoxb-demo-${randomBytes(12).toString('hex')}`,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.apiUrl,
      // HTTP mode here, whatever the shell says.
      SLACK_APP_TOKEN: '',
      LOG_LEVEL: 'warn',
    },
    port: await freePort(),
    output: 'capture',
  })
  teardown.defer(serve.stop)
  await serve.ready()

  const response = slack.responseUrl()
  const { headers, body } = signedCommand(signingSecret, {
    text: 'latest',
    team_id: demoSlack.team,
    channel_id: demoSlack.channel,
    user_id: demoSlack.user,
    trigger_id: `demo.${response.id}`,
    response_url: response.url,
  })
  const replied = slack.waitForReply(response.id, 15_000)
  replied.catch(() => {})
  const t0 = performance.now()
  const res = await fetch(`${serve.base}/slack/events`, { method: 'POST', headers, body })
  await res.arrayBuffer()
  const ackMs = performance.now() - t0
  if (res.status !== 200) {
    throw new Error(`dumpling serve answered the signed /dump latest with HTTP ${res.status}.`)
  }
  const reply = await replied
  const text = String(reply.text ?? '')
  const link = /<(https?:\/\/[^|>]+)\|Download dump\.sql\.gz>/.exec(text)?.[1]
  const until = /<!date\^(\d+)\^/.exec(text)?.[1]
  if (!link || !until) {
    throw new Error(`The reply to /dump latest held no download link: ${text.slice(0, 200)}`)
  }
  return {
    base: serve.base,
    ackStatus: res.status,
    ackMs,
    responseType: String(reply.response_type),
    lines: plainText(text).split('\n'),
    link,
    expiresAt: new Date(Number(until) * 1000),
  }
}

/** Slack mrkdwn as Slack shows it: `<url|label>` → `label: url`, `<!date^…|fallback>` → fallback. */
function plainText(text: string): string {
  return text
    .replace(/<!date\^[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<(https?:\/\/[^|>]+)\|([^>]+)>/g, '$2: $1')
    .replace(/```/g, '\n')
    .replace(/\n+/g, '\n')
    .trim()
}
