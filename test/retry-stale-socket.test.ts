// A keep-alive socket the primary closed between two requests is retried once, for bodiless idempotent requests only.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { startProxy } from './helpers/proxy.ts'
import type { TestProxy } from './helpers/proxy.ts'
import { request } from './helpers/http.ts'

const cleanups: Array<() => Promise<void>> = []
after(async () => { for (const c of cleanups.reverse()) await c() })

/**
 * Answers the first request on each connection with keep-alive, then resets the connection when the second
 * request arrives on it — the race a proxy meets when an upstream closes an idle socket as it is reused.
 */
async function flakyKeepAlive (): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = []
  const server = net.createServer((socket) => {
    let served = 0
    socket.on('data', (d) => {
      const line = d.toString('latin1').split('\r\n')[0]
      if (served++ === 0) {
        requests.push(`${line} (answered)`)
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok')
      } else {
        requests.push(`${line} (reset)`)
        socket.resetAndDestroy()
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(async () => { await new Promise<void>((resolve) => server.close(() => resolve())) })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests }
}

async function proxyTo (url: string): Promise<TestProxy> {
  const p = await startProxy({ primary: url }, { upstream: { connections: 1 } })
  cleanups.push(p.stop)
  return p
}

test('a GET on a stale keep-alive socket is retried once on a fresh connection', async () => {
  const up = await flakyKeepAlive()
  const p = await proxyTo(up.url)
  assert.equal((await request(`${p.url}/one`)).status, 200)
  const second = await request(`${p.url}/two`)
  assert.equal(second.status, 200)
  assert.deepEqual(up.requests, ['GET /one HTTP/1.1 (answered)', 'GET /two HTTP/1.1 (reset)', 'GET /two HTTP/1.1 (answered)'])
})

test('a POST with a body is not retried: the client gets 502', async () => {
  const up = await flakyKeepAlive()
  const p = await proxyTo(up.url)
  assert.equal((await request(`${p.url}/one`)).status, 200)
  const second = await request(`${p.url}/write`, { method: 'POST', body: 'data' })
  assert.equal(second.status, 502)
  assert.deepEqual(up.requests, ['GET /one HTTP/1.1 (answered)', 'POST /write HTTP/1.1 (reset)'])
})
