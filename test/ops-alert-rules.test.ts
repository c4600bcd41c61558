// config/prometheus-alerts.yaml: valid Prometheus rule groups, the four alerts the issue asks for, and only
// metric names, labels and label values that shadowsplit exports.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { metricCatalogue, promqlProblems, readPromql, readYamlDocs } from './ops-support.ts'

interface Rule { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
interface RuleFile { groups: Array<{ name: string; interval?: string; rules: Rule[] }> }

const docs = readYamlDocs('config/prometheus-alerts.yaml')
const file = docs[0] as RuleFile
const rules = file.groups.flatMap((g) => g.rules)
const catalogue = await metricCatalogue()

test('one document of rule groups, each with a unique name and rules', () => {
  assert.equal(docs.length, 1)
  assert.deepEqual(Object.keys(file), ['groups'])
  const names = file.groups.map((g) => g.name)
  assert.equal(new Set(names).size, names.length)
  for (const g of file.groups) assert.ok(Array.isArray(g.rules) && g.rules.length > 0, g.name)
})

test('every rule is a well-formed alerting rule', () => {
  const allowed = new Set(['alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'])
  const names = new Set<string>()
  for (const r of rules) {
    assert.match(r.alert ?? '', /^[A-Z][A-Za-z0-9]+$/, 'alert names are CamelCase')
    assert.ok(!names.has(r.alert ?? ''), `duplicate alert ${r.alert}`)
    names.add(r.alert ?? '')
    for (const key of Object.keys(r)) assert.ok(allowed.has(key), `${r.alert}: unknown key ${key}`)
    assert.equal(typeof r.expr, 'string')
    assert.match(r.for ?? '', /^\d+[smh]$/, `${r.alert}: for`)
    assert.match(r.labels?.severity ?? '', /^(critical|warning|info)$/, `${r.alert}: severity`)
    assert.ok((r.annotations?.summary ?? '') !== '' && (r.annotations?.description ?? '') !== '', `${r.alert}: summary and description`)
    for (const text of Object.values(r.annotations ?? {})) {
      const opens = text.split('{{').length
      assert.equal(opens, text.split('}}').length, `${r.alert}: unbalanced template braces`)
      for (const m of text.matchAll(/\{\{\s*\$labels\.([a-z_]+)/g)) {
        assert.ok(readPromql(r.expr).grouping.includes(m[1]), `${r.alert}: annotation uses $labels.${m[1]}, which the expression drops`)
      }
    }
  }
})

test('every expression asks only for metrics, labels and values shadowsplit exports', () => {
  for (const r of rules) assert.deepEqual(promqlProblems(r.expr, catalogue), [], `${r.alert}: ${r.expr}`)
})

test('the issue\'s alerts are there: divergence rate, candidate errors, latency delta, circuit open', () => {
  const find = (pred: (r: Rule) => boolean, what: string): Rule => {
    const r = rules.find(pred)
    assert.ok(r !== undefined, `no alert for ${what}`)
    return r
  }
  const uses = (r: Rule, metric: string): boolean => readPromql(r.expr).selectors.some((s) => s.metric === metric)
  const divergence = find((r) => uses(r, 'shadowsplit_diffs_total') && /result="diverge"/.test(r.expr), 'divergence rate')
  assert.match(divergence.expr, /result=~"match\|diverge\|noise_only"/, 'rate over compared exchanges')
  const errors = find((r) => uses(r, 'shadowsplit_requests_total') && /target="candidate"/.test(r.expr), 'candidate error rate')
  assert.match(errors.expr, /status_class=~"5xx\|error"/)
  find((r) => uses(r, 'shadowsplit_latency_delta_seconds_bucket') && /histogram_quantile/.test(r.expr), 'latency delta')
  find((r) => uses(r, 'shadowsplit_circuit_open'), 'circuit open')
})
