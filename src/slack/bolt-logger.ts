import { format } from 'node:util'
import { type Logger as BoltLogger, LogLevel } from '@slack/bolt'
import type { Logger } from '../logger.js'
import { scrubSecrets } from './scrub-secrets.js'

/**
 * Bolt's and the Web API client's logs through our pino logger. Their messages are
 * free text (a failed request may quote a URL or a header), so tokens and URLs are
 * scrubbed from the text before it is written; pino's redact only sees keys.
 */
export function createBoltLogger(log: Logger): BoltLogger {
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...msg: unknown[]) => {
      if (log.isLevelEnabled(level)) log[level](scrubSecrets(format(...msg)))
    }
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    // The level is ours (LOG_LEVEL); Bolt may not change it.
    setLevel: () => {},
    getLevel: () => (log.level as LogLevel) ?? LogLevel.INFO,
    setName: () => {},
  }
}
