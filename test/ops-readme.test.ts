// README.md: the files it names exist, the metrics it names are
// exported, and its PromQL examples ask only for what shadowsplit exports (plus Kubernetes target labels).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, metricCatalogue, promqlProblems, readText } from './ops-support.ts'

const text = readText('README.md')
const catalogue = await metricCatalogue()

test('every repository path the text names exists', () => {
  const paths = [...text.matchAll(/`((?:deploy|config|examples|test|src|bin)\/[A-Za-z0-9_./-]+|compose\.yaml|Dockerfile)`/g)].map((m) => m[1])
  assert.ok(paths.length >= 5, `only ${paths.length} paths found`)
  for (const p of paths) {
    const full = p.startsWith('examples/kubernetes') || !/^(deployment|service|configmap|candidate|podmonitor)\.yaml$/.test(p) ? p : `examples/kubernetes/${p}`
    assert.ok(existsSync(join(ROOT, full)), `${p} does not exist`)
  }
  for (const f of [...text.matchAll(/`((?:deployment|service|configmap|candidate|podmonitor)\.yaml)`/g)].map((m) => m[1])) {
    assert.ok(existsSync(join(ROOT, 'examples/kubernetes', f)), f)
  }
})

test('every shadowsplit metric the text names is exported', () => {
  const names = new Set([...text.matchAll(/\bshadowsplit_[a-z_]+/g)].map((m) => m[0]))
  assert.ok(names.size >= 4)
  // A histogram is named by its base name in prose and by its series (_bucket, _sum, _count) in queries.
  for (const n of names) assert.ok(catalogue.has(n) || catalogue.has(`${n}_bucket`), `${n} is not a metric`)
})

test('the PromQL examples ask only for exported metrics, labels and values', () => {
  const blocks = [...text.matchAll(/```promql\n([\s\S]*?)```/g)].map((m) => m[1])
  assert.ok(blocks.length > 0)
  const queries = blocks.flatMap((b) => b.split(/\n\s*\n/)).map((q) => q.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n').trim()).filter((q) => q !== '')
  assert.ok(queries.length >= 4)
  for (const q of queries) assert.deepEqual(promqlProblems(q, catalogue, ['namespace', 'pod']), [], q)
})
