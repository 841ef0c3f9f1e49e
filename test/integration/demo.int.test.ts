import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { runDemo } from '../../src/demo/run-demo.js'

describe('dumpling demo', () => {
  it('restores an anonymized copy and shows every personal value changed', async () => {
    let text = ''
    const out = new Writable({
      write(chunk, _enc, done) {
        text += String(chunk)
        done()
      },
    })
    await runDemo(out)
    const pairs = [...text.matchAll(/^ {5}(email|full_name|phone) +(.+?) +→ (.+)$/gm)]
    expect(pairs).toHaveLength(12)
    for (const [, , original, fake] of pairs) {
      expect(fake).not.toBe(original)
      expect(fake).not.toBe('undefined')
    }
    expect(text).toContain('alice.liddell@wonderland.test')
  }, 120_000)
})
