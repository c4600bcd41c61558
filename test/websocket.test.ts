// WebSocket (and any Upgrade) requests are tunnelled to the primary.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { createHash } from 'node:crypto'
import type { Duplex } from 'node:stream'
import { listenOn } from './helpers/upstream.ts'
import type { Upstream } from './helpers/upstream.ts'
import { startProxy, metricValue, metricsText } from './helpers/proxy.ts'
import type { TestProxy } from './helpers/proxy.ts'
import { rawExchange } from './helpers/http.ts'

/** Minimal RFC 6455 echo: unmasks small client frames (several may share a chunk) and answers them. */
function echoFrames (socket: Duplex): void {
  socket.on('data', (chunk: Buffer) => {
    let at = 0
    while (at + 6 <= chunk.length) {
      const opcode = chunk[at] & 0x0f
      const len = chunk[at + 1] & 0x7f
      const mask = chunk.subarray(at + 2, at + 6)
      const payload = Buffer.from(chunk.subarray(at + 6, at + 6 + len).map((b, i) => b ^ mask[i % 4]))
      at += 6 + len
      if (opcode === 0x8) { socket.end(Buffer.from([0x88, 0])); return }
      const reply = Buffer.from(`echo:${payload.toString()}`)
      socket.write(Buffer.concat([Buffer.from([0x81, reply.length]), reply]))
    }
  })
}

let primary: Upstream
let proxy: TestProxy
let upgradeHeaders: http.IncomingHttpHeaders = {}

before(async () => {
  const server = http.createServer((_req, res) => res.end('plain'))
  server.on('upgrade', (req, socket) => {
    upgradeHeaders = req.headers
    if (req.url === '/forbidden') {
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 4\r\nconnection: close\r\n\r\nnope')
      return
    }
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64')
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`)
    echoFrames(socket)
  })
  primary = await listenOn(server)
  proxy = await startProxy({ primary: primary.url })
})
after(async () => { await proxy.stop(); await primary.close() })

test('a WebSocket conversation goes through the proxy', async () => {
  const ws = new WebSocket(`ws://127.0.0.1:${proxy.app.address.port}/socket?room=1`)
  const messages: string[] = []
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => { ws.send('hello'); ws.send('again') }
    ws.onmessage = (e) => { messages.push(String(e.data)); if (messages.length === 2) resolve() }
    ws.onerror = () => reject(new Error('websocket error'))
  })
  ws.close()
  assert.deepEqual(messages, ['echo:hello', 'echo:again'])
  assert.equal(upgradeHeaders.upgrade, 'websocket')
  assert.equal(upgradeHeaders['x-forwarded-for'], '127.0.0.1')
  const metrics = await metricsText(proxy)
  assert.equal(metricValue(metrics, 'shadowsplit_requests_total', { target: 'primary', endpoint: '/socket', status_class: '1xx' }), 1)
})

test('an upgrade the primary refuses is relayed as its answer', async () => {
  const out = await rawExchange(proxy.app.address.port,
    'GET /forbidden HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')
  assert.match(out, /^HTTP\/1\.1 403 Forbidden\r\n/)
  assert.match(out, /nope$/)
})
