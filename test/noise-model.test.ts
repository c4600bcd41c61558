// The noise rule against Diffy's blind spots, on the real Analysis code with synthetic comparisons.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Analysis } from '../src/analysis/analysis.ts'
import { Metrics } from '../src/observe/metrics.ts'
import { differenceLowerBound, normalQuantile, wilson } from '../src/analysis/noise-model.ts'
import type { Difference } from '../src/compare/types.ts'
import type { Exchange } from '../src/shadow/exchange.ts'
import type { UpstreamResult } from '../src/proxy/upstream-call.ts'

const side = (target: UpstreamResult['target']): UpstreamResult =>
  ({ target, status: 200, headers: [], body: { bytes: null, length: 0, sha256: null, dropped: false, held: 0 }, ms: 1, error: null })
const exchange: Exchange = {
  request: { method: 'GET', url: '/x', endpoint: '/x', route: 'default', headers: {}, served: 'primary', compare: true },
  primary: side('primary'), candidate: side('candidate'), secondary: side('secondary')
}
const diff = (path: string, cls: Difference['class'] = 'value'): Difference =>
  ({ kind: 'body', path, at: path, change: cls === 'schema' ? 'type' : 'changed', class: cls })

function analysis (): Analysis {
  const a = new Analysis({ confidence: 0.99, maxPathsPerEndpoint: 50 }, new Metrics())
  a.close()
  return a
}

test('a field that differs on every request between any two instances is never reported', () => {
  const a = analysis()
  for (let i = 0; i < 5000; i++) {
    const v = a.ingest(exchange, [diff('$.generatedAt'), diff('$.requestId')], [diff('$.generatedAt'), diff('$.requestId')], [])
    assert.equal(v.result, 'noise_only', `request ${i} was reported`)
  }
})

test('a field that differs in 1 of 10,000 requests and never between primaries IS reported', () => {
  const a = analysis()
  let reported = 0
  for (let i = 0; i < 10_000; i++) {
    const pc = i === 6_123 ? [diff('$.price')] : []
    const v = a.ingest(exchange, [...pc, diff('$.at')], [diff('$.at')], [])
    if (v.result === 'diverge') { reported++; assert.deepEqual(v.reported.map((d) => d.path), ['$.price']) }
  }
  assert.equal(reported, 1)
  const stats = a.endpoint('/x').paths.get('$.price')!
  assert.equal(stats.reported, 1, "Diffy's 0.03 % absolute threshold would hide it (0.01 %)")
})

test('a field flaky at 40 % between primaries but different on every candidate response IS reported', () => {
  const a = analysis()
  let diverged = 0
  const n = 1000
  for (let i = 0; i < n; i++) {
    const flakyBetweenPrimaries = i % 5 < 2 // 40 %
    const v = a.ingest(exchange, [diff('$.status')], flakyBetweenPrimaries ? [diff('$.status')] : [], [])
    if (v.result === 'diverge') diverged++
  }
  // Diffy: r=1000, n=400 → relative difference 42.9 % but its absolute/relative pair on 600-vs-400 hides it;
  // here every request after the first few is reported once the bound separates 100 % from 40 %.
  assert.ok(diverged > n * 0.95, `${diverged} of ${n} reported`)
  assert.equal(a.pathIsNoise('/x', a.endpoint('/x').paths.get('$.status')!), false)
})

test('without any secondary every difference is reported', () => {
  const a = analysis()
  for (let i = 0; i < 100; i++) assert.equal(a.ingest(exchange, [diff('$.generatedAt')], null, []).result, 'diverge')
})

test('a type change is reported even in a field whose value is noise', () => {
  const a = analysis()
  for (let i = 0; i < 200; i++) a.ingest(exchange, [diff('$.updatedAt')], [diff('$.updatedAt')], [])
  const v = a.ingest(exchange, [diff('$.updatedAt', 'schema')], [diff('$.updatedAt')], [])
  assert.equal(v.result, 'diverge')
  assert.equal(v.cls, 'schema')
})

test('noise marked by config or by an operator is never reported', () => {
  const a = analysis()
  assert.equal(a.ingest(exchange, [diff('$.meta.at')], null, ['$.meta']).result, 'noise_only')
  a.markNoise('/x', '$.build', true)
  assert.equal(a.ingest(exchange, [diff('$.build')], null, []).result, 'noise_only')
  a.markNoise('/x', '$.build', false)
  assert.equal(a.ingest(exchange, [diff('$.build')], null, []).result, 'diverge')
})

test('the statistics: Wilson interval and Newcombe bound', () => {
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-5)
  assert.ok(Math.abs(normalQuantile(0.99) - 2.326348) < 1e-5)
  const [lo, hi] = wilson(0, 100, 1.96)
  assert.equal(lo, 0)
  assert.ok(Math.abs(hi - 0.0370) < 0.001)
  assert.ok(differenceLowerBound(50, 100, 10, 100, 2.33) > 0)
  assert.ok(differenceLowerBound(12, 100, 10, 100, 2.33) < 0)
})
