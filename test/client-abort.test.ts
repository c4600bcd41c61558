// A client that goes away aborts the upstream request, mid-request-body or mid-response.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { echo, startUpstream } from './helpers/upstream.ts'
import type { Upstream } from './helpers/upstream.ts'
import { startProxy, eventually } from './helpers/proxy.ts'
import type { TestProxy } from './helpers/proxy.ts'
import { request } from './helpers/http.ts'

let primary: Upstream
let proxy: TestProxy
const upstreamEvents: string[] = []

before(async () => {
  primary = await startUpstream((req, res, body) => { if (req.url !== '/stream') echo(req, res, body) })
  // Watch the raw requests as they arrive, before the recording handler sees a complete body.
  primary.server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    req.on('aborted', () => upstreamEvents.push(`${req.url} request aborted`))
    res.on('close', () => { if (!res.writableFinished) upstreamEvents.push(`${req.url} response cut`) })
    if (req.url === '/stream') {
      res.writeHead(200, { 'content-type': 'text/plain' })
      const timer = setInterval(() => res.write('tick\n'), 10)
      res.on('close', () => clearInterval(timer))
    }
  })
  proxy = await startProxy({ primary: primary.url })
})
after(async () => { await proxy.stop(); await primary.close() })

test('client abort mid request body aborts the upstream request', async () => {
  const req = http.request(`${proxy.url}/upload`, { method: 'POST', headers: { 'content-length': '1000000' } })
  req.on('error', () => {})
  let arrived = false
  primary.server.once('request', (r: http.IncomingMessage) => r.once('data', () => { arrived = true }))
  req.write(Buffer.alloc(64 * 1024, 1))
  await eventually(() => arrived, 3000, 'the first bytes to reach the primary')
  req.destroy()
  await eventually(() => upstreamEvents.includes('/upload request aborted'), 3000, 'upstream to see the abort')
})

test('client abort mid response aborts the upstream response', async () => {
  await new Promise<void>((resolve, reject) => {
    const req = http.get(`${proxy.url}/stream`, (res) => {
      res.once('data', () => { req.destroy(); resolve() })
    })
    req.on('error', (err) => { if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err) })
  })
  await eventually(() => upstreamEvents.includes('/stream response cut'), 3000, 'upstream response to be cut')
  // and the proxy keeps serving
  assert.equal((await request(`${proxy.url}/after`)).status, 200)
})
