import { createWriteStream } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream } from 'node:stream/web'
import type { Manifest } from '../snapshot/manifest.js'

/**
 * Download a `/dump latest` link into `dir` as dump.sql.gz, streaming, with the
 * manifest beside it (what `dumpling restore FILE` checks the dump against).
 * Returns the bytes received; fails when they are not the manifest's.
 */
export async function downloadLink(link: string, manifest: Manifest, dir: string): Promise<number> {
  await mkdir(dir, { recursive: true })
  const res = await fetch(link)
  if (!res.ok || !res.body) {
    // The link is a bearer token: the message names its host only.
    throw new Error(
      `Downloading the link from ${new URL(link).host} failed with HTTP ${res.status}.`,
    )
  }
  let bytes = 0
  const body = Readable.fromWeb(res.body as ReadableStream)
  body.on('data', (chunk: Buffer) => {
    bytes += chunk.length
  })
  await pipeline(body, createWriteStream(join(dir, manifest.dump.file)))
  if (bytes !== manifest.dump.bytes) {
    throw new Error(
      `The download held ${bytes} bytes, the manifest says ${manifest.dump.bytes}: the link did not work.`,
    )
  }
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2))
  return bytes
}
