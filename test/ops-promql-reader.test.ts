// The PromQL reader behind the dashboard, alert and rollout-gate tests finds what those tests must reject:
// unknown metrics, labels a metric does not carry, values outside the metrics contract, unbalanced brackets.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { metricCatalogue, promqlProblems, readPromql } from './ops-support.ts'

const catalogue = await metricCatalogue()

test('selectors, matchers, grouping labels and functions are read', () => {
  const parts = readPromql('histogram_quantile(0.99, sum by (job, le) (rate(shadowsplit_latency_delta_seconds_bucket{endpoint=~"$endpoint"}[$__rate_interval]))) > 0.25')
  assert.deepEqual(parts.selectors, [{ metric: 'shadowsplit_latency_delta_seconds_bucket', matchers: [{ label: 'endpoint', op: '=~', value: '$endpoint' }] }])
  assert.deepEqual(parts.grouping, ['job', 'le'])
  assert.deepEqual(parts.functions, ['histogram_quantile', 'sum', 'rate'])
})

test('the catalogue holds shadowsplit metrics with their labels, histograms as _bucket/_sum/_count, and prom-client defaults', () => {
  assert.deepEqual(catalogue.get('shadowsplit_diffs_total')?.labels, ['endpoint', 'result'])
  assert.ok(catalogue.get('shadowsplit_upstream_duration_seconds_bucket')?.labels.includes('le'))
  assert.ok(catalogue.has('shadowsplit_upstream_duration_seconds_count'))
  assert.ok(!catalogue.has('shadowsplit_upstream_duration_seconds'), 'a histogram has no bare series')
  assert.ok(catalogue.has('process_cpu_seconds_total'))
})

test('a valid expression has no problem', () => {
  assert.deepEqual(promqlProblems('sum by (endpoint) (rate(shadowsplit_diffs_total{result=~"match|diverge"}[5m]))', catalogue), [])
})

const bad: Array<[string, string, RegExp]> = [
  ['unknown metric', 'rate(shadowsplit_diff_total[5m])', /unknown metric shadowsplit_diff_total/],
  ['a histogram without its suffix', 'rate(shadowsplit_latency_delta_seconds[5m])', /unknown metric/],
  ['a label the metric lacks', 'shadowsplit_diffs_total{status_class="5xx"}', /has no label status_class/],
  ['a value outside the contract', 'shadowsplit_diffs_total{result="diverged"}', /has no value 'diverged'/],
  ['a regex value outside the contract', 'shadowsplit_requests_total{status_class=~"5xx|err"}', /has no value 'err'/],
  ['grouping by a label nobody carries', 'sum by (route) (shadowsplit_diffs_total)', /grouping label route/],
  ['an unknown function', 'ratee(shadowsplit_diffs_total[5m])', /unknown function ratee/],
  ['unbalanced brackets', 'sum(rate(shadowsplit_diffs_total[5m])', /unbalanced/]
]
for (const [name, expr, problem] of bad) {
  test(`rejected: ${name}`, () => {
    const problems = promqlProblems(expr, catalogue)
    assert.ok(problems.some((p) => problem.test(p)), `${expr}: ${JSON.stringify(problems)}`)
  })
}
