import type { webApi } from '@slack/bolt'
import type { Logger } from '../logger.js'

/**
 * Posts to the audit channel without ever holding up a reply. Slack allows about one
 * message a second per channel, so lines that arrive together are sent as one message,
 * at most one message per `intervalMs`. Failures (not_in_channel, rate limits after the
 * client's retries) are logged, never thrown: every event is already stored durably.
 */
export interface AuditChannel {
  post(text: string): void
  /** Send what is waiting now and wait for it (tests, shutdown). */
  settle(): Promise<void>
}

/** Slack cuts messages at 40,000 characters; stay far below, readable in a channel. */
const maxChars = 3500

export function createAuditChannel(
  client: webApi.WebClient,
  channel: string | undefined,
  log: Logger,
  intervalMs = 1000,
): AuditChannel {
  const waiting: string[] = []
  let sending: Promise<void> | null = null
  let timer: NodeJS.Timeout | null = null
  let lastSent = 0

  const takeBatch = (): string => {
    const lines: string[] = []
    let size = 0
    while (waiting.length > 0 && size + (waiting[0]?.length ?? 0) < maxChars) {
      const line = waiting.shift() as string
      lines.push(line)
      size += line.length + 1
    }
    // A single line longer than the limit still goes, cut.
    if (lines.length === 0) lines.push((waiting.shift() ?? '').slice(0, maxChars))
    return lines.join('\n')
  }

  const send = (): Promise<void> => {
    timer = null
    lastSent = Date.now()
    const text = takeBatch()
    sending = client.chat
      .postMessage({ channel: channel as string, text, unfurl_links: false, unfurl_media: false })
      .then(
        () => {},
        (err: { code?: string; data?: { error?: string } }) => {
          log.warn({ code: err.code, error: err.data?.error }, 'audit channel post failed')
        },
      )
      .finally(() => {
        sending = null
        schedule()
      })
    return sending
  }

  const schedule = () => {
    if (waiting.length === 0 || sending || timer) return
    const wait = Math.max(0, lastSent + intervalMs - Date.now())
    timer = setTimeout(send, wait)
    timer.unref()
  }

  return {
    post(text) {
      if (!channel) return
      waiting.push(text)
      schedule()
    },
    async settle() {
      if (timer) clearTimeout(timer)
      timer = null
      while (sending || waiting.length > 0) await (sending ?? send())
    },
  }
}
