import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The CLI next to this file: dist/cli/index.js when this runs from dist/. */
export const cliPath = fileURLToPath(new URL('./index.js', import.meta.url))

/**
 * `--single-threaded` keeps V8 from running garbage collection and compilation on
 * background threads. A snapshot's transform threads already keep every core busy,
 * and the background work only competed with them: alternating runs of the bench's
 * snapshot took about 12 % less time and CPU with it (README, "Benchmark").
 *
 * `dumpling serve` runs without it: it answers bursts of commands on one thread while
 * the other cores are mostly idle, and with the flag V8 optimized serve's hot code on
 * that thread, in the middle of the first burst (about a hundred compiles of up to
 * 18 ms each, 390 ms in all, during the serve bench's first second). Without it the
 * reply p99 was 60-89 ms against 71-144 ms (README, "The Slack app under load").
 * Started with the flag, serve runs itself again without it (respawn.ts).
 */
export const singleThreaded = '--single-threaded'

/**
 * The Node options the `dumpling` command starts with: those after `node` on the
 * first line of the CLI (`#!/usr/bin/env -S node --single-threaded`). Whoever
 * starts the CLI with `node` itself (the benches) passes these, so it runs as the
 * installed command does.
 */
export function cliNodeFlags(cli = cliPath): string[] {
  const first = readFileSync(cli, 'utf8').split('\n', 1)[0] ?? ''
  const match = /^#!\S*env -S node((?: --?[\w-]+(?:=\S+)?)*)\s*$/.exec(first)
  if (!match) throw new Error(`${cli}: its first line is not "#!/usr/bin/env -S node [flags]"`)
  return (match[1] ?? '').split(' ').filter((f) => f !== '')
}

/** The Node options `dumpling serve` runs with: the CLI's, without `--single-threaded` (see above). */
export function serveNodeFlags(cli = cliPath): string[] {
  return cliNodeFlags(cli).filter((flag) => flag !== singleThreaded)
}
