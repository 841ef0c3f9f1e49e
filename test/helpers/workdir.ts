import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A temporary folder for one test file, with a helper to write files into it. */
export function createWorkdir(): {
  dir: string
  write(name: string, text: string): string
  remove(): void
} {
  const dir = mkdtempSync(join(tmpdir(), 'dumpling-test-'))
  return {
    dir,
    write(name, text) {
      const path = join(dir, name)
      writeFileSync(path, text)
      return path
    },
    remove() {
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
