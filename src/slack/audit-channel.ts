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
/**
 * Lines held for the channel at most. At one message a second a sustained burst far above
 * any real Slack traffic would otherwise grow the queue without end; past this bound the
 * oldest lines are dropped and the next message says how many (every event is in the
 * durable audit trail regardless).
 */
const defaultMaxWaiting = 10_000

export function createAuditChannel(
  client: webApi.WebClient,
  channel: string | undefined,
  log: Logger,
  intervalMs = 1000,
  maxWaiting = defaultMaxWaiting,
): AuditChannel {
  const waiting: string[] = []
  let dropped = 0
  let sending: Promise<void> | null = null
  let timer: NodeJS.Timeout | null = null
  let lastSent = 0

  const takeBatch = (): string => {
    const lines: string[] = []
    let size = 0
    if (dropped > 0) {
      const note = `(${dropped} earlier audit ${dropped === 1 ? 'line was' : 'lines were'} not posted here: too many at once for the channel. The audit objects in storage hold every event.)`
      log.warn({ dropped }, 'audit channel lines dropped')
      dropped = 0
      lines.push(note)
      size += note.length + 1
    }
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
    // settle() sends too: the timer that would have sent these goes, or it would post an empty message later.
    if (timer) clearTimeout(timer)
    timer = null
    if (waiting.length === 0 && dropped === 0) return Promise.resolve()
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
      if (waiting.length > maxWaiting) {
        waiting.splice(0, waiting.length - maxWaiting)
        dropped++
      }
      schedule()
    },
    async settle() {
      if (timer) clearTimeout(timer)
      timer = null
      while (sending || waiting.length > 0) await (sending ?? send())
    },
  }
}
