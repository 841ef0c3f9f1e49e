import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The CLI next to this file: dist/cli/index.js when this runs from dist/. */
export const cliPath = fileURLToPath(new URL('./index.js', import.meta.url))

/**
 * The Node options the `dumpling` command starts with: those after `node` on the
 * first line of the CLI (`#!/usr/bin/env -S node --single-threaded`). Whoever
 * starts the CLI with `node` itself (the benches, the serve process) passes these,
 * so it runs as the installed command does.
 *
 * `--single-threaded` keeps V8 from running garbage collection and compilation on
 * background threads. A snapshot's transform threads already keep every core busy,
 * and the background work only competed with them: alternating runs of the bench's
 * snapshot took about 12 % less time and CPU with it (README, "Benchmark").
 */
export function cliNodeFlags(cli = cliPath): string[] {
  const first = readFileSync(cli, 'utf8').split('\n', 1)[0] ?? ''
  const match = /^#!\S*env -S node((?: --?[\w-]+(?:=\S+)?)*)\s*$/.exec(first)
  if (!match) throw new Error(`${cli}: its first line is not "#!/usr/bin/env -S node [flags]"`)
  return (match[1] ?? '').split(' ').filter((f) => f !== '')
}
