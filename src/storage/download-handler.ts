import type { IncomingMessage, ServerResponse } from 'node:http'
import { pipeline } from 'node:stream/promises'
import { isAppError } from '../errors.js'
import type { Logger } from '../logger.js'
import { contentDisposition } from './keys.js'
import { verifyLinkToken } from './link-token.js'
import type { SnapshotStorage } from './storage.js'

export interface DownloadHandlerOptions {
  storage: Pick<SnapshotStorage, 'getManifest' | 'openDump'>
  /** DUMPLING_LINK_SECRET, the one `dumpling link` signed with. */
  secret: string
  log?: Logger
  now?: () => Date
}

/**
 * Serves `GET /download/<token>` for local-storage links: the token alone says
 * which snapshot, so no path from the request ever reaches the file system.
 * An expired, altered or malformed token gets 403 and nothing else. Mount it
 * as a Bolt HTTPReceiver custom route (`/download/:token`) or on node:http.
 */
export function createDownloadHandler(
  options: DownloadHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const now = options.now ?? (() => new Date())
  const log = options.log?.child({ module: 'download' })
  return (req, res) => {
    serve(req, res).catch((err) => {
      // The link is in req.url: log neither it nor the request.
      log?.error({ err }, 'download failed')
      if (!res.headersSent) reply(res, 500, 'Download failed.')
      else res.destroy()
    })
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0] ?? ''
    if (!path.startsWith('/download/')) return reply(res, 404, 'Not found.')
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      return reply(res, 405, 'Method not allowed.')
    }
    const id = verifyLinkToken(options.secret, path.slice('/download/'.length), now())
    if (id === null) return reply(res, 403, 'Forbidden.')
    const manifest = await options.storage.getManifest(id).catch((err) => {
      if (isAppError(err) && err.code === 'snapshot_unknown') return null
      throw err
    })
    if (!manifest) {
      log?.info({ snapshotId: id, status: 404 }, 'download of a removed snapshot')
      return reply(res, 404, 'This snapshot no longer exists: ask for a new link.')
    }
    const body = req.method === 'GET' ? await options.storage.openDump(id) : null
    res.writeHead(200, {
      'Content-Type': 'application/gzip',
      'Content-Length': manifest.dump.bytes,
      'Content-Disposition': contentDisposition(manifest.source.database, manifest.id),
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
    })
    if (!body) return void res.end()
    log?.info({ snapshotId: id, bytes: manifest.dump.bytes }, 'download started')
    await pipeline(body, res)
  }
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
  })
  res.end(`${text}\n`)
}
