import { readFileSync } from 'node:fs'

/** The version in package.json, read once (works from src/ under vitest and from dist/). */
export const toolVersion: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
).version
