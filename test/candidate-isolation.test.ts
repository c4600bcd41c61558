// Nothing the candidate does reaches the client: down, 400 ms late, resetting or answering garbage.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { deadUrl, startUpstream } from './helpers/upstream.ts'
import type { Upstream } from './helpers/upstream.ts'
import { startProxy, metricValue, eventually } from './helpers/proxy.ts'
import type { TestProxy } from './helpers/proxy.ts'
import { request } from './helpers/http.ts'
import type { Response } from './helpers/http.ts'

let primary: Upstream
const cleanups: Array<() => Promise<void>> = []
before(async () => {
  primary = await startUpstream((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] })
    res.end(JSON.stringify({ from: 'primary', url: req.url }))
  })
})
after(async () => { for (const c of cleanups.reverse()) await c(); await primary.close() })

async function rawCandidate (onConnection: (socket: net.Socket) => void): Promise<string> {
  const server = net.createServer(onConnection)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(async () => { await new Promise<void>((resolve) => server.close(() => resolve())) })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function late (): Promise<string> {
  const u = await startUpstream((_req, res) => setTimeout(() => res.end('{"from":"candidate"}'), 400))
  cleanups.push(u.close)
  return u.url
}

const candidates: Array<[string, () => Promise<string>]> = [
  ['down', deadUrl],
  ['400 ms late', late],
  ['resetting connections', async () => await rawCandidate((s) => s.once('data', () => s.resetAndDestroy()))],
  ['sending garbage', async () => await rawCandidate((s) => s.once('data', () => s.end('HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n\u0000\u0001garbage')))],
  ['hanging without an answer', async () => await rawCandidate((s) => s.resume())]
]

function sameAsPrimary (res: Response, url: string): void {
  assert.equal(res.status, 200)
  assert.deepEqual(JSON.parse(res.body.toString()), { from: 'primary', url })
  assert.deepEqual(res.headers['set-cookie'], ['a=1', 'b=2'])
}

for (const [name, make] of candidates) {
  test(`candidate ${name}: the client gets the primary's answer, without delay`, async () => {
    const p: TestProxy = await startProxy({ primary: primary.url, candidate: await make() }, { defaultRoute: { budget: { timeout: '1s' } } })
    cleanups.push(p.stop)
    const times: number[] = []
    for (let i = 0; i < 5; i++) {
      const started = performance.now()
      const res = await request(`${p.url}/page/${i}?q=1`)
      times.push(performance.now() - started)
      sameAsPrimary(res, `/page/${i}?q=1`)
    }
    // A 400 ms late or hanging candidate would show up here in full; a loopback round trip takes a few ms.
    assert.ok(Math.max(...times) < 200, `client latencies ${times.map((t) => t.toFixed(1)).join(', ')} ms`)
    const text = await (await fetch(`${p.adminUrl}/metrics`)).text()
    assert.equal(metricValue(text, 'shadowsplit_requests_total', { target: 'primary', served: 'client', status_class: '2xx' }), 5)
  })
}

test('a shadow timeout frees the slot and counts as a circuit failure', async () => {
  const p = await startProxy({ primary: primary.url, candidate: await rawCandidate((s) => s.resume()) }, { defaultRoute: { budget: { timeout: '150ms', circuit: { failures: 2, cooldown: '1m' } } } })
  cleanups.push(p.stop)
  await request(`${p.url}/t1`)
  await request(`${p.url}/t2`)
  const budget = p.app.proxy.router.fallback.budget
  await eventually(() => budget.inflight === 0, 2000, 'both copies to time out')
  assert.equal(budget.circuit.isOpen, true)
  const text = await (await fetch(`${p.adminUrl}/metrics`)).text()
  assert.equal(metricValue(text, 'shadowsplit_requests_total', { target: 'candidate', served: 'shadow', status_class: 'error' }), 2)
})
