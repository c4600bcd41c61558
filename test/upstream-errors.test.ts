// A dead, hanging, resetting or lying primary gets the client a short JSON error and one log line.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { deadUrl, startUpstream } from './helpers/upstream.ts'
import { startProxy, metricValue, metricsText } from './helpers/proxy.ts'
import type { TestProxy } from './helpers/proxy.ts'
import { request } from './helpers/http.ts'

const cleanups: Array<() => Promise<void>> = []
after(async () => { for (const c of cleanups.reverse()) await c() })

async function proxyTo (url: string, file?: Record<string, unknown>): Promise<TestProxy> {
  const p = await startProxy({ primary: url }, file)
  cleanups.push(p.stop)
  return p
}

async function rawServer (onData: (socket: net.Socket, data: Buffer) => void): Promise<string> {
  const server = net.createServer((socket) => socket.on('data', (d) => onData(socket, d)))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(async () => { await new Promise<void>((resolve) => server.close(() => resolve())) })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

function errorLines (p: TestProxy): Array<Record<string, unknown>> {
  return p.logs.filter((l) => l.level === 40)
}

test('primary down: 502 with a JSON body and one log line', async () => {
  const p = await proxyTo(await deadUrl())
  const res = await request(`${p.url}/x`)
  assert.equal(res.status, 502)
  assert.equal(res.headers['content-type'], 'application/json')
  const body = JSON.parse(res.body.toString())
  assert.equal(body.error, 'SHADOWSPLIT_UPSTREAM_UNAVAILABLE')
  assert.match(body.message, /ECONNREFUSED/)
  assert.equal(errorLines(p).length, 1)
  assert.equal(errorLines(p)[0].code, 'ECONNREFUSED')
  const metrics = await metricsText(p)
  assert.equal(metricValue(metrics, 'shadowsplit_requests_total', { target: 'primary', status_class: 'error' }), 1)
  assert.equal(metricValue(metrics, 'shadowsplit_rejected_requests_total', { reason: 'upstream_unavailable' }), 1)
})

test('primary hanging: 504 after the headers timeout', async () => {
  const hanging = await startUpstream(() => { /* never answers */ })
  cleanups.push(hanging.close)
  const p = await proxyTo(hanging.url, { upstream: { headersTimeout: '300ms' } })
  const started = Date.now()
  const res = await request(`${p.url}/slow`)
  assert.equal(res.status, 504)
  assert.equal(JSON.parse(res.body.toString()).error, 'SHADOWSPLIT_UPSTREAM_TIMEOUT')
  assert.ok(Date.now() - started >= 250)
  assert.equal(errorLines(p).length, 1)
  assert.equal(errorLines(p)[0].code, 'UND_ERR_HEADERS_TIMEOUT')
})

test('primary stalls mid-body: the body timeout cuts the client connection', async () => {
  const stalling = await startUpstream((_req, res) => {
    res.writeHead(200, { 'content-length': '100' })
    res.write('only part')
  })
  cleanups.push(stalling.close)
  const p = await proxyTo(stalling.url, { upstream: { bodyTimeout: '300ms' } })
  await assert.rejects(request(`${p.url}/stall`), /aborted|socket hang up|ECONNRESET/)
  assert.equal(errorLines(p).at(-1)?.code, 'UND_ERR_BODY_TIMEOUT')
})

test('primary resets the connection before answering: 502', async () => {
  const url = await rawServer((socket) => socket.resetAndDestroy())
  const p = await proxyTo(url)
  const res = await request(`${p.url}/reset`, { method: 'POST', body: 'x' })
  assert.equal(res.status, 502)
  assert.ok(errorLines(p).length >= 1)
})

test('primary answers with broken HTTP: 502', async () => {
  const url = await rawServer((socket) => socket.end('HTTP/1.1 OK\r\nthis is not http\r\n\r\n'))
  const p = await proxyTo(url)
  const res = await request(`${p.url}/garbage`)
  assert.equal(res.status, 502)
  assert.match(JSON.parse(res.body.toString()).message, /HPE|UND_ERR|HTTPParserError/)
})

test('the proxy keeps serving after upstream failures', async () => {
  const ok = await startUpstream()
  cleanups.push(ok.close)
  const p = await proxyTo(ok.url)
  for (let i = 0; i < 3; i++) assert.equal((await request(`${p.url}/fine`)).status, 200)
})
