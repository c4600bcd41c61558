// The readable json-diff-ts changeset, for the few samples people open. Slow by design and never on the hot
// path. json-diff-ts cannot express wildcard ignores, order-free arrays or a depth bound, so the rules are
// applied to copies first: ignored subtrees are dropped (cheaper than json-diff-ts's own keysToSkip, which
// rescans every skip path at every node), unordered arrays are sorted canonically, subtrees below
// MAX_WALK_DEPTH become their canonical text (json-diff-ts recurses without bound), and every array that
// arrayKeys matches by key becomes an `embeddedObjKeys` entry, exactly at the paths where it applied.

import { atomizeChangeset, diff } from 'json-diff-ts'
import type { Options } from 'json-diff-ts'
import { planBodies } from './body-plan.ts'
import { jsonPair } from './compare-body.ts'
import type { CompiledRules } from './compile-rules.ts'
import { indexByKey, MAX_WALK_DEPTH } from './json-walk.ts'
import { stepIndex, stepKey } from './rule-states.ts'
import type { RuleState } from './rule-states.ts'
import { canonicalJson } from './serialize-json.ts'
import type { SideInput } from './types.ts'

interface Keying {
  /** json-diff-ts path (object keys joined by '.', no indices) → element field. */
  keys: Map<string, string>
  /** Paths where some array could not be keyed (missing or repeated key): json-diff-ts uses indices there. */
  unkeyable: Set<string>
  /** Array paths named like an Object.prototype member (`constructor`, `toString`, `__proto__`). */
  inherited: Set<string>
}

export function changeset (a: SideInput, b: SideInput, rules: CompiledRules): unknown[] {
  if (a.status === 0 || b.status === 0) return []
  const { plan } = planBodies(a, b, rules.maxDecodedBytes)
  if (plan.mode !== 'decoded') return []
  const pair = jsonPair(a, b, plan.a, plan.b)
  if (pair === null) return []
  if (rules.json !== null && rules.json.ignore) return []
  const keying: Keying = { keys: new Map(), unkeyable: new Set(), inherited: new Set() }
  const pa = prepare(pair[0], rules.json, 0, '', keying)
  const pb = prepare(pair[1], rules.json, 0, '', keying)
  for (const path of keying.unkeyable) keying.keys.delete(path)
  const options: Options = {}
  if (keying.keys.size > 0) {
    // json-diff-ts looks paths up as embeddedObjKeys[path], prototype chain included: an array at `constructor`
    // would get Object as its key function and crash atomizeChangeset. Own '$index' entries shadow those.
    for (const path of keying.inherited) if (!keying.keys.has(path)) keying.keys.set(path, '$index')
    options.embeddedObjKeys = Object.fromEntries(keying.keys)
  }
  return atomizeChangeset(diff(pa, pb, options))
}

function prepare (value: unknown, state: RuleState | null, depth: number, path: string, keying: Keying): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (depth >= MAX_WALK_DEPTH) return canonicalJson(value, state)
  if (Array.isArray(value)) return prepareArray(value, state, depth, path, keying)
  // Null prototype: assigning a `__proto__` key from the body must create a key, not change the prototype.
  const copy = Object.create(null) as Record<string, unknown>
  for (const key of Object.keys(value)) {
    const next = state === null ? null : stepKey(state, key)
    if (next !== null && next.ignore) continue
    copy[key] = prepare((value as Record<string, unknown>)[key], next, depth + 1, path === '' ? key : `${path}.${key}`, keying)
  }
  return copy
}

function prepareArray (value: unknown[], state: RuleState | null, depth: number, path: string, keying: Keying): unknown[] {
  const copy: unknown[] = []
  for (let i = 0; i < value.length; i++) {
    const next = state === null ? null : stepIndex(state, i)
    if (next !== null && next.ignore) continue
    copy.push(prepare(value[i], next, depth + 1, path, keying))
  }
  if (Object.hasOwn(Object.prototype, path)) keying.inherited.add(path)
  if (state === null) return copy
  if (state.arrayKey !== null) {
    if (indexByKey(value, state.arrayKey) === null) keying.unkeyable.add(path)
    else keying.keys.set(path, state.arrayKey)
  } else if (state.unordered) {
    const texts = new Map(copy.map((el) => [el, canonicalJson(el, null)]))
    copy.sort((x, y) => compareStrings(texts.get(x)!, texts.get(y)!))
  }
  return copy
}

function compareStrings (x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0
}
