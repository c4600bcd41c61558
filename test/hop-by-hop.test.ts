// Hop-by-hop headers stop at the proxy in both directions; forwarding headers are appended; Expect is answered here.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { startUpstream } from './helpers/upstream.ts'
import type { Upstream } from './helpers/upstream.ts'
import { startProxy } from './helpers/proxy.ts'
import type { TestProxy } from './helpers/proxy.ts'
import { rawExchange } from './helpers/http.ts'

let primary: Upstream
let proxy: TestProxy

before(async () => {
  primary = await startUpstream((req, res, body) => {
    res.writeHead(200, [
      'Content-Type', 'text/plain',
      'Connection', 'x-upstream-private, keep-alive',
      'X-Upstream-Private', 'secret-hop',
      'Keep-Alive', 'timeout=1',
      'Proxy-Authenticate', 'Basic',
      'X-End-To-End', 'kept',
      'Content-Length', String(body.length)
    ])
    res.end(body)
  })
  proxy = await startProxy({ primary: primary.url })
})
after(async () => { await proxy.stop(); await primary.close() })

test('hop-by-hop and Connection-listed request headers are not forwarded', async () => {
  const out = await rawExchange(proxy.app.address.port, [
    'GET /h HTTP/1.1', 'Host: svc.test', 'Connection: keep-alive, X-Client-Private, X-Forwarded-For',
    'X-Client-Private: hop', 'Keep-Alive: timeout=5', 'TE: trailers', 'Proxy-Authorization: Basic Zm9v',
    'Proxy-Connection: keep-alive', 'Trailer: X-T', 'X-Forwarded-For: 6.6.6.6', 'X-End-To-End: yes', '', ''
  ].join('\r\n'), 500)
  assert.match(out, /^HTTP\/1\.1 200/)
  const h = primary.seen.at(-1)!.headers
  for (const name of ['x-client-private', 'keep-alive', 'te', 'proxy-authorization', 'proxy-connection', 'trailer']) {
    assert.equal(h[name], undefined, `${name} was forwarded`)
  }
  assert.equal(h['x-end-to-end'], 'yes')
  // The client listed X-Forwarded-For in Connection: its value is dropped, ours still gets added.
  assert.equal(h['x-forwarded-for'], '127.0.0.1')
})

test('hop-by-hop and Connection-listed response headers are not returned', async () => {
  const out = await rawExchange(proxy.app.address.port, 'GET /r HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  const head = out.split('\r\n\r\n')[0].toLowerCase()
  assert.doesNotMatch(head, /x-upstream-private/)
  assert.doesNotMatch(head, /keep-alive: timeout=1/)
  assert.doesNotMatch(head, /proxy-authenticate/)
  assert.match(head, /x-end-to-end: kept/)
})

test('x-forwarded-for, -proto and -host are appended to what the client sent', async () => {
  await rawExchange(proxy.app.address.port, [
    'GET /f HTTP/1.1', 'Host: public.example', 'X-Forwarded-For: 10.0.0.1', 'X-Forwarded-For: 10.0.0.2',
    'X-Forwarded-Proto: https', 'X-Forwarded-Host: edge.example', 'Connection: close', '', ''
  ].join('\r\n'))
  const h = primary.seen.at(-1)!.headers
  assert.equal(h['x-forwarded-for'], '10.0.0.1, 10.0.0.2, 127.0.0.1')
  assert.equal(h['x-forwarded-proto'], 'https, http')
  assert.equal(h['x-forwarded-host'], 'edge.example, public.example')
  assert.equal(h.host, 'public.example', 'Host is passed through unchanged')
})

test('Expect: 100-continue is answered by the proxy and not forwarded', async () => {
  const result = await new Promise<{ continued: boolean; status: number; body: string }>((resolve, reject) => {
    let continued = false
    const req = http.request(`${proxy.url}/upload`, {
      method: 'POST', headers: { expect: '100-continue', 'content-length': '5' }
    }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => { body += c.toString() })
      res.on('end', () => resolve({ continued, status: res.statusCode ?? 0, body }))
    })
    req.on('continue', () => { continued = true; req.end('hello') })
    req.on('error', reject)
  })
  assert.equal(result.continued, true)
  assert.equal(result.status, 200)
  assert.equal(result.body, 'hello')
  assert.equal(primary.seen.at(-1)!.headers.expect, undefined)
})
