// The per-request counters and histograms must expose exactly what prom-client's own would, for the same events.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Counter, Histogram, Registry } from 'prom-client'
import { FastCounter, FastHistogram } from '../src/observe/fast-metrics.ts'
import { DELTA_BUCKETS } from '../src/observe/metrics.ts'

function pair (): [Registry, Registry] { return [new Registry(), new Registry()] }

test('FastCounter exposes what a prom-client Counter does (text and JSON)', async () => {
  const [a, b] = pair()
  const labelNames = ['endpoint', 'result']
  const theirs = new Counter({ name: 'x_total', help: 'h "quoted" \\ back', labelNames, registers: [a] })
  const ours = new FastCounter({ name: 'x_total', help: 'h "quoted" \\ back', labelNames, registers: [b] })
  const bound = ours.child('/a', 'match')
  const boundTheirs = theirs.labels('/a', 'match')
  for (let i = 0; i < 5; i++) { bound.inc(); boundTheirs.inc() }
  for (const [endpoint, result, by] of [['/b', 'diverge', 1], ['/a', 'diverge', 3], ['/"q"\n', 'match', 2]] as const) {
    theirs.inc({ endpoint, result }, by)
    ours.inc({ endpoint, result }, by)
  }
  assert.equal(await b.metrics(), await a.metrics())
  assert.deepEqual(await b.getMetricsAsJSON(), await a.getMetricsAsJSON())
  ours.reset()
  theirs.reset()
  assert.equal(await b.metrics(), await a.metrics())
  // A child bound before the reset keeps counting, like prom-client's.
  bound.inc()
  boundTheirs.inc()
  assert.equal(await b.metrics(), await a.metrics())
})

test('FastHistogram exposes what a prom-client Histogram does, negative buckets and edges included', async () => {
  // Values above the last bound are left out here: prom-client files them under the bucket whose bound is -1
  // (its "no bucket" marker), which the next test shows FastHistogram does not.
  const [a, b] = pair()
  const labelNames = ['endpoint']
  const theirs = new Histogram({ name: 'd_seconds', help: 'delta', labelNames, buckets: DELTA_BUCKETS, registers: [a] })
  const ours = new FastHistogram({ name: 'd_seconds', help: 'delta', labelNames, buckets: DELTA_BUCKETS, registers: [b] })
  const values = [-20, -10, -0.0025, -0.001, 0, 0.001, 0.0011, 0.3, 4.99, 5, ...DELTA_BUCKETS]
  for (const [i, v] of values.entries()) {
    const endpoint = i % 3 === 0 ? '/x' : '/y'
    theirs.observe({ endpoint }, v)
    ours.observe({ endpoint }, v)
  }
  const child = ours.child('/z')
  const childTheirs = theirs.labels('/z')
  for (const v of [0.002, 0.02]) { child.observe(v); childTheirs.observe(v) }
  assert.equal(await b.metrics(), await a.metrics())
  assert.deepEqual(await b.getMetricsAsJSON(), await a.getMetricsAsJSON())
  ours.reset()
  theirs.reset()
  child.observe(0.2)
  childTheirs.observe(0.2)
  assert.equal(await b.metrics(), await a.metrics(), 'a child bound before a reset keeps observing')
  assert.throws(() => ours.observe({ endpoint: '/x' }, Number.NaN), /finite/)
  assert.throws(() => ours.observe({}, 1), /label endpoint missing/)
})

test('FastHistogram counts a value above every bound in +Inf only (prom-client also adds it to a bound of -1)', async () => {
  const [a, b] = pair()
  const theirs = new Histogram({ name: 'd_seconds', help: 'delta', buckets: DELTA_BUCKETS, registers: [a] })
  const ours = new FastHistogram({ name: 'd_seconds', help: 'delta', labelNames: [], buckets: DELTA_BUCKETS, registers: [b] })
  theirs.observe(12)
  ours.observe({}, 12)
  const bucket = (text: string, le: string): number => Number(new RegExp(`^d_seconds_bucket\\{le="${le}"\\} (\\S+)$`, 'm').exec(text)![1])
  const ourText = await b.metrics()
  assert.equal(bucket(ourText, '-1'), 0)
  assert.equal(bucket(ourText, '5'), 0)
  assert.equal(bucket(ourText, '\\+Inf'), 1)
  assert.equal(bucket(await a.metrics(), '-1'), 1, 'prom-client 15 behaves as described (if this fails, the comment is stale)')
})
