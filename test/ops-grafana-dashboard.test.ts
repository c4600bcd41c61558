// config/grafana-dashboard.json: valid dashboard JSON whose panels all read the ${DS_PROMETHEUS} data source
// variable, cover what the issue lists, use only defined template variables, and ask only for metrics, labels
// and label values shadowsplit exports.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { metricCatalogue, promqlProblems, readPromql, readText } from './ops-support.ts'

interface Target { datasource?: { type?: string; uid?: string }; expr?: string; refId?: string; legendFormat?: string }
interface Panel { id: number; type: string; title: string; datasource?: { type?: string; uid?: string }; targets?: Target[]; gridPos: { h: number; w: number; x: number; y: number }; panels?: Panel[] }
interface Variable { name: string; type: string; query?: unknown; datasource?: { type?: string; uid?: string }; definition?: string }
interface Dashboard { uid: string; title: string; schemaVersion: number; panels: Panel[]; templating: { list: Variable[] }; __inputs?: Array<{ name: string; type: string; pluginId: string }> }

const dashboard = JSON.parse(readText('config/grafana-dashboard.json')) as Dashboard
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])])
const queryPanels = panels.filter((p) => p.type !== 'row')
const targets = queryPanels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p, target: t })))
const exprs = targets.map(({ target }) => target.expr ?? '')
const catalogue = await metricCatalogue()
const DS = '${DS_PROMETHEUS}'

test('a dashboard with a stable uid, a title and unique panel ids laid out on a 24-column grid', () => {
  assert.equal(dashboard.uid, 'shadowsplit')
  assert.ok(dashboard.title !== '' && dashboard.schemaVersion >= 36)
  const ids = panels.map((p) => p.id)
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique')
  for (const p of panels) {
    assert.ok(p.gridPos.x >= 0 && p.gridPos.w > 0 && p.gridPos.x + p.gridPos.w <= 24, `${p.title}: gridPos`)
  }
  for (const a of panels) {
    for (const b of panels) {
      if (a === b) continue
      const overlap = a.gridPos.x < b.gridPos.x + b.gridPos.w && b.gridPos.x < a.gridPos.x + a.gridPos.w &&
        a.gridPos.y < b.gridPos.y + b.gridPos.h && b.gridPos.y < a.gridPos.y + a.gridPos.h
      assert.ok(!overlap, `${a.title} overlaps ${b.title}`)
    }
  }
})

test('every panel and query reads the ${DS_PROMETHEUS} data source variable, which is defined', () => {
  const dsVar = dashboard.templating.list.find((v) => v.name === 'DS_PROMETHEUS')
  assert.equal(dsVar?.type, 'datasource')
  assert.equal(dsVar?.query, 'prometheus')
  assert.deepEqual(dashboard.__inputs?.map((i) => [i.name, i.type, i.pluginId]), [['DS_PROMETHEUS', 'datasource', 'prometheus']])
  for (const p of queryPanels) assert.deepEqual(p.datasource, { type: 'prometheus', uid: DS }, p.title)
  for (const { panel, target } of targets) assert.deepEqual(target.datasource, { type: 'prometheus', uid: DS }, `${panel.title} ${target.refId}`)
  for (const v of dashboard.templating.list.filter((x) => x.type === 'query')) assert.deepEqual(v.datasource, { type: 'prometheus', uid: DS }, v.name)
  assert.doesNotMatch(readText('config/grafana-dashboard.json'), /"uid":\s*"(?!\$\{DS_PROMETHEUS\}|shadowsplit")[^"]*"/, 'no hard-coded data source uid')
})

test('every query asks only for metrics, labels and values shadowsplit exports', () => {
  assert.ok(exprs.length > 0)
  for (const { panel, target } of targets) {
    assert.deepEqual(promqlProblems(target.expr ?? '', catalogue), [], `${panel.title} ${target.refId}: ${target.expr}`)
  }
  for (const v of dashboard.templating.list.filter((x) => x.type === 'query')) {
    const m = /^label_values\((.+),\s*([a-z_]+)\)$/.exec(v.definition ?? '')
    assert.ok(m !== null, `${v.name}: label_values(selector, label)`)
    assert.deepEqual(promqlProblems(m[1], catalogue), [], v.name)
    const metric = readPromql(m[1]).selectors[0].metric
    assert.ok([...(catalogue.get(metric)?.labels ?? []), 'job', 'instance'].includes(m[2]), `${v.name}: ${metric} has no label ${m[2]}`)
  }
})

test('template variables used in queries and legends are defined or Grafana built-ins', () => {
  const defined = new Set(dashboard.templating.list.map((v) => v.name))
  const builtins = new Set(['__rate_interval', '__interval', '__range', '__all'])
  const texts = [...exprs, ...dashboard.templating.list.map((v) => v.definition ?? '')]
  for (const text of texts) {
    for (const m of text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) assert.ok(defined.has(m[1]) || builtins.has(m[1]), `undefined variable $${m[1]} in ${text}`)
  }
  for (const { panel, target } of targets) {
    const labels = new Set(readPromql(target.expr ?? '').grouping)
    for (const m of (target.legendFormat ?? '').matchAll(/\{\{\s*([a-z_]+)\s*\}\}/g)) {
      assert.ok(labels.has(m[1]), `${panel.title}: legend {{${m[1]}}} but the query keeps only ${[...labels].join(', ')}`)
    }
  }
})

test('the panels the issue lists are there', () => {
  const uses = (metric: string, extra: RegExp = /./): boolean => exprs.some((e) => readPromql(e).selectors.some((s) => s.metric === metric) && extra.test(e))
  assert.ok(uses('shadowsplit_diffs_total', /sum by \(endpoint\)[\s\S]*result="diverge"/), 'divergence rate per endpoint')
  assert.ok(uses('shadowsplit_divergences_total', /by \(class\)/), 'divergences by class')
  assert.ok(uses('shadowsplit_latency_delta_seconds_bucket', /histogram_quantile\(0\.5,/), 'latency delta p50')
  assert.ok(uses('shadowsplit_latency_delta_seconds_bucket', /histogram_quantile\(0\.99,/), 'latency delta p99')
  assert.ok(uses('shadowsplit_upstream_duration_seconds_bucket', /histogram_quantile\(0\.99, sum by \([^)]*target/), 'per-target duration p99')
  assert.ok(uses('shadowsplit_mirror_skipped_total', /by \(reason\)/), 'mirror skip reasons')
  for (const m of ['shadowsplit_mirror_cost_ratio', 'shadowsplit_candidate_inflight', 'shadowsplit_circuit_open', 'shadowsplit_compare_queue_depth', 'shadowsplit_capture_bytes']) assert.ok(uses(m), m)
})
