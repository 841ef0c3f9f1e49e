import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createDemoOutput } from './demo-output.js'

function capture(isTTY: boolean) {
  let text = ''
  const out = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk)
        done()
      },
    }),
    { isTTY },
  )
  return { out, text: () => text }
}

describe('createDemoOutput', () => {
  it('numbers steps and indents lines under them', () => {
    const sink = capture(false)
    const demo = createDemoOutput(sink.out)
    demo.step(3, 'Take a snapshot')
    demo.say('one\ntwo')
    demo.command('dumpling snapshot')
    expect(sink.text()).toBe('\n3. Take a snapshot\n   one\n   two\n   $ dumpling snapshot\n')
  })

  it("indents a command's output, also a progress line rewritten after a carriage return", () => {
    const sink = capture(true)
    const cli = createDemoOutput(sink.out).cli({})
    cli.stderr.write('data…\n')
    cli.stderr.write('\r  rows 10')
    cli.stderr.write('\r  rows 20   ')
    cli.stderr.write('\nSnapshot done.\n')
    expect(sink.text()).toBe(
      '     data…\n\r       rows 10\r       rows 20   \n     Snapshot done.\n',
    )
    expect(cli.stderr.isTTY).toBe(true)
  })

  it('tells commands whether the output is a terminal, so progress shows only there', () => {
    expect(createDemoOutput(capture(false).out).cli({}).stderr.isTTY).toBe(false)
  })
})
