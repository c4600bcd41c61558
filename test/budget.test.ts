// Mirror budgets: concurrency, rate and circuit breaker limits skip copies with their reason.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { deadUrl, startUpstream } from './helpers/upstream.ts'
import type { Upstream } from './helpers/upstream.ts'
import { startProxy, metricValue, eventually, metricsText } from './helpers/proxy.ts'
import type { TestProxy } from './helpers/proxy.ts'
import { json, request } from './helpers/http.ts'
import { Budget } from '../src/shadow/budget.ts'

const cleanups: Array<() => Promise<void>> = []
after(async () => { for (const c of cleanups.reverse()) await c() })
async function up (handler?: Parameters<typeof startUpstream>[0]): Promise<Upstream> {
  const u = await startUpstream(handler)
  cleanups.push(u.close)
  return u
}
async function proxy (flags: Record<string, string>, file?: Record<string, unknown>): Promise<TestProxy> {
  const p = await startProxy(flags, file)
  cleanups.push(p.stop)
  return p
}

test('maxInflight: copies beyond the in-flight limit are skipped as concurrency', async () => {
  const primary = await up()
  const slow = await up((_req, res) => setTimeout(() => res.end('late'), 400))
  const p = await proxy({ primary: primary.url, candidate: slow.url }, { defaultRoute: { budget: { maxInflight: 3 } } })
  await Promise.all(Array.from({ length: 10 }, async (_, i) => await request(`${p.url}/c${i}`)))
  const text = await metricsText(p)
  assert.equal(metricValue(text, 'shadowsplit_mirror_skipped_total', { reason: 'concurrency' }), 7)
  assert.equal(metricValue(text, 'shadowsplit_candidate_inflight'), 3)
  await eventually(() => slow.seen.length === 3, 3000, 'the three admitted copies')
})

test('maxRps: a token bucket with a one-second burst', async () => {
  const primary = await up()
  const candidate = await up()
  const p = await proxy({ primary: primary.url, candidate: candidate.url }, { defaultRoute: { budget: { maxRps: 5 } } })
  for (let i = 0; i < 20; i++) await request(`${p.url}/r${i}`)
  const rate = metricValue(await metricsText(p), 'shadowsplit_mirror_skipped_total', { reason: 'rate' })
  // 5 tokens at start, plus at most a few refilled during the burst itself.
  assert.ok(rate >= 12 && rate <= 15, `${rate} skipped for rate`)
})

test('the circuit opens after consecutive failures and closes after a successful half-open probe', async () => {
  const primary = await up()
  const deadCandidate = await deadUrl()
  const p = await proxy({ primary: primary.url, candidate: deadCandidate }, { defaultRoute: { budget: { circuit: { failures: 3, cooldown: '300ms' } } } })
  for (let i = 0; i < 3; i++) {
    assert.equal((await request(`${p.url}/f${i}`)).status, 200, 'the client is served while the candidate is down')
    await eventually(() => p.app.proxy.router.fallback.budget.inflight === 0, 2000, 'the failed copy')
  }
  for (let i = 0; i < 4; i++) await request(`${p.url}/o${i}`)
  let text = await metricsText(p)
  assert.equal(metricValue(text, 'shadowsplit_mirror_skipped_total', { reason: 'circuit_open' }), 4)
  assert.equal(metricValue(text, 'shadowsplit_circuit_open', { route: 'default' }), 1)

  // Bring a candidate up on the dead port, wait out the cool-down: the probe passes and the circuit closes.
  const revived = await startUpstream()
  const port = Number(new URL(deadCandidate).port)
  await revived.close()
  await new Promise<void>((resolve) => revived.server.listen(port, '127.0.0.1', resolve))
  cleanups.push(revived.close)
  await new Promise((resolve) => setTimeout(resolve, 350))
  await request(`${p.url}/probe`)
  await eventually(() => !p.app.proxy.router.fallback.budget.circuit.isOpen, 2000, 'the circuit to close')
  text = await metricsText(p)
  assert.equal(metricValue(text, 'shadowsplit_circuit_open', { route: 'default' }), 0)
  const before = revived.seen.length
  await request(`${p.url}/after`)
  await eventually(() => revived.seen.length === before + 1, 2000, 'mirroring to resume')
})

test('half-open: one probe at a time, and its outcome closes or re-opens the circuit', () => {
  let now = 0
  const b = new Budget({ maxInflight: 10, maxRps: 0, timeout: 100, circuit: { failures: 2, cooldown: 1000 } }, () => now)
  assert.equal(b.admit(), null); b.release(false)
  assert.equal(b.admit(), null); b.release(false)
  assert.equal(b.admit(), 'circuit_open')
  now = 1000
  assert.equal(b.admit(), null, 'the probe')
  assert.equal(b.admit(), 'circuit_open', 'only one probe at a time')
  b.release(false)
  assert.equal(b.admit(), 'circuit_open', 'a failed probe re-opens')
  now = 2000
  assert.equal(b.admit(), null)
  b.release(true)
  assert.equal(b.admit(), null, 'a good probe closes')
})

test('budgets change live through the admin API', async () => {
  const primary = await up()
  const candidate = await up()
  const p = await proxy({ primary: primary.url, candidate: candidate.url })
  const res = await json(`${p.adminUrl}/api/routes/default`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ budget: { maxInflight: 1, timeout: '2s' } }) })
  assert.equal(res.status, 200)
  assert.equal(res.body.budget.maxInflight, 1)
  assert.equal(res.body.budget.timeout, 2000)
  assert.equal(res.body.budget.circuit.failures, 5, 'unchanged keys keep their values')
})
