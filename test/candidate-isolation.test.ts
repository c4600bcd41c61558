// Nothing the candidate does reaches the client: down, 400 ms late, resetting or answering garbage.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { deadUrl, startUpstream } from './helpers/upstream.ts'
import type { Upstream } from './helpers/upstream.ts'
import { startProxy, metricValue, eventually, metricsText } from './helpers/proxy.ts'
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

/** Copies the candidate has received and not answered yet. */
let unanswered = 0

async function late (): Promise<string> {
  const u = await startUpstream((_req, res) => {
    unanswered++
    setTimeout(() => { unanswered--; res.end('{"from":"candidate"}') }, 400)
  })
  cleanups.push(u.close)
  return u.url
}

async function hanging (): Promise<string> {
  return await rawCandidate((s) => { unanswered++; s.resume(); s.on('close', () => unanswered--) })
}

const candidates: Array<[string, () => Promise<string>]> = [
  ['down', deadUrl],
  ['400 ms late', late],
  ['resetting connections', async () => await rawCandidate((s) => s.once('data', () => s.resetAndDestroy()))],
  ['sending garbage', async () => await rawCandidate((s) => s.once('data', () => s.end('HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n\u0000\u0001garbage')))],
  ['hanging without an answer', hanging]
]

function sameAsPrimary (res: Response, url: string): void {
  assert.equal(res.status, 200)
  assert.deepEqual(JSON.parse(res.body.toString()), { from: 'primary', url })
  assert.deepEqual(res.headers['set-cookie'], ['a=1', 'b=2'])
}

for (const [name, make] of candidates) {
  test(`candidate ${name}: the client gets the primary's answer, without waiting for the candidate`, async () => {
    const p: TestProxy = await startProxy({ primary: primary.url, candidate: await make() }, { defaultRoute: { budget: { timeout: '1s' } } })
    cleanups.push(p.stop)
    for (let i = 0; i < 5; i++) {
      const res = await request(`${p.url}/page/${i}?q=1`)
      sameAsPrimary(res, `/page/${i}?q=1`)
      // The client's whole response arrived while the slow candidate still sat on its copy.
      if (make === late || make === hanging) await eventually(() => unanswered > 0, 2000, 'the copy to reach the candidate')
      if (make === late || make === hanging) assert.ok(unanswered > 0, 'the client waited for the candidate')
    }
    const text = await metricsText(p)
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
  const text = await metricsText(p)
  assert.equal(metricValue(text, 'shadowsplit_requests_total', { target: 'candidate', served: 'shadow', status_class: 'error' }), 2)
})
