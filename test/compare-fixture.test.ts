// A candidate with known regressions and known noise: every regression is reported at its path and class,
// and with a secondary no noise is reported.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startFixture } from './helpers/fixture-service.ts'
import type { Upstream } from './helpers/upstream.ts'
import { startProxy, eventually, metricValue, metricsText } from './helpers/proxy.ts'
import type { TestProxy } from './helpers/proxy.ts'
import { json, request } from './helpers/http.ts'

let primary: Upstream
let secondary: Upstream
let candidate: Upstream
let proxy: TestProxy
type EndpointReport = { endpoint: string; compared: number; diverged: number; noiseOnly: number; classes: Record<string, number>; divergentPaths: Array<{ path: string; class: string; kind: string }>; noisyPaths: Array<{ path: string }> }
let report: EndpointReport[]

const PATHS = ['/products/1', '/products/2', '/orders/7', '/catalog', '/form', '/text', '/same']
const ROUNDS = 12

before(async () => {
  primary = await startFixture('v1', 'primary-a')
  secondary = await startFixture('v1', 'primary-b')
  candidate = await startFixture('v2', 'candidate-a')
  proxy = await startProxy({ primary: primary.url, candidate: candidate.url, secondary: secondary.url }, {
    defaultRoute: { compare: { unordered: ['$.tags'] } }
  })
  for (let r = 0; r < ROUNDS; r++) for (const p of PATHS) assert.ok((await request(`${proxy.url}${p}`)).status < 600)
  await eventually(async () => {
    report = (await json(`${proxy.adminUrl}/api/endpoints`)).body
    return report.reduce((n, e) => n + e.compared, 0) === ROUNDS * PATHS.length
  }, 10_000, 'every exchange to be compared')
})
after(async () => { await proxy.stop(); await primary.close(); await secondary.close(); await candidate.close() })

const endpoint = (name: string): EndpointReport => report.find((e) => e.endpoint === name)!
const divergent = (name: string): string[] => endpoint(name).divergentPaths.map((p) => `${p.path} ${p.class}`).sort()

test('product regressions: value, missing field, type change, reordered ordered array, changed header', () => {
  assert.deepEqual(divergent('/products/:id'), [
    '$.description schema', '$.price value', '$.ranking[*] value', '$.stock schema', 'header:cache-control header'
  ])
  const e = endpoint('/products/:id')
  assert.equal(e.diverged, 2 * ROUNDS)
  assert.equal(e.classes.schema, 2 * ROUNDS, 'schema is the worst change of these requests')
})

test('a status change is classified as status', () => {
  const e = endpoint('/orders/:id')
  assert.ok(divergent('/orders/:id').includes('status status'))
  assert.equal(e.classes.status, ROUNDS)
})

test('a change inside a gzip body is found after decoding', () => {
  assert.deepEqual(divergent('/catalog'), ['$.count value'])
})

test('form bodies compare by field, text bodies by line', () => {
  assert.deepEqual(divergent('/form'), ['form:b value'])
  assert.deepEqual(divergent('/text'), ['body:line:3 value'])
  assert.deepEqual(endpoint('/text').noisyPaths.map((p) => p.path), ['body:line:4'])
})

test('noise is never reported: timestamps, random ids, instance names, unordered sets', () => {
  for (const e of report) {
    for (const p of e.divergentPaths) assert.doesNotMatch(p.path, /meta|tags|generatedAt|requestId|instance|form:at/, `${e.endpoint} reported ${p.path}`)
  }
  const noisy = endpoint('/products/:id').noisyPaths.map((p) => p.path).sort()
  assert.deepEqual(noisy, ['$.meta.generatedAt', '$.meta.instance', '$.meta.requestId'])
  const same = endpoint('/same')
  assert.equal(same.diverged, 0)
  assert.equal(same.noiseOnly, ROUNDS)
})

test('metrics agree with the report', async () => {
  const text = await metricsText(proxy)
  assert.equal(metricValue(text, 'shadowsplit_diffs_total', { endpoint: '/products/:id', result: 'diverge' }), 2 * ROUNDS)
  assert.equal(metricValue(text, 'shadowsplit_diffs_total', { endpoint: '/same', result: 'noise_only' }), ROUNDS)
  assert.equal(metricValue(text, 'shadowsplit_diffs_total', { result: 'diverge', endpoint: '/same' }), 0)
  assert.equal(metricValue(text, 'shadowsplit_divergent_fields_total', { endpoint: '/products/:id', path: '$.price', kind: 'body' }), 2 * ROUNDS)
  assert.equal(metricValue(text, 'shadowsplit_divergent_fields_total', { endpoint: '/products/:id', path: 'header:cache-control', kind: 'header' }), 2 * ROUNDS)
  assert.equal(metricValue(text, 'shadowsplit_divergent_fields_total', { path: '$.meta.generatedAt' }), 0)
  assert.equal(metricValue(text, 'shadowsplit_divergences_total', { endpoint: '/orders/:id', class: 'status' }), ROUNDS)
  assert.ok(metricValue(text, 'shadowsplit_diff_duration_seconds_count') > 0)
  assert.equal(metricValue(text, 'shadowsplit_requests_total', { target: 'secondary', served: 'shadow' }), ROUNDS * PATHS.length)
})
