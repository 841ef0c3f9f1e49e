import { describe, expect, it } from 'vitest'
import { s3ErrorCode, turnsFastPathOff } from './s3-error-code.js'

describe('s3ErrorCode', () => {
  it("reads S3's error code from an error document", async () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>RequestTimeTooSkewed</Code><Message>m</Message></Error>'
    expect(await s3ErrorCode([Buffer.from(xml.slice(0, 50)), Buffer.from(xml.slice(50))])).toBe(
      'RequestTimeTooSkewed',
    )
    expect(await s3ErrorCode([])).toBeNull()
    expect(await s3ErrorCode(['<html>Forbidden</html>'])).toBeNull()
  })

  it('reads no more than a few KiB of a long answer', async () => {
    let read = 0
    async function* endless() {
      for (;;) {
        read += 1024
        yield Buffer.alloc(1024, 'x')
      }
    }
    expect(await s3ErrorCode(endless())).toBeNull()
    expect(read).toBeLessThanOrEqual(4096)
  })
})

describe('turnsFastPathOff', () => {
  it('turns off on a refused request form only, not on one-off refusals', () => {
    for (const code of [
      'SignatureDoesNotMatch',
      'AccessDenied',
      'InvalidRequest',
      'InvalidArgument',
    ]) {
      expect(turnsFastPathOff(code)).toBe(true)
    }
    for (const code of [
      'RequestTimeTooSkewed',
      'RequestTimeout',
      'ExpiredToken',
      'SlowDown',
      'InternalError',
    ]) {
      expect(turnsFastPathOff(code)).toBe(false)
    }
  })
})
