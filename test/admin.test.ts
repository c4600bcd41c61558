// The admin port answers health, readiness and metrics.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { deadUrl, startUpstream } from './helpers/upstream.ts'
import { startProxy, metricValue } from './helpers/proxy.ts'
import type { TestProxy } from './helpers/proxy.ts'
import { json, request } from './helpers/http.ts'

const cleanups: Array<() => Promise<void>> = []
after(async () => { for (const c of cleanups.reverse()) await c() })

async function proxy (primary: string): Promise<TestProxy> {
  const p = await startProxy({ primary })
  cleanups.push(p.stop)
  return p
}

test('healthz and readyz with a reachable primary', async () => {
  const up = await startUpstream()
  cleanups.push(up.close)
  const p = await proxy(up.url)
  assert.deepEqual(await json(`${p.adminUrl}/healthz`), { status: 200, body: { status: 'ok' } })
  const ready = await json(`${p.adminUrl}/readyz`)
  assert.equal(ready.status, 200)
  assert.deepEqual(ready.body.primary, [up.url])
})

test('readyz is 503 when no primary origin is reachable, healthz stays 200', async () => {
  const p = await proxy(await deadUrl())
  const ready = await json(`${p.adminUrl}/readyz`)
  assert.equal(ready.status, 503)
  assert.equal(ready.body.reason, 'no primary origin reachable')
  assert.equal((await json(`${p.adminUrl}/healthz`)).status, 200)
})

test('metrics: process metrics, request counter and duration histogram with bounded labels', async () => {
  const up = await startUpstream()
  cleanups.push(up.close)
  const p = await proxy(up.url)
  await request(`${p.url}/users/123?token=secret`)
  await request(`${p.url}/users/456`, { method: 'DELETE' })
  const res = await request(`${p.adminUrl}/metrics`)
  assert.match(String(res.headers['content-type']), /text\/plain/)
  const text = res.body.toString()
  assert.match(text, /^process_cpu_user_seconds_total /m)
  assert.match(text, /^nodejs_eventloop_lag_seconds /m)
  assert.equal(metricValue(text, 'shadowsplit_requests_total', { target: 'primary', served: 'client', endpoint: '/users/:id', method: 'GET', status_class: '2xx' }), 1)
  assert.equal(metricValue(text, 'shadowsplit_requests_total', { endpoint: '/users/:id', method: 'DELETE' }), 1)
  assert.equal(metricValue(text, 'shadowsplit_upstream_duration_seconds_count', { target: 'primary', endpoint: '/users/:id' }), 2)
  assert.doesNotMatch(text, /token|secret|\/users\/123/)
})
