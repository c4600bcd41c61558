// Bodies of any size stream through in both directions, chunked or with content-length, byte for byte.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { createHash, randomBytes } from 'node:crypto'
import { startUpstream } from './helpers/upstream.ts'
import type { Upstream } from './helpers/upstream.ts'
import { startProxy } from './helpers/proxy.ts'
import type { TestProxy } from './helpers/proxy.ts'

const TEN_MB = randomBytes(10 * 1024 * 1024)
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

let primary: Upstream
let proxy: TestProxy
let firstChunkSeen: () => void = () => {}

before(async () => {
  primary = await startUpstream((req, res, body) => {
    if (req.url === '/endless') {
      // 256 MiB generated on the fly: far more than every socket buffer on the way can hold, even with
      // the kernel's receive-buffer autotuning (up to 32 MiB per socket here).
      res.writeHead(200, { 'content-length': 256 * 1024 * 1024 })
      const chunk = Buffer.alloc(65536, 7)
      let left = 4096
      const pump = (): void => {
        while (left > 0) {
          left--
          if (!res.write(chunk)) { res.once('drain', pump); return }
        }
        res.end()
      }
      pump()
      return
    }
    if (req.url === '/download') {
      res.writeHead(200, { 'content-length': TEN_MB.length })
      let offset = 0
      const pump = (): void => {
        while (offset < TEN_MB.length) {
          const chunk = TEN_MB.subarray(offset, offset + 65536)
          offset += chunk.length
          if (!res.write(chunk)) { res.once('drain', pump); return }
        }
        res.end()
      }
      pump()
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ length: body.length, sha: sha(body) }))
  })
  primary.server.prependListener('request', (req) => { req.once('data', () => firstChunkSeen()) })
  proxy = await startProxy({ primary: primary.url })
})
after(async () => { await proxy.stop(); await primary.close() })

async function upload (chunked: boolean): Promise<{ length: number; sha: string }> {
  return await new Promise((resolve, reject) => {
    const req = http.request(`${proxy.url}/upload`, {
      method: 'POST',
      headers: chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': TEN_MB.length }
    }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString())))
    })
    req.on('error', reject)
    // The first megabyte must reach the primary before the client sends the rest: nothing buffers it whole.
    req.write(TEN_MB.subarray(0, 1024 * 1024))
    firstChunkSeen = () => { req.end(TEN_MB.subarray(1024 * 1024)) }
  })
}

test('a 10 MB request body with content-length arrives intact and streams', async () => {
  const got = await upload(false)
  assert.equal(got.length, TEN_MB.length)
  assert.equal(got.sha, sha(TEN_MB))
})

test('a 10 MB chunked request body arrives intact and streams', async () => {
  const got = await upload(true)
  assert.equal(got.length, TEN_MB.length)
  assert.equal(got.sha, sha(TEN_MB))
})

test('a 10 MB response body arrives intact', async () => {
  const body = await new Promise<Buffer>((resolve, reject) => {
    http.get(`${proxy.url}/download`, (res) => {
      assert.equal(res.headers['content-length'], String(TEN_MB.length))
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve(Buffer.concat(chunks)))
    }).on('error', reject)
  })
  assert.equal(body.length, TEN_MB.length)
  assert.equal(sha(body), sha(TEN_MB))
})

test('a slow reader holds the upstream back instead of buffering the body in the proxy', async () => {
  let upstreamSocket: import('node:net').Socket | undefined
  let start = 0
  const onRequest = (req: http.IncomingMessage): void => {
    if (req.url !== '/endless') return
    upstreamSocket = req.socket
    start = req.socket.bytesWritten
  }
  primary.server.on('request', onRequest)
  await new Promise<void>((resolve, reject) => {
    http.get(`${proxy.url}/endless`, (res) => {
      res.pause()
      // While the client reads nothing, the primary can only push what the socket buffers on the way hold.
      setTimeout(() => {
        const written = (upstreamSocket?.bytesWritten ?? 0) - start
        assert.ok(written > 0, "the primary started sending")
        assert.ok(written < 128 * 1024 * 1024, `the primary could write ${written} of 256 MiB to a paused client`)
        res.resume()
        res.on('end', resolve)
      }, 500)
    }).on('error', reject)
  })
  primary.server.off('request', onRequest)
})
