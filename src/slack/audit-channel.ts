import type { webApi } from '@slack/bolt'
import type { Logger } from '../logger.js'

/** Posts to the audit channel without ever holding up a reply; failures are logged, not thrown. */
export interface AuditChannel {
  post(text: string): void
  /** Wait for posts still in flight (tests, shutdown). */
  settle(): Promise<void>
}

export function createAuditChannel(
  client: webApi.WebClient,
  channel: string | undefined,
  log: Logger,
): AuditChannel {
  const pending = new Set<Promise<void>>()
  return {
    post(text) {
      if (!channel) return
      const p = client.chat
        .postMessage({ channel, text, unfurl_links: false, unfurl_media: false })
        .then(
          () => {},
          (err: { code?: string; data?: { error?: string } }) => {
            // not_in_channel, channel_not_found, rate limits: the audit object is already stored.
            log.warn({ code: err.code, error: err.data?.error }, 'audit channel post failed')
          },
        )
        .finally(() => pending.delete(p))
      pending.add(p)
    },
    async settle() {
      await Promise.all(pending)
    },
  }
}
