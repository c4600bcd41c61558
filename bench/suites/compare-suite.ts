// Suite compare: owned by bench/compare.ts (written separately; a CPU micro-benchmark of the comparator).
// This only loads it when it exists and folds its markdown and its pass/fail into the report.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { SuiteContext, SuiteReport, Verdict } from './suite.ts'

const FILE = new URL('../compare.ts', import.meta.url)

interface CompareResult {
  markdown?: unknown
  pass?: unknown
  ratio20k?: unknown
}

export async function compareSuite (ctx: SuiteContext): Promise<SuiteReport> {
  if (!existsSync(fileURLToPath(FILE))) {
    return { title: 'compare', markdown: '_Skipped: bench/compare.ts is not there yet._', verdicts: [] }
  }
  // A computed specifier keeps tsc from tying this file to compare.ts's types, which evolve separately.
  const mod = await import(FILE.href) as { runCompareBench?: (options: Record<string, unknown>) => Promise<unknown> }
  if (typeof mod.runCompareBench !== 'function') {
    return { title: 'compare', markdown: '_Skipped: bench/compare.ts does not export runCompareBench()._', verdicts: [] }
  }
  ctx.progress('compare: running runCompareBench() from bench/compare.ts')
  const out = await mod.runCompareBench({ rounds: ctx.rounds })
  if (typeof out === 'string') return { title: 'compare', markdown: out, verdicts: [] }
  const r = (typeof out === 'object' && out !== null ? out : {}) as CompareResult
  const markdown = typeof r.markdown === 'string' ? r.markdown : '_runCompareBench() returned no markdown._'
  const verdicts: Verdict[] = typeof r.pass === 'boolean'
    ? [{ bar: 'bench/compare.ts bar (compareSides vs parse-alone at 20 KB, see its table)', status: r.pass ? 'PASS' : 'FAIL', detail: typeof r.ratio20k === 'number' ? `${r.ratio20k.toFixed(2)}×` : '' }]
    : []
  return { title: 'compare', markdown, verdicts }
}
