import { resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config/load-config.js'
import { createWorkdir } from './helpers/workdir.js'

const work = createWorkdir()
afterAll(() => work.remove())
const rules = `rules: ${JSON.stringify(resolve('test/fixtures/rules.yml'))}\n`
const load = (text: string) =>
  loadConfig({ path: work.write('dumpling.yml', rules + text), env: {} })

describe('schedule, verify and runner config', () => {
  it('defaults: no schedule, restore auto, leak scan on, in-process runner', () => {
    const config = load('')
    expect(config.schedule).toBeNull()
    expect(config.verify).toEqual({ restore: 'auto', leakScan: 'on' })
    expect(config.runner).toEqual({ kind: 'inprocess' })
  })

  it('rejects a cron pattern croner cannot read, naming the line and the fix', () => {
    expect(() => load('schedule:\n  cron: "61 3 * * *"\n')).toThrow(
      /dumpling\.yml:3:\d+: schedule\.cron "61 3 \* \* \*" is not a cron pattern \(.*minute.*\)\. Write five fields/,
    )
  })

  it('refuses a password written into verify.restoreUrl', () => {
    expect(() => load('verify:\n  restoreUrl: postgres://u:hunter2@scratch/postgres\n')).toThrow(
      /dumpling\.yml:\d+:\d+: verify\.restoreUrl holds a password/,
    )
  })

  it('rejects an unknown time zone', () => {
    expect(() => load('schedule:\n  cron: "0 3 * * *"\n  timezone: Europe/Atlantis\n')).toThrow(
      /schedule\.timezone "Europe\/Atlantis" is not a time zone/,
    )
  })

  it('needs a function name for the Lambda runner and a program for the command runner', () => {
    expect(() => load('runner:\n  kind: lambda\n')).toThrow(/runner\.functionName/)
    expect(() => load('runner:\n  kind: command\n  argv: []\n')).toThrow(/runner\.argv/)
    expect(() => load('verify:\n  restore: sometimes\n')).toThrow(/verify\.restore/)
  })
})
