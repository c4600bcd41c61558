// Malformed requests get 400 and never reach the primary; the proxy keeps serving.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startUpstream } from './helpers/upstream.ts'
import type { Upstream } from './helpers/upstream.ts'
import { startProxy, metricValue, metricsText } from './helpers/proxy.ts'
import type { TestProxy } from './helpers/proxy.ts'
import { rawExchange, request } from './helpers/http.ts'

let primary: Upstream
let proxy: TestProxy

before(async () => {
  primary = await startUpstream()
  proxy = await startProxy({ primary: primary.url })
})
after(async () => { await proxy.stop(); await primary.close() })

const cases: Array<[string, string]> = [
  ['garbage request line', 'THIS IS NOT HTTP\r\n\r\n'],
  ['space in the request target', 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['bad header name', 'GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n'],
  ['smuggling: Content-Length and Transfer-Encoding together',
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['smuggling: duplicate Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde'],
  ['bad chunk size', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n']
]

for (const [name, bytes] of cases) {
  test(`${name} → 400, nothing forwarded`, async () => {
    const before = primary.seen.length
    const out = await rawExchange(proxy.app.address.port, bytes)
    assert.match(out, /^HTTP\/1\.1 400 Bad Request\r\n/)
    assert.match(out, /"error":"SHADOWSPLIT_BAD_REQUEST"/)
    assert.equal(primary.seen.length, before, 'the primary received a request')
    assert.equal((await request(`${proxy.url}/still-serving`)).status, 200)
  })
}

test('rejections are counted and logged', async () => {
  const metrics = await metricsText(proxy)
  assert.equal(metricValue(metrics, 'shadowsplit_rejected_requests_total', { reason: 'malformed' }), cases.length)
  assert.equal(proxy.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('malformed request')).length, cases.length)
  assert.ok(!primary.seen.some((r) => r.url === '/smuggled'))
})
