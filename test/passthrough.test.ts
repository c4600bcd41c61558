// What the client receives is what the primary sent, and the primary receives what the client sent.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startUpstream } from './helpers/upstream.ts'
import type { Upstream } from './helpers/upstream.ts'
import { startProxy } from './helpers/proxy.ts'
import type { TestProxy } from './helpers/proxy.ts'
import { rawExchange, request } from './helpers/http.ts'

let primary: Upstream
let proxy: TestProxy

before(async () => {
  primary = await startUpstream((req, res, body) => {
    const url = req.url ?? ''
    if (url.startsWith('/cookies')) {
      res.writeHead(299, 'Custom Reason', [
        'Set-Cookie', 'a=1; Path=/', 'Set-Cookie', 'b=2; HttpOnly', 'X-Odd', '  spaced ,value;q="x"  ', 'Content-Length', '2'
      ])
      res.end('ok')
    } else if (url.startsWith('/204')) {
      res.writeHead(204, { 'x-kind': 'none' }).end()
    } else if (url.startsWith('/304')) {
      res.writeHead(304, { etag: '"v1"' }).end()
    } else if (url.startsWith('/head')) {
      res.writeHead(200, { 'content-length': '12345', 'content-type': 'text/plain' }).end()
    } else if (url.startsWith('/chunked')) {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.write('part1-')
      setTimeout(() => res.end('part2'), 20)
    } else {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length })
      res.end(body)
    }
  })
  proxy = await startProxy({ primary: primary.url })
})
after(async () => { await proxy.stop(); await primary.close() })

test('method, path and query arrive byte for byte, encoded characters untouched', async () => {
  const target = '/a%2Fb/%E2%82%AC/./x//y?q=%20&a=b+c&e=%2526#'
  const out = await rawExchange(proxy.app.address.port, `GET ${target.slice(0, -1)} HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n`)
  assert.match(out, /^HTTP\/1\.1 200 /)
  const seen = primary.seen.at(-1)!
  assert.equal(seen.url, target.slice(0, -1))
  assert.equal(seen.method, 'GET')
  assert.equal(seen.headers.host, 'example.test')
})

test('every method with a body is forwarded with the body intact', async () => {
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
    const res = await request(`${proxy.url}/m`, { method, body: `body of ${method}`, headers: { 'content-type': 'text/plain' } })
    assert.equal(res.status, 200, method)
    assert.equal(res.body.toString(), `body of ${method}`)
    assert.equal(primary.seen.at(-1)!.method, method)
  }
})

test('request header values, duplicates and order are unchanged', async () => {
  await request(`${proxy.url}/h`, {
    headers: [
      'X-Weird', '  a,  b;c="d"  ', 'X-Multi', 'one', 'X-Multi', 'two', 'Accept', '*/*', 'User-Agent', 'ua/1.0 (x; y)'
    ] as unknown as Record<string, string>
  })
  const raw = primary.seen.at(-1)!.rawHeaders
  const pairs: string[] = []
  for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase().startsWith('x-')) pairs.push(`${raw[i]}=${raw[i + 1]}`)
  // Node trims leading and trailing whitespace of header values on parse, on both hops alike.
  assert.deepEqual(pairs.filter((p) => !p.startsWith('x-forwarded')), ['X-Weird=a,  b;c="d"', 'X-Multi=one', 'X-Multi=two'])
})

test('response status line, repeated set-cookie and header values reach the client unchanged', async () => {
  const res = await request(`${proxy.url}/cookies`)
  assert.equal(res.status, 299)
  assert.equal(res.statusMessage, 'Custom Reason')
  assert.deepEqual(res.headers['set-cookie'], ['a=1; Path=/', 'b=2; HttpOnly'])
  assert.equal(res.headers['x-odd'], 'spaced ,value;q="x"')
  assert.equal(res.body.toString(), 'ok')
  const names = res.rawHeaders.filter((_, i) => i % 2 === 0)
  assert.deepEqual(names.filter((n) => n === 'Set-Cookie').length, 2)
})

test('HEAD keeps the upstream content-length and sends no body', async () => {
  const out = await rawExchange(proxy.app.address.port, 'HEAD /head HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  const [head, body] = out.split('\r\n\r\n')
  assert.match(head, /^HTTP\/1\.1 200/)
  assert.match(head, /content-length: 12345/i)
  assert.equal(body, '')
})

test('HEAD requests reuse the upstream connection', async () => {
  const before = primary.seen.length
  const ports = new Set<number>()
  primary.server.on('connection', (s) => ports.add(s.remotePort ?? 0))
  for (let i = 0; i < 5; i++) await request(`${proxy.url}/head`, { method: 'HEAD' })
  assert.equal(primary.seen.length, before + 5)
  assert.ok(ports.size <= 1, `HEAD opened ${ports.size} new upstream connections`)
})

test('204 and 304 answers carry no body', async () => {
  for (const path of ['/204', '/304']) {
    const out = await rawExchange(proxy.app.address.port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
    const [head, body] = out.split('\r\n\r\n')
    assert.match(head, new RegExp(`^HTTP/1\\.1 ${path.slice(1)} `))
    assert.doesNotMatch(head, /transfer-encoding/i)
    assert.equal(body, '')
  }
})

test('a chunked response without content-length streams through', async () => {
  const res = await request(`${proxy.url}/chunked`)
  assert.equal(res.status, 200)
  assert.equal(res.body.toString(), 'part1-part2')
  assert.equal(res.headers['content-length'], undefined)
})
