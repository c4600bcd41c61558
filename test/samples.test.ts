// Divergent samples: request line, redacted headers, both statuses, the changeset, truncated bodies; secrets
// never appear in samples or logs. Noise marks and reset through the admin API.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startUpstream } from './helpers/upstream.ts'
import type { Upstream } from './helpers/upstream.ts'
import { startProxy, eventually, metricsText } from './helpers/proxy.ts'
import type { TestProxy } from './helpers/proxy.ts'
import { json, request } from './helpers/http.ts'
import { SampleStore } from '../src/observe/samples.ts'

let primary: Upstream
let candidate: Upstream
let proxy: TestProxy

function user (version: string) {
  return (_req: unknown, res: import('node:http').ServerResponse) => {
    const body = JSON.stringify({ name: 'ada', password: `pw-${version}-secret`, token: 'tk-9f8e7d', plan: version === 'v2' ? 'pro' : 'free', bio: 'x'.repeat(4000) })
    res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': `sid=cookie-${version}-secret`, 'x-api-key': `key-${version}-secret` })
    res.end(body)
  }
}

before(async () => {
  primary = await startUpstream(user('v1'))
  candidate = await startUpstream(user('v2'))
  proxy = await startProxy({ primary: primary.url, candidate: candidate.url }, {
    redact: { headers: ['x-api-key'], fields: ['password', 'token'] },
    samples: { bodyBytes: '1KiB', perEndpointPerMinute: 3 }
  })
  for (let i = 0; i < 5; i++) {
    await request(`${proxy.url}/users/${i}?token=q-secret&page=2`, {
      headers: { authorization: 'Bearer hdr-secret', cookie: 'sid=req-cookie-secret', 'x-api-key': 'req-key-secret' }
    })
  }
  await eventually(async () => (await json(`${proxy.adminUrl}/api/divergences`)).body.length === 3, 5000, 'the samples')
})
after(async () => { await proxy.stop(); await primary.close(); await candidate.close() })

test('a sample holds the request line, both statuses, the differences, the changeset and truncated bodies', async () => {
  const [s] = (await json(`${proxy.adminUrl}/api/divergences?limit=1`)).body
  assert.equal(s.endpoint, '/users/:id')
  assert.equal(s.class, 'value')
  assert.equal(s.request.method, 'GET')
  assert.match(s.request.url, /^\/users\/\d\?token=%5Bredacted%5D&page=2$/)
  assert.deepEqual([s.primary.status, s.candidate.status], [200, 200])
  assert.deepEqual(s.differences.map((d: { path: string }) => d.path), ['header:x-api-key', '$.password', '$.plan'])
  assert.ok(s.changeset.some((a: { key: string; value: string }) => a.key === 'plan' && a.value === 'pro'))
  assert.equal(s.primary.body.truncated, true)
  assert.ok(Buffer.byteLength(s.primary.body.text) <= 1024)
  assert.match(s.primary.body.text, /"plan": "free"/)
  const one = await json(`${proxy.adminUrl}/api/divergences/${s.id}`)
  assert.equal(one.body.id, s.id)
})

test('secrets never appear in samples or logs', async () => {
  const samples = JSON.stringify((await json(`${proxy.adminUrl}/api/divergences`)).body)
  const logs = JSON.stringify(proxy.logs)
  for (const text of [samples, logs]) {
    assert.doesNotMatch(text, /secret|tk-9f8e7d/, 'a secret leaked')
  }
  assert.match(samples, /\[redacted\]/)
  assert.ok(proxy.logs.some((l) => l.msg === 'divergence' && l.endpoint === '/users/:id'), 'one log line per divergence')
  assert.equal(proxy.logs.filter((l) => l.msg === 'divergence').length, 5)
})

test('samples are bounded per endpoint per minute, and filtered by endpoint and path', async () => {
  assert.equal((await json(`${proxy.adminUrl}/api/divergences`)).body.length, 3)
  assert.equal((await json(`${proxy.adminUrl}/api/divergences?path=$.plan`)).body.length, 3)
  assert.equal((await json(`${proxy.adminUrl}/api/divergences?path=$.other`)).body.length, 0)
  assert.equal((await json(`${proxy.adminUrl}/api/divergences?endpoint=/nope`)).body.length, 0)
  const text = await metricsText(proxy)
  assert.match(text, /shadowsplit_samples_skipped_total\{reason="rate"\} 2/)
  assert.equal((await json(`${proxy.adminUrl}/api/divergences?limit=0`)).status, 400)
  assert.equal((await json(`${proxy.adminUrl}/api/divergences/nope`)).status, 404)
})

test('an operator marks a path as noise; reset forgets counts and samples', async () => {
  for (const path of ['$.plan', '$.password', 'header:x-api-key']) {
    const mark = await json(`${proxy.adminUrl}/api/noise`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ endpoint: '/users/:id', path, noise: true }) })
    assert.equal(mark.status, 200)
  }
  await request(`${proxy.url}/users/9`)
  await eventually(async () => (await json(`${proxy.adminUrl}/api/endpoints`)).body[0].noiseOnly === 1, 5000, 'the marked request')
  const e = (await json(`${proxy.adminUrl}/api/endpoints`)).body[0]
  assert.deepEqual(e.noisyPaths.map((p: { path: string; marked: boolean }) => [p.path, p.marked]).sort(), [['$.password', true], ['$.plan', true], ['header:x-api-key', true]])
  assert.equal(e.divergentPaths.length, 0)
  assert.equal((await json(`${proxy.adminUrl}/api/noise`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"endpoint":1}' })).status, 400)
  assert.deepEqual((await json(`${proxy.adminUrl}/api/reset`, { method: 'POST' })).body, { reset: true })
  assert.deepEqual((await json(`${proxy.adminUrl}/api/endpoints`)).body, [])
  assert.deepEqual((await json(`${proxy.adminUrl}/api/divergences`)).body, [])
})

test('the per-endpoint sample rate is a bucket: a full minute\'s worth at once, then spread evenly, never a burst per minute', () => {
  const store = new SampleStore({ max: 100, maxBytes: 1 << 20, perEndpointPerMinute: 3 })
  const t0 = 1_000_000
  for (let i = 0; i < 3; i++) assert.ok(store.admit('/a', t0), `sample ${i + 1} of the first burst`)
  assert.equal(store.admit('/a', t0), false)
  // 3 per minute: one more every 20 s, not 3 more when a minute has passed.
  assert.equal(store.wouldAdmit('/a', t0 + 19_999), false)
  assert.ok(store.admit('/a', t0 + 20_000))
  assert.equal(store.admit('/a', t0 + 39_000), false)
  assert.ok(store.admit('/a', t0 + 40_000))
  assert.equal(store.admit('/a', t0 + 60_001), true)
  assert.equal(store.admit('/a', t0 + 60_001), false, 'a minute boundary refills nothing by itself')
  // Endpoints are independent; a quiet spell refills up to the minute's worth, no more.
  assert.ok(store.admit('/b', t0 + 60_001))
  for (let i = 0; i < 3; i++) assert.ok(store.admit('/a', t0 + 3_600_000), `after an hour, sample ${i + 1}`)
  assert.equal(store.admit('/a', t0 + 3_600_000), false)
  // A clock stepping back refills nothing.
  assert.equal(store.admit('/a', t0), false)
  // wouldAdmit consumes nothing; 0 per minute admits nothing.
  assert.ok(store.wouldAdmit('/c', t0) && store.wouldAdmit('/c', t0))
  assert.equal(new SampleStore({ max: 100, maxBytes: 1 << 20, perEndpointPerMinute: 0 }).admit('/a', t0), false)
})
