import { readFileSync } from 'node:fs'

/**
 * The Node flags the built CLI's `#!/usr/bin/env -S node …` line asks for, so the
 * bench runs `dumpling` exactly as an installed one runs (the flags bound its memory).
 */
export function shebangFlags(cliPath: string): string[] {
  const first = readFileSync(cliPath, 'utf8').split('\n', 1)[0] ?? ''
  const match = /^#!\/usr\/bin\/env -S node((?:\s+--[\w-]+(?:=\S+)?)*)\s*$/.exec(first)
  return match?.[1]?.trim().split(/\s+/).filter(Boolean) ?? []
}
