/** Slack tokens, signatures and every URL (a response_url or a link is a bearer token). */
export function scrubSecrets(text: string): string {
  return text
    .replace(/\bxox[a-z]-[A-Za-z0-9-]+/g, '[token]')
    .replace(/\bxapp-[A-Za-z0-9-]+/g, '[token]')
    .replace(/\bv0=[0-9a-f]{64}\b/g, '[signature]')
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>|]+/gi, '[url]')
}
