import { describe, expect, it } from 'vitest'
import { parseCommand } from './parse-command.js'

describe('parseCommand', () => {
  it('reads each verb alone, in any case and with surrounding spaces', () => {
    expect(parseCommand('latest')).toEqual({ kind: 'latest' })
    expect(parseCommand('  Refresh ')).toEqual({ kind: 'refresh' })
    expect(parseCommand('STATUS')).toEqual({ kind: 'status' })
  })

  it('answers an empty command and "help" with the help text', () => {
    expect(parseCommand('')).toEqual({ kind: 'help', unknown: null })
    expect(parseCommand(undefined)).toEqual({ kind: 'help', unknown: null })
    expect(parseCommand('help')).toEqual({ kind: 'help', unknown: null })
  })

  it('never guesses: extra words, typos and prefixes get the help text', () => {
    expect(parseCommand('latest please')).toEqual({ kind: 'help', unknown: 'latest please' })
    expect(parseCommand('lastest')).toEqual({ kind: 'help', unknown: 'lastest' })
    expect(parseCommand('refresh now')).toEqual({ kind: 'help', unknown: 'refresh now' })
    expect(parseCommand('lat')).toEqual({ kind: 'help', unknown: 'lat' })
  })

  it('keeps what it echoes back short', () => {
    const parsed = parseCommand(`x${'y'.repeat(500)}`)
    expect(parsed.kind === 'help' && parsed.unknown?.length).toBe(80)
  })
})
