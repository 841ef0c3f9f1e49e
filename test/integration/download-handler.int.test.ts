import { randomBytes } from 'node:crypto'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Manifest } from '../../src/snapshot/manifest.js'
import { createDownloadHandler } from '../../src/storage/download-handler.js'
import { createLocalStorage } from '../../src/storage/local-storage.js'
import { expectDownload, idAt, putSnapshot } from '../helpers/stored-snapshots.js'
import { createWorkdir } from '../helpers/workdir.js'

const work = createWorkdir()
const secret = randomBytes(32).toString('base64')
let server: Server
let base: string
let manifest: Manifest
const dump = randomBytes(200_000)
/** A storage whose links are signed `ago` seconds in the past. */
const storageAt = (ago = 0) =>
  createLocalStorage({
    dir: join(work.dir, 'store'),
    publicUrl: base,
    linkSecret: secret,
    now: () => new Date(Date.now() - ago * 1000),
  })

beforeAll(async () => {
  server = createServer(createDownloadHandler({ storage: storageAt(), secret }))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  manifest = await putSnapshot(storageAt(), idAt('2026-11-27T03:00:00Z'), dump)
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  work.remove()
})

describe('local download links', () => {
  it('download the exact bytes, named after the database and snapshot', async () => {
    const { url } = await storageAt().createLink(manifest.id, 180)
    expect(url.startsWith(`${base}/download/`)).toBe(true)
    await expectDownload(url, manifest)
  })

  it('answer 403 and nothing else to a link signed more than 180 s ago', async () => {
    const { url, expiresAt } = await storageAt(181).createLink(manifest.id, 180)
    expect(expiresAt.getTime()).toBeLessThan(Date.now())
    const res = await fetch(url)
    expect(res.status).toBe(403)
    expect(res.headers.get('content-disposition')).toBeNull()
    expect(await res.text()).toBe('Forbidden.\n')
  })

  it('answer 403 to a tampered token and to one signed with another secret', async () => {
    const { url } = await storageAt().createLink(manifest.id, 180)
    const token = url.slice(`${base}/download/`.length)
    const [payload = '', mac = ''] = token.split('.')
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
    const forged = Buffer.from(
      JSON.stringify({ id: claims.id.replace(/.{4}$/, '0000'), exp: claims.exp + 999 }),
    ).toString('base64url')
    const foreign = createLocalStorage({
      dir: join(work.dir, 'store'),
      publicUrl: base,
      linkSecret: randomBytes(32).toString('hex'),
    })
    for (const bad of [
      `${base}/download/${forged}.${mac}`,
      `${base}/download/${payload}.${mac.slice(0, -2)}AA`,
      (await foreign.createLink(manifest.id, 180)).url,
    ]) {
      const res = await fetch(bad)
      expect(res.status).toBe(403)
      expect(await res.text()).toBe('Forbidden.\n')
    }
  })

  it('never serves a path from the request, inside or outside the folder', async () => {
    for (const path of [
      `/download/..%2f..%2fetc%2fpasswd`,
      `/download/../snapshots/${manifest.id}/dump.sql.gz`,
      `/download/snapshots/${manifest.id}/dump.sql.gz`,
      `/download/`,
    ]) {
      const res = await rawGet(path)
      expect([403, 404]).toContain(res.status)
      expect(res.body).not.toContain(dump.subarray(0, 16).toString('latin1'))
    }
    expect((await rawGet(`/snapshots/${manifest.id}/dump.sql.gz`)).status).toBe(404)
  })

  it('answers 404 when the snapshot of a valid link was removed', async () => {
    const storage = storageAt()
    const gone = await putSnapshot(storage, idAt('2026-11-26T03:00:00Z'))
    const { url } = await storage.createLink(gone.id, 180)
    await storage.applyRetention({ keep: 1, maxAgeDays: 30 })
    expect((await fetch(url)).status).toBe(404)
  })
})

/** A GET with the path exactly as given (fetch would normalise `..`). */
async function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/`, { path }, (res) => {
      let body = ''
      res.setEncoding('latin1').on('data', (c: string) => {
        body += c
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}
