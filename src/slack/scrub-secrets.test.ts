import { describe, expect, it } from 'vitest'
import { scrubSecrets } from './scrub-secrets.js'

describe('scrubSecrets', () => {
  it('removes tokens, signatures and URLs from free text', () => {
    const text = scrubSecrets(
      'POST https://hooks.slack.com/commands/T1/2/abc failed with xoxb-123-456-abc, xapp-1-A1-2-ff and v0=' +
        'a'.repeat(64),
    )
    expect(text).toBe('POST [url] failed with [token], [token] and [signature]')
  })
})
