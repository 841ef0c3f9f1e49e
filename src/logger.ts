import { type DestinationStream, type Logger, pino } from 'pino'

export type { Logger }

/**
 * Keys whose values are secrets or bearer tokens. The code never logs them on
 * purpose; this is the safety net if one slips into a logged object.
 */
export const redactedPaths = [
  'url',
  'link',
  'token',
  'password',
  'secret',
  'authorization',
  'response_url',
  'responseUrl',
  '*.url',
  '*.link',
  '*.token',
  '*.password',
  '*.secret',
  '*.authorization',
  '*.response_url',
  '*.responseUrl',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["x-slack-signature"]',
]

export interface LoggerOptions {
  /** pino level; default `info`, or `LOG_LEVEL` read by the config loader. */
  level?: string
  /** Where lines go; default stdout. Tests pass a stream to read what was logged. */
  destination?: DestinationStream
}

/** The one root logger; parts take `log.child({ module })`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { app: 'dumpling' },
      redact: { paths: redactedPaths, censor: '[redacted]' },
    },
    options.destination,
  )
}
