// The Flagger MetricTemplates and the Argo Rollouts AnalysisTemplate: the fields their CRDs need, templates
// that use only the variables each controller fills in, queries (once filled in) that ask only for what
// shadowsplit exports, gates on divergence rate and latency delta, and references that resolve: Canary →
// MetricTemplates and Deployment, Rollout → AnalysisTemplate, Services and the sidecar's candidate.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parse } from 'yaml'
import { metricCatalogue, promqlProblems, readPromql, readYamlDocs } from './ops-support.ts'

interface MetricTemplate { apiVersion: string; kind: string; metadata: { name: string }; spec: { provider: { type: string; address: string }; query: string } }
interface Canary {
  apiVersion: string
  kind: string
  spec: {
    provider: string
    targetRef: { apiVersion: string; kind: string; name: string }
    service: { port: number; targetPort: string | number }
    analysis: { interval: string; threshold: number; iterations?: number; metrics: Array<{ name: string; templateRef?: { name: string }; thresholdRange?: { min?: number; max?: number }; interval: string }> }
  }
}
interface ArgoMetric { name: string; interval?: string; count?: number; successCondition?: string; failureCondition?: string; provider: { prometheus?: { address: string; query: string } } }
interface AnalysisTemplate { apiVersion: string; kind: string; metadata: { name: string }; spec: { args?: Array<{ name: string; value?: string }>; metrics: ArgoMetric[] } }
interface Rollout {
  kind: string
  metadata: { name: string }
  spec: {
    workloadRef?: { apiVersion: string; kind: string; name: string }
    selector: { matchLabels: Record<string, string> }
    strategy: { blueGreen?: { activeService: string; previewService: string; prePromotionAnalysis: { templates: Array<{ templateName: string }>; args: Array<{ name: string; value?: string; valueFrom?: unknown }> } } }
  }
}
interface Named { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: Record<string, unknown>; data?: Record<string, string> }

const K = 'examples/kubernetes'
const catalogue = await metricCatalogue()
const templates = readYamlDocs(`${K}/flagger/metric-templates.yaml`) as MetricTemplate[]
const canary = (readYamlDocs(`${K}/flagger/canary.yaml`) as Canary[])[0]
const analysis = (readYamlDocs(`${K}/argo-rollouts/analysis-template.yaml`) as AnalysisTemplate[])[0]
const rolloutDocs = readYamlDocs(`${K}/argo-rollouts/rollout.yaml`) as Named[]
const rollout = rolloutDocs.find((d) => d.kind === 'Rollout') as unknown as Rollout
const deployment = (readYamlDocs(`${K}/deployment.yaml`) as Named[])[0]
const configMap = (readYamlDocs(`${K}/configmap.yaml`) as Named[])[0]
const podMonitor = (readYamlDocs(`${K}/podmonitor.yaml`) as Named[])[0]
const candidateHost = new URL((parse(configMap.data?.['config.yaml'] ?? '') as { candidate: string }).candidate).hostname

/** Labels the Prometheus Operator puts on a PodMonitor's targets, plus the pod labels podmonitor.yaml copies. */
const k8sLabels = ['namespace', 'pod', 'container', 'endpoint',
  ...((podMonitor.spec?.podTargetLabels as string[] | undefined) ?? []).map((l) => l.replace(/[^a-zA-Z0-9_]/g, '_'))]

const flaggerVars: Record<string, string> = { name: 'myapp', namespace: 'shop', target: 'myapp', service: 'myapp', ingress: 'myapp', interval: '5m' }
/** A query as Flagger sends it; throws on a variable Flagger does not fill in. */
function fillFlagger (query: string, template: string): string {
  return query.replace(/\{\{\s*([a-z.]+)\s*\}\}/g, (_w, v: string) => flaggerVars[v] ?? (v.startsWith('variables.') ? 'x' : assert.fail(`${template}: unknown variable {{ ${v} }}`)))
}
const argoArgs = new Map((analysis.spec.args ?? []).map((a) => [a.name, a.value]))
function fillArgo (query: string): string {
  return query.replace(/\{\{\s*args\.([a-z0-9-]+)\s*\}\}/g, (_w, a: string) => argoArgs.get(a) ?? 'x')
}

const DIVERGENCE = /sum\(rate\(shadowsplit_diffs_total\{[^}]*result="diverge"[^}]*\}\[[^\]]+\]\)\)\s*\/\s*sum\(rate\(shadowsplit_diffs_total\{[^}]*result=~"match\|diverge\|noise_only"[^}]*\}\[[^\]]+\]\)\)/
const LATENCY_P99 = /histogram_quantile\(0\.99, sum by \(le\) \(rate\(shadowsplit_latency_delta_seconds_bucket\{/

test('Flagger MetricTemplates: flagger.app/v1beta1, a Prometheus provider, a query', () => {
  assert.ok(templates.length >= 2)
  for (const t of templates) {
    assert.equal(t.apiVersion, 'flagger.app/v1beta1')
    assert.equal(t.kind, 'MetricTemplate')
    assert.equal(t.spec.provider.type, 'prometheus')
    assert.doesNotThrow(() => new URL(t.spec.provider.address), t.metadata.name)
    assert.equal(typeof t.spec.query, 'string')
  }
})

test('Flagger queries use only Flagger\'s template variables and, filled in, only shadowsplit\'s metrics', () => {
  for (const t of templates) {
    const filled = fillFlagger(t.spec.query, t.metadata.name)
    assert.doesNotMatch(filled, /\{\{|\}\}/, t.metadata.name)
    assert.deepEqual(promqlProblems(filled, catalogue, k8sLabels), [], `${t.metadata.name}: ${filled}`)
    for (const s of readPromql(filled).selectors) {
      assert.ok(s.matchers.some((m) => m.label === 'namespace') && s.matchers.some((m) => m.label === 'pod' && /myapp-primary-/.test(m.value)),
        `${t.metadata.name}: every selector reads the primary pods of the canary's namespace`)
    }
  }
  assert.ok(templates.some((t) => DIVERGENCE.test(fillFlagger(t.spec.query, t.metadata.name))), 'a divergence-rate template')
  assert.ok(templates.some((t) => LATENCY_P99.test(fillFlagger(t.spec.query, t.metadata.name))), 'a latency-delta p99 template')
})

test('the Canary gates on every template, with thresholds in the right direction', () => {
  assert.equal(canary.apiVersion, 'flagger.app/v1beta1')
  assert.equal(canary.kind, 'Canary')
  assert.deepEqual(canary.spec.targetRef, { apiVersion: 'apps/v1', kind: deployment.kind, name: deployment.metadata.name })
  assert.equal(`${canary.spec.targetRef.name}-canary`, candidateHost, 'the sidecars mirror to the Service Flagger makes for the canary')
  assert.equal(canary.spec.service.targetPort, 'proxy')
  assert.ok((canary.spec.analysis.iterations ?? 0) > 0, 'blue/green: a number of iterations, no traffic shift')
  const names = new Set(templates.map((t) => t.metadata.name))
  const used = new Set(canary.spec.analysis.metrics.map((m) => m.templateRef?.name))
  for (const n of names) assert.ok(used.has(n), `template ${n} is not used by the Canary`)
  for (const m of canary.spec.analysis.metrics) {
    assert.ok(m.templateRef !== undefined && names.has(m.templateRef.name), `${m.name}: templateRef`)
    assert.match(m.interval, /^\d+[smh]$/)
    const query = fillFlagger(templates.find((t) => t.metadata.name === m.templateRef?.name)?.spec.query ?? '', m.name)
    const range = m.thresholdRange ?? {}
    if (/increase\(/.test(query)) assert.ok((range.min ?? 0) > 0 && range.max === undefined, `${m.name}: a minimum count`)
    else assert.ok(range.max !== undefined && range.min === undefined, `${m.name}: a maximum`)
    if (DIVERGENCE.test(query)) assert.ok((range.max ?? 1) <= 0.05, `${m.name}: divergence threshold`)
  }
})

test('the Argo AnalysisTemplate: args declared and used, Prometheus queries that ask only for shadowsplit\'s metrics, guarded conditions', () => {
  assert.equal(analysis.apiVersion, 'argoproj.io/v1alpha1')
  assert.equal(analysis.kind, 'AnalysisTemplate')
  const args = argoArgs
  const text = JSON.stringify(analysis.spec.metrics)
  const used = new Set([...text.matchAll(/\{\{\s*args\.([a-z0-9-]+)\s*\}\}/g)].map((m) => m[1]))
  for (const u of used) assert.ok(args.has(u), `{{args.${u}}} is not declared`)
  for (const a of args.keys()) assert.ok(used.has(a), `arg ${a} is never used`)
  for (const m of analysis.spec.metrics) {
    const prom = m.provider.prometheus
    assert.ok(prom !== undefined, `${m.name}: prometheus provider`)
    const filled = fillArgo(prom.query)
    assert.deepEqual(promqlProblems(filled, catalogue, k8sLabels), [], `${m.name}: ${filled}`)
    for (const s of readPromql(filled).selectors) assert.ok(s.matchers.some((x) => x.label === 'rollouts_pod_template_hash'), `${m.name}: reads the stable pods only`)
    assert.ok(m.successCondition !== undefined, `${m.name}: successCondition`)
    for (const c of [m.successCondition, m.failureCondition].filter((x) => x !== undefined)) {
      if (/result\[0\]/.test(c)) assert.match(c, /^len\(result\) > 0 && /, `${m.name}: guard result[0] against an empty vector`)
    }
    if (m.failureCondition !== undefined) assert.match(m.failureCondition, /!isNaN\(result\[0\]\)/, `${m.name}: no data is inconclusive, not a failure`)
  }
  const query = (pred: RegExp): ArgoMetric | undefined => analysis.spec.metrics.find((m) => pred.test(fillArgo(m.provider.prometheus?.query ?? '')))
  assert.ok(query(DIVERGENCE) !== undefined, 'a divergence-rate metric')
  assert.ok(query(LATENCY_P99) !== undefined, 'a latency-delta p99 metric')
})

test('the Rollout runs the Deployment blue/green, previews behind the sidecars\' candidate Service, and passes every arg', () => {
  assert.deepEqual(rollout.spec.workloadRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name, scaleDown: 'progressively' })
  const podLabels = (deployment.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels
  assert.deepEqual(rollout.spec.selector.matchLabels, podLabels)
  const bg = rollout.spec.strategy.blueGreen
  assert.ok(bg !== undefined)
  assert.equal(bg.previewService, candidateHost)
  const preview = rolloutDocs.find((d) => d.kind === 'Service' && d.metadata.name === bg.previewService)
  assert.ok(preview !== undefined, 'the preview Service is defined')
  assert.equal((preview.spec as { ports: Array<{ targetPort: string }> }).ports[0].targetPort, 'proxy')
  const active = (readYamlDocs(`${K}/service.yaml`) as Named[])[0]
  assert.equal(bg.activeService, active.metadata.name)
  assert.deepEqual(bg.prePromotionAnalysis.templates, [{ templateName: analysis.metadata.name }])
  const given = new Set(bg.prePromotionAnalysis.args.map((a) => a.name))
  for (const a of analysis.spec.args ?? []) assert.ok(a.value !== undefined || given.has(a.name), `arg ${a.name} has no value`)
  assert.deepEqual(bg.prePromotionAnalysis.args.find((a) => a.name === 'stable-hash')?.valueFrom, { podTemplateHashValue: 'Stable' })
})

test('the PodMonitor scrapes the sidecar\'s admin port and copies the Rollouts hash label', () => {
  const endpoints = podMonitor.spec?.podMetricsEndpoints as Array<{ port: string; path: string }>
  const containers = (deployment.spec as { template: { spec: { containers: Array<{ name: string; ports?: Array<{ name: string }> }> } } }).template.spec.containers
  assert.ok(containers.find((c) => c.name === 'shadowsplit')?.ports?.some((p) => p.name === endpoints[0].port), 'PodMonitor port is a sidecar port name')
  assert.equal(endpoints[0].path, '/metrics')
  assert.ok(k8sLabels.includes('rollouts_pod_template_hash'))
})
