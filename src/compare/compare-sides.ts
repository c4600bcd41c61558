// The response-comparison engine, run inside the compare worker for every mirrored exchange.
//
// Exported API:
//   compileRules(config: Partial<CompareRulesConfig>, limits?: CompareLimits): CompiledRules
//       Once per route (inside the worker); throws an Error naming the bad path or value.
//   compareSides(a: SideInput, b: SideInput, rules: CompiledRules): Difference[]
//       a = primary (or the reference side), b = candidate (or secondary). [] = match. At most
//       rules.maxDifferences (default 100) entries, in order: status, headers, body.
//   compareSidesDetailed(a: SideInput, b: SideInput, rules: CompiledRules): CompareResult
//       The same, plus { truncated, omitted }: how many differences were found past the cap.
//   changeset(a: SideInput, b: SideInput, rules: CompiledRules): unknown[]
//       json-diff-ts atoms (diff + atomizeChangeset) for JSON bodies, [] otherwise. Slow; samples only.
//
// Paths (`Difference.path`, index-free, metric-label safe):
//   status · header:<name> · header:set-cookie (a cookie name added/removed; `at` is header:set-cookie:<name>)
//   $… (JSON: `$.items[*].price`, `$["a.b"]`; `at` is `$.items[3].price` or `$.items[id=42].price`)
//   $ (invalid_json) · form:<name> · body:line:N (text, `at` is `line N`) · body:bytes (binary, or too large to capture)
//   body (a body on one side only) · body:content-type (essences differ) · body:encoding (undecodable)
// Object keys stay in JSON paths, so a body keyed by ids (`{"u123": …}`) yields one path per id: the label
// cap downstream must bound them. Change kinds and classes are listed in types.ts.
//
// Decisions worth knowing:
// - Status 0 on either side: one `error` difference and nothing else; both sides failing with the same error
//   code agree (no difference).
// - Statuses of different classes (200 vs 500): one `status` difference and nothing else (the bodies are
//   different documents). Same class (200 vs 201): headers and bodies still compare.
// - content-encoding is ignored as a header when both bodies decode; content-type compares normalized.
// - 1xx/204/304 on either side: status and headers only. Two empty bodies: nothing more to compare.
// - Numbers are compared after JSON.parse: integers past 2^53 that differ only beyond double precision agree.

import { planBodies } from './body-plan.ts'
import { compareDigests } from './compare-bytes.ts'
import { compareDecodedBodies } from './compare-body.ts'
import { compareHeaders } from './compare-headers.ts'
import type { CompiledRules } from './compile-rules.ts'
import { DifferenceList, withValues } from './difference-list.ts'
import type { CompareResult, Difference, SideInput } from './types.ts'

export { compileRules } from './compile-rules.ts'
export type { CompareLimits, CompiledRules } from './compile-rules.ts'
export { changeset } from './changeset.ts'
export type { ChangeKind, CompareResult, CompareRulesConfig, Difference, DifferenceClass, SideInput } from './types.ts'

export function compareSides (a: SideInput, b: SideInput, rules: CompiledRules): Difference[] {
  return compareSidesDetailed(a, b, rules).differences
}

export function compareSidesDetailed (a: SideInput, b: SideInput, rules: CompiledRules): CompareResult {
  const out = new DifferenceList(rules.maxDifferences)
  if (a.status === 0 || b.status === 0) {
    // Without a response there is nothing else to compare. Two sides failing the same way agree.
    if (a.status !== b.status || a.error !== b.error) out.add(status('error', a, b))
    return result(out)
  }
  if (a.status !== b.status) {
    out.add(status('changed', a, b))
    // A status of another class answers with another document (an error page against a resource): every
    // header and field would differ as a consequence and drown the one change that matters.
    if (Math.floor(a.status / 100) !== Math.floor(b.status / 100)) return result(out)
  }
  const { plan, encodingsEquivalent } = planBodies(a, b, rules.maxDecodedBytes)
  compareHeaders(a.headers, b.headers, { ignored: rules.ignoredHeaders, skipContentEncoding: encodingsEquivalent }, out)
  switch (plan.mode) {
    case 'skip':
      break
    case 'digest':
      compareDigests(a, b, out)
      break
    case 'undecodable':
      out.body('body:encoding', 'body', 'undecodable', 'value', plan.a ?? undefined, plan.b ?? undefined)
      break
    case 'decoded':
      compareDecodedBodies(a, b, plan.a, plan.b, rules, out)
  }
  return result(out)
}

function status (change: 'changed' | 'error', a: SideInput, b: SideInput): Difference {
  return withValues({ kind: 'status', path: 'status', at: 'status', change, class: 'status' }, statusText(a), statusText(b))
}

function statusText (side: SideInput): string {
  return side.status === 0 ? `error ${side.error ?? 'unknown'}` : String(side.status)
}

function result (out: DifferenceList): CompareResult {
  return { differences: out.items, truncated: out.omitted > 0, omitted: out.omitted }
}
