import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, onTestFinished } from 'vitest'
import { cliNodeFlags, serveNodeFlags } from './node-flags.js'

describe('cliNodeFlags', () => {
  it("reads the CLI's own first line: V8 keeps its work on the threads Dumpling runs", () => {
    const source = fileURLToPath(new URL('./index.ts', import.meta.url))
    expect(cliNodeFlags(source)).toEqual(['--single-threaded'])
  })

  it('reads any flags, and refuses a first line that is not `env -S node`', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dumpling-flags-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    const with2 = join(dir, 'a.js')
    writeFileSync(with2, '#!/usr/bin/env -S node --single-threaded --max-old-space-size=512\n')
    expect(cliNodeFlags(with2)).toEqual(['--single-threaded', '--max-old-space-size=512'])
    // serve keeps V8's background threads, and every other flag.
    expect(serveNodeFlags(with2)).toEqual(['--max-old-space-size=512'])
    const plain = join(dir, 'b.js')
    writeFileSync(plain, '#!/usr/bin/env node\n')
    expect(() => cliNodeFlags(plain)).toThrow(/first line is not/)
  })
})
